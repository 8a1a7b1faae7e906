package server

import (
	"sync"
	"time"

	"github.com/tidwall/redcon"
)

// outbox is a subscriber's outbound queue. Publishers append to it and
// return at once; the subscriber's own writer goroutine sends what is
// queued. So a slow subscriber delays nobody but itself, and when its
// queue passes the pubsub output limit (client-output-buffer-limit) it is
// disconnected, as Redis does.
//
// Once a client has an outbox, its command replies go through it too
// (the connection's protocol.Writer is retargeted to it), so replies and
// messages leave in the order they were produced.
type outbox struct {
	c       *Client
	mu      sync.Mutex
	buf     []byte // queued bytes
	flying  int    // bytes being written right now
	over    time.Time
	closed  bool
	counted int64         // the bytes last added to the client's memory
	wake    chan struct{} // 1-slot: something was queued, or closed
	idle    *sync.Cond    // signalled when the queue drains
}

// startOutbox switches c to queued output and starts its writer. Replies
// produced earlier in the same pipeline are sent first.
func (s *Server) startOutbox(c *Client) {
	if c.outbox != nil {
		return
	}
	c.out.Flush()
	o := &outbox{c: c, wake: make(chan struct{}, 1)}
	o.idle = sync.NewCond(&o.mu)
	c.outbox = o
	c.box.Store(o)
	c.out.Retarget(redcon.NewWriter(o))
	s.outboxes.Add(1)
	go func() {
		defer s.outboxes.Done()
		o.run()
	}()
}

// flushQueued moves the replies of the command that just ran into the
// client's queue, behind any messages already there.
func (c *Client) flushQueued() {
	if c.outbox != nil {
		c.out.Flush()
	}
}

// Write queues a reply written by the client's own goroutine.
func (o *outbox) Write(p []byte) (int, error) {
	o.push(p)
	return len(p), nil
}

// push queues bytes for the client, enforcing the pubsub output limit.
// It never blocks on the network.
func (o *outbox) push(p []byte) {
	if len(p) == 0 {
		return
	}
	o.mu.Lock()
	if o.closed {
		o.mu.Unlock()
		return
	}
	o.buf = append(o.buf, p...)
	if o.checkLimit() {
		o.mu.Unlock()
		o.limitClose()
		return
	}
	select { // under o.mu, so close cannot close wake meanwhile
	case o.wake <- struct{}{}:
	default:
	}
	// Bytes queued while the writer is idle are about to leave, as Redis
	// writes replies before it runs the next command: they count once
	// the writer is busy with an earlier write (a slow client). Counted
	// at once, the invalidations a key eviction queues would make the
	// next command evict more keys before the writers ran.
	var d int64
	if o.flying > 0 {
		d = o.recount()
	}
	o.mu.Unlock()
	// A publisher may hold locks that client eviction takes: it runs in
	// a goroutine of its own.
	o.c.srv.addMem(o.c, d, true)
}

// recount brings counted up to date with the queue and returns the
// change, for the client's memory; o.mu is held.
func (o *outbox) recount() int64 {
	n := o.pendingLocked()
	d := n - o.counted
	o.counted = n
	return d
}

// checkLimit reports whether the queue is over the hard limit, or has been
// over the soft limit for longer than allowed: the pubsub class's while
// the client is subscribed, else (a tracking client) the normal class's,
// as Redis classes clients. o.mu is held.
func (o *outbox) checkLimit() bool {
	l := o.c.srv.hot.pubsubLimit.Load()
	if !o.c.subs.active() {
		l = o.c.srv.limits.outNormal.Load()
	}
	n := o.pendingLocked()
	if l.hard > 0 && n >= l.hard {
		return true
	}
	if l.soft == 0 || n < l.soft {
		o.over = time.Time{}
		return false
	}
	now := o.c.srv.clock.Now()
	if o.over.IsZero() {
		o.over = now
		return false
	}
	return now.Sub(o.over) >= time.Duration(l.softSeconds)*time.Second
}

// cronCheck is the output limit check Redis's clientsCron makes of every
// client: a queue over the soft limit for longer than allowed closes the
// client though nothing more is queued for it.
func (o *outbox) cronCheck() {
	o.mu.Lock()
	over := !o.closed && o.checkLimit()
	o.mu.Unlock()
	if over {
		o.limitClose()
	}
}

// limitClose closes the client of a queue over its limit.
func (o *outbox) limitClose() {
	o.c.srv.stats.limitKills.Add(1)
	o.c.srv.log.Warn("client closed for overcoming of output buffer limits", "id", o.c.ID, "addr", o.c.addr)
	o.c.srv.stopCounting(o.c)
	o.close()
	o.c.kill()
}

// pendingLocked is the bytes queued or being written; o.mu is held.
func (o *outbox) pendingLocked() int64 { return int64(len(o.buf) + o.flying) }

// pending is the bytes queued or being written: CLIENT LIST's omem.
func (o *outbox) pending() int64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.pendingLocked()
}

// run sends queued bytes until the outbox is closed.
func (o *outbox) run() {
	var out []byte
	for range o.wake {
		for {
			o.mu.Lock()
			if o.closed {
				o.mu.Unlock()
				return
			}
			if len(o.buf) == 0 {
				o.idle.Broadcast()
				o.mu.Unlock()
				break
			}
			out, o.buf = o.buf, out[:0]
			o.flying = len(out)
			o.mu.Unlock()
			_, err := o.c.netConn.Write(out)
			o.mu.Lock()
			o.flying = 0
			d := o.recount()
			o.mu.Unlock()
			o.c.srv.addMem(o.c, d, true)
			if err != nil {
				o.close()
				return
			}
		}
	}
}

// drain waits (at most timeout) until everything queued was sent, so QUIT
// can answer before the connection closes.
func (o *outbox) drain(timeout time.Duration) {
	done := make(chan struct{})
	go func() {
		o.mu.Lock()
		for !o.closed && (len(o.buf) > 0 || o.flying > 0) {
			o.idle.Wait()
		}
		o.mu.Unlock()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(timeout):
		o.close()
	}
}

// close stops the writer and drops whatever is queued.
func (o *outbox) close() {
	o.mu.Lock()
	if !o.closed {
		o.closed = true
		o.buf = nil
		close(o.wake)
		o.idle.Broadcast()
	}
	o.mu.Unlock()
}
