package server

import (
	"bufio"
	"math/rand/v2"
	"net"
	"sync"
	"time"
)

// MIGRATE's connections stay open for later MIGRATEs to the same target,
// as Redis's migrateGetSocket keeps them: at most 64, each closed once
// unused for 10 s (the once-a-second cron), or as soon as an exchange on
// it fails. A cached connection remembers the database it selected last,
// so the next MIGRATE to that database sends no SELECT, as in Redis.

const (
	migrateSocketsMax = 64
	migrateSocketTTL  = 10 * time.Second
)

// migrateSockets is the cache, by "host:port".
type migrateSockets struct {
	mu     sync.Mutex
	conns  map[string]*migrateConn
	closed bool // the server closed: connections handed back are closed
}

// migrateConn is one connection to a MIGRATE target.
type migrateConn struct {
	net.Conn
	rd      *bufio.Reader
	db      int64 // the database last selected; -1: none yet
	lastUse time.Time
	busy    bool  // a MIGRATE is using it
	cached  bool  // in the cache (not a spare dialled while it was busy)
	lastErr error // the last I/O error, for send's retry
}

// get returns the cached connection to addr, or dials one (within
// timeout), which is cached when there is room: a random one goes to make
// room, as in Redis, unless all are busy. reused says the connection was
// open before: a failure on it may be its target's restart, worth one
// retry on a fresh connection.
func (ms *migrateSockets) get(addr string, timeout time.Duration) (c *migrateConn, reused bool, err error) {
	ms.mu.Lock()
	if c := ms.conns[addr]; c != nil && !c.busy {
		c.busy = true
		ms.mu.Unlock()
		return c, true, nil
	}
	ms.mu.Unlock()
	nc, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return nil, false, err
	}
	c = &migrateConn{Conn: nc, rd: bufio.NewReader(nc), db: -1, busy: true}
	ms.mu.Lock()
	defer ms.mu.Unlock()
	if ms.conns == nil {
		ms.conns = make(map[string]*migrateConn)
	}
	if ms.conns[addr] != nil {
		return c, false, nil // a MIGRATE to addr runs already: a spare
	}
	if len(ms.conns) >= migrateSocketsMax {
		var idle []string
		for a, o := range ms.conns {
			if !o.busy {
				idle = append(idle, a)
			}
		}
		if len(idle) == 0 {
			return c, false, nil
		}
		victim := idle[rand.IntN(len(idle))]
		ms.conns[victim].Close()
		delete(ms.conns, victim)
	}
	c.cached = true
	ms.conns[addr] = c
	return c, false, nil
}

// put hands c back after a MIGRATE: kept when the exchange went well (ok)
// and c is cached, closed otherwise.
func (ms *migrateSockets) put(addr string, c *migrateConn, ok bool, now time.Time) {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	if ok && c.cached && !ms.closed {
		c.busy, c.lastUse = false, now
		return
	}
	c.Close()
	if c.cached {
		delete(ms.conns, addr)
	}
}

// closeIdle closes the connections unused for migrateSocketTTL.
func (ms *migrateSockets) closeIdle(now time.Time) {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	for addr, c := range ms.conns {
		if !c.busy && now.Sub(c.lastUse) > migrateSocketTTL {
			c.Close()
			delete(ms.conns, addr)
		}
	}
}

// closeAll closes the cached connections not in use, and the others as
// their MIGRATEs end (the server's Close).
func (ms *migrateSockets) closeAll() {
	ms.mu.Lock()
	ms.closed = true
	ms.mu.Unlock()
	ms.closeIdle(time.Now().Add(migrateSocketTTL + time.Second))
}

// count is INFO's migrate_cached_sockets.
func (ms *migrateSockets) count() int {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	return len(ms.conns)
}
