package server

import "github.com/cairn-db/cairn/store"

// The Server is the store's Observer: the store reports changes under its
// lock, and the server turns them into client-visible effects.
var _ store.Observer = (*Server)(nil)

// KeyChanged is called for every change to a key.
func (s *Server) KeyChanged(db int, key []byte, class store.EventClass, event string) {
	if class&(store.EventKeyMiss|store.EventNew) == 0 {
		s.persist.changes.Add(1)
		s.touchWatched(db, key, event)
		s.trackChanged(key)
	}
	s.notifyKeyspace(db, key, class, event)
}

// DatabaseChanged is called when FLUSHDB, FLUSHALL or SWAPDB changed a
// whole database: WATCH marks the watchers of keys it holds, and every key
// of db that clients wait on may now hold data (after SWAPDB), so each is
// marked ready and rechecked at the end of the transaction.
func (s *Server) DatabaseChanged(tx *store.Tx, db int, after bool) {
	s.persist.changes.Add(1)
	s.touchWatchedDB(tx, db, after)
	if s.blocking.count.Load() == 0 {
		return
	}
	for _, k := range s.blocking.keysIn(db) {
		tx.MarkReady(db, k)
	}
}

// KeysReady is called at the end of a transaction with the keys that
// received elements: their blocked clients are served now, inside the
// writer's transaction, so no other client can take the elements first.
func (s *Server) KeysReady(tx *store.Tx, keys []store.ReadyKey) {
	// Waiters register under the keyspace lock, which is held here, so
	// a zero count cannot be stale.
	if s.blocking.count.Load() == 0 {
		return
	}
	for _, k := range keys {
		s.blocking.serveKey(tx, k.DB, k.Key, &s.tracking)
	}
}

// blockedClients counts clients waiting in a blocking command.
func (s *Server) blockedClients() int {
	return int(s.blocking.count.Load()) + s.pause.heldClients()
}
