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
	mu    sync.Mutex
	keys  map[watchKey]map[*Client]struct{}
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
		w.keys = make(map[watchKey]map[*Client]struct{})
	}
	set := w.keys[k]
	if set == nil {
		set = make(map[*Client]struct{})
		w.keys[k] = set
	}
	set[c] = struct{}{}
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

// touchWatched marks dirty the clients watching key in db.
func (s *Server) touchWatched(db int, key []byte) {
	w := &s.watches
	if w.count.Load() == 0 {
		return
	}
	w.mu.Lock()
	for c := range w.keys[watchKey{db: db, key: string(key)}] {
		c.dirty.Store(true)
	}
	w.mu.Unlock()
}

// touchWatchedDB marks dirty the clients watching a key of db that exists
// there, as Redis does for FLUSHDB, FLUSHALL and SWAPDB.
func (s *Server) touchWatchedDB(tx *store.Tx, db int) {
	w := &s.watches
	if w.count.Load() == 0 {
		return
	}
	w.mu.Lock()
	for k, set := range w.keys {
		if k.db != db || !tx.Contains(db, []byte(k.key)) {
			continue
		}
		for c := range set {
			c.dirty.Store(true)
		}
	}
	w.mu.Unlock()
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
