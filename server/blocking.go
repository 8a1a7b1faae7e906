package server

import (
	"io"
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tidwall/redcon"

	"github.com/cairn-db/cairn/protocol"
	"github.com/cairn-db/cairn/store"
)

// Blocking commands (BLPOP, BLMOVE, BZPOPMIN, XREAD BLOCK …) share this
// framework. A handler first tries to serve at once; when nothing is
// available it calls Context.Block, which registers a waiter on each key
// while the keyspace lock is still held, so no push can slip between the
// check and the registration. The connection's goroutine then waits, after
// the transaction ends and the lock is released.
//
// Writers hand elements over inside their own transaction: the store calls
// the server's KeysReady at the end of every Update with the keys that
// received data, and the waiters on each key are served in the order they
// blocked, each by its ServeFunc, until one finds nothing to take. So a
// push of N elements serves at most N clients, and nobody else can pop an
// element between the push and the hand-off.
//
// Only the connection's goroutine may write to its reply buffer, so a
// ServeFunc running on the writer's goroutine writes the reply into the
// waiter's private writer; the waiting goroutine copies it out.

// ServeFunc tries to serve a blocked client from key, under the keyspace
// lock; it writes the reply to out and returns true when served, false to
// keep waiting (writing nothing). Waiters on a key are offered it in the
// order they blocked; after a false the next waiter is tried while the key
// still exists.
type ServeFunc func(tx *store.Tx, key []byte, out *protocol.Writer) bool

// CanBlock reports whether this command may block: false inside
// MULTI/EXEC and scripts, where the handler answers as the non-blocking
// form would (usually the timeout reply).
func (c *Context) CanBlock() bool { return !c.noBlock }

// Block parks the client on keys until serve succeeds for one of them,
// the timeout (ms, 0 = forever, on the server's Clock) passes — then
// timeoutReply is written — or the client is unblocked (CLIENT UNBLOCK),
// disconnects, or the server closes. The handler calls it inside its
// transaction, after finding nothing to serve, and returns nil without
// writing a reply; the wait happens once the transaction has ended.
// Without CanBlock, Block writes timeoutReply at once. A wait on no keys
// (WAIT) ends only by the timeout, CLIENT UNBLOCK or the client leaving.
func (c *Context) Block(keys [][]byte, timeoutMs int64, serve ServeFunc, timeoutReply func(*protocol.Writer)) {
	if !c.CanBlock() || (c.Tx == nil && len(keys) > 0) {
		timeoutReply(c.Out)
		return
	}
	s := c.Server
	db := c.Client.DB() // a wait on no keys runs without a transaction
	if c.Tx != nil {
		db = c.Tx.DB()
	}
	w := &waiter{
		client:       c.Client,
		db:           db,
		serve:        serve,
		timeoutReply: timeoutReply,
		done:         make(chan struct{}),
		start:        time.Now(),
	}
	w.raw = redcon.NewWriter(io.Discard)
	w.out = protocol.NewWriter(w.raw)
	w.out.SetProto(c.Out.Proto())
	for _, k := range keys {
		w.keys = append(w.keys, string(k))
	}
	var timeout time.Duration
	// A timeout beyond what a Duration holds (292 years) is forever.
	if timeoutMs > 0 && timeoutMs <= math.MaxInt64/int64(time.Millisecond) {
		timeout = time.Duration(timeoutMs) * time.Millisecond
	}
	s.blocking.add(w, s.clock, timeout)
	c.blocked = w
}

// waitState is where a waiter's story ended. It moves once, from
// waitWaiting, under blocking.mu.
type waitState uint8

const (
	waitWaiting waitState = iota
	waitServed
	waitTimedOut
	waitUnblockedError // CLIENT UNBLOCK … ERROR
	waitGone           // disconnected or server closing: no reply
)

// waiter is one blocked command.
type waiter struct {
	client       *Client
	db           int
	keys         []string
	serve        ServeFunc
	timeoutReply func(*protocol.Writer)
	raw          *redcon.Writer
	out          *protocol.Writer // the reply a ServeFunc wrote
	done         chan struct{}    // closed when state leaves waitWaiting
	state        waitState
	stopTimer    func() bool
	start        time.Time
}

// waitKey names a key in a database.
type waitKey struct {
	db  int
	key string
}

// blocking is the registry of waiters: a FIFO queue per key and the waiter
// of each blocked client. Lock order: the keyspace lock, then mu.
type blocking struct {
	mu       sync.Mutex
	queues   map[waitKey][]*waiter
	byClient map[int64]*waiter
	count    atomic.Int64 // blocked clients
	timed    atomic.Int64 // of which with a timeout (clients_in_timeout_table)
}

// add registers w and starts its timer (none when timeout is 0). Both
// happen under mu, before the blocked count moves, so whoever sees the
// client counted as blocked (a test about to FastForward) also finds its
// timer armed.
func (b *blocking) add(w *waiter, clock store.Clock, timeout time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.queues == nil {
		b.queues = make(map[waitKey][]*waiter)
		b.byClient = make(map[int64]*waiter)
	}
	for _, k := range w.keys {
		wk := waitKey{w.db, k}
		q := b.queues[wk]
		if len(q) > 0 && q[len(q)-1] == w {
			continue // a key named twice
		}
		b.queues[wk] = append(q, w)
	}
	b.byClient[w.client.ID] = w
	if timeout > 0 {
		w.stopTimer = clock.AfterFunc(timeout, func() { b.finish(w, waitTimedOut) })
		b.timed.Add(1)
	}
	b.count.Add(1)
}

// finish ends w's wait with state st unless it already ended; it reports
// whether it did.
func (b *blocking) finish(w *waiter, st waitState) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.finishLocked(w, st)
}

func (b *blocking) finishLocked(w *waiter, st waitState) bool {
	if w.state != waitWaiting {
		return false
	}
	w.state = st
	for _, k := range w.keys {
		wk := waitKey{w.db, k}
		q := b.queues[wk]
		for i, x := range q {
			if x == w {
				q = append(q[:i], q[i+1:]...)
				break
			}
		}
		if len(q) == 0 {
			delete(b.queues, wk)
		} else {
			b.queues[wk] = q
		}
	}
	delete(b.byClient, w.client.ID)
	b.count.Add(-1)
	if w.stopTimer != nil {
		w.stopTimer()
		b.timed.Add(-1)
	}
	close(w.done)
	return true
}

// serveKey hands key's data to its waiters in the order they blocked. A
// waiter whose ServeFunc declines keeps waiting and the next one is tried,
// as long as the key exists: a list or sorted set that ran out is deleted,
// which ends the round at once, while a stream stays and every XREAD
// waiter gets its chance. It runs under the keyspace lock, in tx.
func (b *blocking) serveKey(tx *store.Tx, db int, key string, track *tracking) {
	b.mu.Lock()
	defer b.mu.Unlock()
	wk := waitKey{db, key}
	if len(b.queues[wk]) == 0 {
		return
	}
	kb := []byte(key)
	prev := tx.DB()
	tx.Use(db)
	defer tx.Use(prev)
	for i := 0; ; {
		q := b.queues[wk]
		if i >= len(q) {
			return
		}
		w := q[i]
		// A client that hung up must not take an element with it.
		if peerClosed(w.client.netConn) {
			b.finishLocked(w, waitGone) // removes w: q[i] is the next one
			continue
		}
		// The served command's own changes (BLMOVE's push) are its
		// client's: their invalidations follow its reply, as in Redis.
		cur := track.current
		track.current = w.client
		served := w.serve(tx, kb, w.out)
		track.current = cur
		if served {
			b.finishLocked(w, waitServed)
			continue
		}
		w.raw.SetBuffer(nil)
		if !tx.Has(kb) {
			return
		}
		i++
	}
}

// keysIn lists the keys of db that have waiters.
func (b *blocking) keysIn(db int) []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for wk := range b.queues {
		if wk.db == db {
			out = append(out, wk.key)
		}
	}
	return out
}

// unblock ends the wait of client id as CLIENT UNBLOCK does.
func (b *blocking) unblock(id int64, withError bool) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	w := b.byClient[id]
	if w == nil {
		return false
	}
	st := waitTimedOut
	if withError {
		st = waitUnblockedError
	}
	return b.finishLocked(w, st)
}

// isBlocked reports whether client id is waiting.
func (b *blocking) isBlocked(id int64) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.byClient[id] != nil
}

// disconnectPoll is how often a waiting connection checks that its peer
// is still there: its loop does not read the socket while a handler runs.
const disconnectPoll = 50 * time.Millisecond

// wait runs on the connection's goroutine after the transaction in which
// the handler called Block: it flushes earlier pipelined replies, waits
// for the waiter's end and writes the reply, or returns the error to
// reply (CLIENT UNBLOCK … ERROR, XREADGROUP's stream or group gone), which
// counts as the command's failure.
func (s *Server) wait(c *Context, w *waiter) error {
	c.Client.releaseLoop() // the waiter is in its keys' queues: the round goes on
	// CLIENT LIST shows a blocked client's command as argv, no longer as
	// query buffer, as Redis does once the command blocked; the argv
	// figure, stored last, is also what shows the client blocked (b).
	if c.Client.conn != nil {
		c.Client.noteQueryBuf(false)
	}
	c.Client.blockedArgv.Store(argvBytes(c.Args))
	defer c.Client.blockedArgv.Store(0)
	// Earlier pipelined writes are made durable before their replies
	// leave (appendfsync always), as at the end of any pipeline.
	if s.ackDurable(c.Client) != nil {
		s.blocking.finish(w, waitGone)
		return nil
	}
	c.Client.out.Flush()
	gone, stopWatch := watchHangup(c.Client.netConn)
	tick := time.NewTicker(disconnectPoll)
	defer tick.Stop()
wait:
	for {
		select {
		case <-w.done:
			break wait
		case <-s.ctx.Done():
			s.blocking.finish(w, waitGone)
		case <-gone:
			s.blocking.finish(w, waitGone)
		case <-tick.C:
			if peerClosed(c.Client.netConn) {
				s.blocking.finish(w, waitGone)
			}
		}
	}
	stopWatch()
	s.recordBlockedWait(c, time.Since(w.start))
	switch w.state {
	case waitServed:
		// The pop was committed by the pushing client's transaction; the
		// reply waits for the same durability barrier as our own writes.
		c.Client.needFlush = s.engine != nil
		if b := w.raw.Buffer(); len(b) > 0 && b[0] == '-' {
			// An error the wait ended with (XREADGROUP's stream or group
			// gone) is the command's error: it counts in errorstats and
			// failed_calls, as Redis's updateStatsOnUnblock.
			return protocol.Error(strings.TrimSuffix(string(b[1:]), "\r\n"))
		}
		c.Out.Raw(w.raw.Buffer())
	case waitTimedOut:
		w.timeoutReply(c.Out)
	case waitUnblockedError:
		return protocol.ErrUnblocked
	case waitGone:
		c.Client.quitting = true
	}
	return nil
}
