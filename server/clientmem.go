package server

import (
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"
)

// Clients' memory, as Redis 7 counts it: each client's query buffer and
// argument buffers, its reply buffer, the replies it has not taken yet
// (a stalled socket's unsent bytes, a subscriber's queue), its MULTI
// queue, and its watched keys, subscriptions and tracking prefixes. The
// sum is INFO's mem_clients_normal and part of used_memory, so maxmemory
// evicts keys when clients bloat memory; over maxmemory-clients the
// clients using the most are disconnected (client eviction).
//
// Each client publishes its figure in Client.mem, and the server keeps
// the total. The figure is updated where the buffers change and only by
// the change: the client's own goroutine (or loop) when a batch starts
// and ends, when a partial request grows, and after a send (noteMem);
// the outbox when it queues or sends (outbox.recount). In steady state
// (GET/SET through the loop) the figures do not change and no atomic is
// written. A client that is being freed (disconnected, evicted, killed
// for its output limit) stops counting at once: its figure becomes -1 and
// later changes are dropped.
type clientMem struct {
	total   atomic.Int64 // the sum of the live clients' figures
	limit   atomic.Int64 // maxmemory-clients in bytes; 0: no client eviction
	evicted atomic.Int64 // evicted_clients
	// evicting is held by evictClients: a command waits for an eviction
	// running to finish, so it sees the clients it leaves.
	evicting sync.Mutex
	queued   atomic.Bool // an eviction for an outbox's growth is on its way
}

// Estimates of per-client state's cost beyond its bytes: a map or slice
// entry and its headers.
const (
	watchEntryBytes  = int64(unsafe.Sizeof(watchKey{})) + 64 // the client's entry and the registry's
	subEntryBytes    = 64                                    // the client's map entry and the registry's
	prefixEntryBytes = 64                                    // the client's slice entry and the table's
	queuedArgBytes   = 24                                    // a queued command's argument header
)

// addMem adds delta to c's figure and to the total, unless c no longer
// counts; over maxmemory-clients it evicts clients (in a goroutine of
// its own when async: the caller may hold locks evictClients takes).
func (s *Server) addMem(c *Client, delta int64, async bool) {
	for {
		v := c.mem.Load()
		if v < 0 {
			return
		}
		if c.mem.CompareAndSwap(v, v+delta) {
			break
		}
	}
	total := s.clientMem.total.Add(delta)
	if delta <= 0 {
		return
	}
	if limit := s.clientMem.limit.Load(); limit > 0 && total > limit {
		if !async {
			s.evictClients()
		} else if s.clientMem.queued.CompareAndSwap(false, true) {
			// One goroutine at a time, however fast the queue grows.
			go func() {
				s.clientMem.queued.Store(false)
				s.evictClients()
			}()
		}
	}
}

// stopCounting takes c's memory out of the total, for good; it reports
// false when that was done already.
func (s *Server) stopCounting(c *Client) bool {
	v := c.mem.Swap(-1)
	if v < 0 {
		return false
	}
	s.clientMem.total.Add(-v)
	return true
}

// clientMemory is c's figure: CLIENT LIST's tot-mem.
func clientMemory(c *Client) int64 { return max(c.mem.Load(), 0) }

// noteMem brings the part of c's figure its own goroutine (or loop) owns
// up to date: everything but the outbox's queue. Only that goroutine
// calls it.
func (c *Client) noteMem() {
	cn := c.conn
	n := int64(cn.rd.Held() + c.out.Held())
	var out int64 // CLIENT LIST's omem, as Redis's reply list: beyond its 16 KiB buffer
	if b := c.out.Buffered(); b > replyChunk {
		out = int64(b)
	}
	if cn.sock != nil {
		unsent := int64(cn.sock.unsentLen())
		n += unsent
		out += unsent
	}
	if out != c.omemOwn {
		c.omemOwn = out
		c.omem.Store(out)
	}
	if c.multi != nil {
		n += c.multi.bytes
	}
	n += c.held
	if n != c.memOwn {
		d := n - c.memOwn
		c.memOwn = n
		c.srv.addMem(c, d, false)
	}
}

// replyChunk is Redis's PROTO_REPLY_CHUNK_BYTES: the reply buffer every
// client has, which CLIENT LIST's omem leaves out.
const replyChunk = 16 * 1024

// hold adds n bytes of state (watched keys, subscriptions, tracking
// prefixes) to c's figure at its next noteMem. Only c's goroutine calls it.
func (c *Client) hold(n int64) { c.held += n }

// overClientLimit reports whether clients use more than
// maxmemory-clients: two atomic loads, for the check before each command.
func (s *Server) overClientLimit() bool {
	limit := s.clientMem.limit.Load()
	return limit > 0 && s.clientMem.total.Load() > limit
}

// evictClients disconnects the evictable clients using the most memory
// until clients use no more than maxmemory-clients, as Redis's
// evictClients: clients with CLIENT NO-EVICT on are never chosen. An
// evicted client stops counting at once, so the next one is chosen
// against the total without it.
func (s *Server) evictClients() {
	if !s.overClientLimit() {
		return
	}
	s.clientMem.evicting.Lock()
	defer s.clientMem.evicting.Unlock()
	type candidate struct {
		c   *Client
		mem int64
	}
	var cands []candidate
	s.clients.each(func(c *Client) {
		if m := c.mem.Load(); m > 0 && !c.noEvict.Load() {
			cands = append(cands, candidate{c, m})
		}
	})
	slices.SortFunc(cands, func(a, b candidate) int { return int(b.mem - a.mem) })
	for _, cand := range cands {
		if !s.overClientLimit() {
			return
		}
		line := s.clientLine(cand.c, false)
		if !s.stopCounting(cand.c) {
			continue // freed meanwhile
		}
		s.clientMem.evicted.Add(1)
		s.log.Info("Evicting client: " + line)
		cand.c.kill()
	}
}

// clientMemLimit is maxmemory-clients in bytes: its value, or its
// percentage of maxmemory (none without maxmemory), as Redis's
// getClientEvictionLimit.
func clientMemLimit(v string, maxMemory int64) int64 {
	var limit int64
	if p, ok := strings.CutSuffix(v, "%"); ok {
		n, _ := strconv.ParseInt(p, 10, 64)
		limit = maxMemory * n / 100
	} else {
		limit, _ = strconv.ParseInt(v, 10, 64)
	}
	if limit <= 0 {
		return 0
	}
	// As Redis: never below 128 KiB, so a too small setting cannot cut
	// every client off, the one that would fix it among them.
	return max(limit, minClientMemLimit)
}

// minClientMemLimit is Redis's floor for maxmemory-clients in effect.
const minClientMemLimit = 128 << 10
