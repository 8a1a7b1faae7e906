package server

import (
	"sync"
	"sync/atomic"

	"github.com/cairn-db/cairn/protocol"
	"github.com/cairn-db/cairn/store"
)

// watchKey names a watched key.
type watchKey struct {
	db  int
	key string
}

// watches maps watched keys to the clients watching them. The store
// reports changes under its lock (KeyChanged, DatabaseChanged); the
// registry has its own small lock so WATCH bookkeeping on disconnect does
// not need the keyspace.
type watches struct {
	mu sync.Mutex
	// keys maps each watched key to its watchers, each with Redis's
	// wk->expired: SWAPDB replaced the key, absent before, with one whose
	// TTL had passed, which is no change until the key lives again.
	keys  map[watchKey]map[*Client]bool
	count atomic.Int64 // len(keys), read without the lock on every write
}

// WATCH key [key ...] runs inside a store transaction so the keys' state
// and the registration are one atomic step.
func cmdWatch(c *Context) error {
	cl := c.Client
	if cl.multi != nil {
		return protocol.ErrWatchInMulti
	}
	db := cl.DB()
	for _, k := range c.Args[1:] {
		// A key whose TTL already passed is gone now, so that its later
		// reclaiming does not count as a change (Redis's wk->expired).
		c.Tx.ExpireIfDue(db, k)
		c.Server.watch(cl, watchKey{db: db, key: string(k)})
	}
	c.Out.OK()
	return nil
}

// UNWATCH
func cmdUnwatch(c *Context) error {
	c.Server.unwatchAll(c.Client)
	c.Out.OK()
	return nil
}

func (s *Server) watch(c *Client, k watchKey) {
	for _, w := range c.watched {
		if w == k {
			return
		}
	}
	c.watched = append(c.watched, k)
	c.hold(watchEntryBytes + int64(len(k.key)))
	w := &s.watches
	w.mu.Lock()
	if w.keys == nil {
		w.keys = make(map[watchKey]map[*Client]bool)
	}
	set := w.keys[k]
	if set == nil {
		set = make(map[*Client]bool)
		w.keys[k] = set
	}
	set[c] = false
	w.count.Store(int64(len(w.keys)))
	w.mu.Unlock()
}

// unwatchAll forgets every key c watches and clears its dirty flag.
func (s *Server) unwatchAll(c *Client) {
	if len(c.watched) > 0 {
		w := &s.watches
		w.mu.Lock()
		for _, k := range c.watched {
			if set := w.keys[k]; set != nil {
				delete(set, c)
				if len(set) == 0 {
					delete(w.keys, k)
				}
			}
		}
		w.count.Store(int64(len(w.keys)))
		w.mu.Unlock()
		for _, k := range c.watched {
			c.hold(-watchEntryBytes - int64(len(k.key)))
		}
		c.watched = c.watched[:0]
	}
	c.dirty.Store(false)
}

// expireWatched reclaims c's watched keys whose TTL has passed since WATCH,
// which marks c dirty: Redis fails EXEC when a watched key expired, even
// if nothing has reclaimed it yet.
func (s *Server) expireWatched(tx *store.Tx, c *Client) {
	for _, k := range c.watched {
		tx.ExpireIfDue(k.db, []byte(k.key))
	}
}

// touchWatched marks dirty the clients watching key in db, which event
// changed; the deletion of a key SWAPDB brought in expired is no change.
func (s *Server) touchWatched(db int, key []byte, event string) {
	w := &s.watches
	if w.count.Load() == 0 {
		return
	}
	deleted := event == "expired" || event == "del" || event == "evicted"
	w.mu.Lock()
	set := w.keys[watchKey{db: db, key: string(key)}]
	for c, expired := range set {
		if expired && deleted {
			set[c] = false
			continue
		}
		c.dirty.Store(true)
	}
	w.mu.Unlock()
}

// touchWatchedDB marks dirty the clients watching a key of db that FLUSHDB,
// FLUSHALL or SWAPDB changed, as Redis's touchAllWatchedKeysInDb: called
// before the database is emptied or swapped, for each key it holds, and
// after a SWAPDB (after) for each key it holds now. A key the swap brings
// in with its TTL passed is no change where there was none before: its
// watchers are flagged (Redis's wk->expired) until it lives again, and
// the flag decides for them after the swap, not before.
func (s *Server) touchWatchedDB(tx *store.Tx, db int, after bool) {
	w := &s.watches
	if w.count.Load() == 0 {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for k, set := range w.keys {
		key := []byte(k.key)
		if k.db != db {
			continue
		}
		present := tx.Contains(db, key)
		live := present && tx.ContainsLive(db, key)
		for c, expired := range set {
			switch {
			case !after && present && !expired, after && live:
				c.dirty.Store(true)
			case after && present: // expired now: absent before, or flagged
				set[c] = true
			case after && expired: // the flagged key is gone
				set[c] = false
			}
		}
	}
}

// forget drops what a disconnected client left registered.
func (s *Server) forget(c *Client) {
	s.unwatchAll(c)
	s.unsubscribeAll(c)
	s.disableTracking(c)
	if c.outbox != nil {
		c.outbox.close()
	}
}
