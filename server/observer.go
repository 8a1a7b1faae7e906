package server

import "github.com/cairn-db/cairn/store"

// The Server is the store's Observer: the store reports changes under its
// lock, and the server turns them into client-visible effects.
var _ store.Observer = (*Server)(nil)

// KeyChanged is called for every change to a key.
func (s *Server) KeyChanged(db int, key []byte, class store.EventClass, event string) {
	if class&(store.EventKeyMiss|store.EventNew) == 0 {
		s.touchWatched(db, key)
	}
	s.notifyKeyspace(db, key, class, event)
}

// DatabaseChanged is called when FLUSHDB, FLUSHALL or SWAPDB changed a
// whole database.
func (s *Server) DatabaseChanged(tx *store.Tx, db int) { s.touchWatchedDB(tx, db) }

// KeysReady is called when keys received elements; no command blocks yet.
func (s *Server) KeysReady(tx *store.Tx, keys []store.ReadyKey) {}

// blockedClients counts clients waiting in a blocking command.
func (s *Server) blockedClients() int { return 0 }
