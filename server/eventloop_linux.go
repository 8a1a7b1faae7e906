package server

import (
	"encoding/binary"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/cairn-db/cairn/protocol"
	"github.com/cairn-db/cairn/store/pebblestore"
)

// eventLoop serves plain TCP clients the way Redis does: one epoll set,
// and for every client with bytes waiting, one read, its commands, and —
// after every ready client has run — one durability barrier and one write
// each. A goroutine per connection would also park and wake through Go's
// netpoller and make an extra read that finds the socket empty, for every
// request; at -P 1 that is a fifth of the server's CPU.
//
// A client whose next command may wait (a blocking pop, a script, MONITOR,
// SUBSCRIBE) or that is slow to take its replies leaves the loop for a
// goroutine of its own (serveConn) and stays there. TLS clients never
// enter a loop.
//
// On a durable engine the barrier runs in the loop, before the round's
// replies, as Redis writes (and under always fsyncs) its AOF before an
// iteration's replies: with the journal it is a copy into the segment's
// mapping (or one write(2)). Running it on
// a goroutine of its own while the round's clients parked cost more in
// hand-offs than it saved: 0.59 against 0.83 of Redis's SET rate at -P 1
// under always.
//
// The loop waits for its epoll set inside Go's netpoller (the set's
// descriptor is itself pollable), so it is an ordinary goroutine: no
// thread blocks in epoll_wait, and GOMAXPROCS 1 works.
type eventLoop struct {
	s      *Server
	epfd   int
	wakefd int      // eventfd: new clients, or closing
	poller *os.File // epfd, registered with Go's netpoller
	raw    syscall.RawConn

	mu       sync.Mutex
	incoming []*Client // accepted, not yet in the epoll set

	shrink  atomic.Bool       // shrinkIdle asked for a sweep of idle clients' buffers
	clients map[int32]*Client // by descriptor; only the loop touches it
	events  []unix.EpollEvent
	ready   []*Client // clients that ran this round: their replies go next
	waitFn  func(fd uintptr) bool
	nready  int
	waitErr error
}

// eventLoops spreads accepted clients over the loops.
type eventLoops struct {
	loops   []*eventLoop
	next    int // accept loops take turns; guarded by mu
	mu      sync.Mutex
	closing atomic.Bool // the server is closing and accepts no more clients
}

// startEventLoops starts n loops, or none when epoll is not available.
func (s *Server) startEventLoops(n int) {
	for range n {
		l, err := newEventLoop(s)
		if err != nil {
			s.log.Warn("event loop unavailable; serving clients from goroutines", "err", err)
			return
		}
		s.loops.loops = append(s.loops.loops, l)
		s.bg.Add(1)
		go func() {
			defer s.bg.Done()
			l.run()
		}()
	}
}

func newEventLoop(s *Server) (*eventLoop, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, err
	}
	wakefd, err := unix.Eventfd(0, unix.EFD_NONBLOCK|unix.EFD_CLOEXEC)
	if err != nil {
		unix.Close(epfd)
		return nil, err
	}
	ev := unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(wakefd)}
	if err := unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, wakefd, &ev); err != nil {
		unix.Close(epfd)
		unix.Close(wakefd)
		return nil, err
	}
	// Non-blocking, so os.NewFile registers it with the netpoller.
	if err := unix.SetNonblock(epfd, true); err != nil {
		unix.Close(epfd)
		unix.Close(wakefd)
		return nil, err
	}
	poller := os.NewFile(uintptr(epfd), "epoll")
	raw, err := poller.SyscallConn()
	if err != nil {
		poller.Close()
		unix.Close(wakefd)
		return nil, err
	}
	l := &eventLoop{s: s, epfd: epfd, wakefd: wakefd, poller: poller, raw: raw,
		clients: make(map[int32]*Client), events: make([]unix.EpollEvent, 128)}
	l.waitFn = l.pollReady
	return l, nil
}

// add queues an accepted client for the next round of a loop. It reports
// false when there is no loop to take it.
func (ls *eventLoops) add(c *Client) bool {
	return c.conn.sock != nil && ls.enqueue(c)
}

// rejoin hands a client that a loop gave a goroutine (handOff) back to a
// loop once its wait is over, so that its commands again run in the order
// they arrive among the loop's clients, as in Redis. It reports false when
// c must keep its goroutine: its output goes through an outbox (pub/sub,
// tracking), it has requests read but not run, or the server is closing.
func (ls *eventLoops) rejoin(c *Client) bool {
	cn := c.conn
	if cn.sock == nil || c.outbox != nil || cn.detached || cn.closed ||
		c.quitting || cn.rd.Buffered() > 0 || len(cn.sock.unsent) > 0 {
		return false
	}
	return ls.enqueue(c)
}

// enqueue gives c to the next loop in turn, for its next round, unless
// there is none or the server is closing.
func (ls *eventLoops) enqueue(c *Client) bool {
	if len(ls.loops) == 0 {
		return false
	}
	ls.mu.Lock()
	l := ls.loops[ls.next%len(ls.loops)]
	ls.next++
	ls.mu.Unlock()
	l.mu.Lock()
	defer l.mu.Unlock()
	if ls.closing.Load() || l.wakefd < 0 {
		return false
	}
	c.conn.sock.inLoop.Store(true)
	l.incoming = append(l.incoming, c)
	l.wake()
	return true
}

// close tells the loops to end once their last client is gone. It is
// called after the last accept, so no client joins a loop after it.
func (ls *eventLoops) close() {
	ls.closing.Store(true)
	for _, l := range ls.loops {
		l.mu.Lock()
		l.wake()
		l.mu.Unlock()
	}
}

// shrinkIdle asks every loop to let go of the read buffers of its clients
// idle for more than 2 seconds, as Redis's clientsCronResizeQueryBuffer
// frees an idle client's query buffer. (A client served by a goroutine of
// its own keeps its buffer: that goroutine is parked in a read of it.)
func (ls *eventLoops) shrinkIdle() {
	for _, l := range ls.loops {
		l.shrink.Store(true)
		l.mu.Lock()
		l.wake()
		l.mu.Unlock()
	}
}

// sweepIdle is shrinkIdle's work, in the loop's goroutine, which owns its
// clients' readers.
func (l *eventLoop) sweepIdle() {
	now := l.s.clock.Now().UnixMilli()
	for _, c := range l.clients {
		if now-c.lastInteraction.Load() > 2000 {
			c.conn.rd.Shrink()
			c.noteQueryBuf(false)
		}
	}
}

// wake interrupts the loop's wait; l.mu is held, so the loop cannot have
// closed the descriptor.
func (l *eventLoop) wake() {
	if l.wakefd < 0 {
		return
	}
	var one [8]byte
	binary.NativeEndian.PutUint64(one[:], 1)
	unix.Write(l.wakefd, one[:])
}

// run is the loop's goroutine. It ends once the server is closing and its
// last client is gone.
func (l *eventLoop) run() {
	defer l.poller.Close()
	defer func() {
		l.mu.Lock()
		unix.Close(l.wakefd)
		l.wakefd = -1
		l.mu.Unlock()
	}()
	wakefd := int32(l.wakefd)
	pending := 0 // events taken by the last round's drain, not yet served
	for {
		n, err := pending, error(nil)
		if pending == 0 {
			n, err = l.wait()
		}
		pending = 0
		if err != nil {
			l.s.log.Error("event loop failed; closing its clients", "err", err)
			for _, c := range l.clients {
				l.drop(c)
			}
			return
		}
		for _, ev := range l.events[:n] {
			if ev.Fd == wakefd {
				l.admit()
				if l.shrink.Swap(false) {
					l.sweepIdle()
				}
				continue
			}
			if c := l.clients[ev.Fd]; c != nil {
				l.serve(c)
			}
		}
		fsynced, barrierErr := l.barrier()
		// Level-triggered epoll puts every descriptor it reported back on
		// its ready list, ahead of any that becomes ready later. Polled
		// now, before the replies leave, this round's clients drop off
		// it (they have nothing new), so what arrives once the replies
		// are out is served in arrival order, as Redis serves it: a client
		// that gets its reply and then sends a command right after
		// another client's command cannot overtake it.
		if len(l.ready) > 0 && l.pollReady(uintptr(l.epfd)) && l.waitErr == nil {
			pending = l.nready
		}
		l.reply(barrierErr)
		if fsynced {
			// The round waited for the disk (appendfsync always): poll
			// again, so that the next round also takes the commands that
			// came while the replies went out, after those polled above
			// (still first on the ready list), as Redis's next epoll_wait
			// does. Each round costs an fsync; the fewer, the faster.
			pending = 0
		}
		if l.s.loops.closing.Load() && len(l.clients) == 0 && l.idle() {
			return
		}
	}
}

// wait returns the number of events ready, parking the goroutine in the
// netpoller while there are none.
func (l *eventLoop) wait() (int, error) {
	if err := l.raw.Read(l.waitFn); err != nil {
		return 0, err
	}
	return l.nready, l.waitErr
}

// pollReady is the RawConn callback: it takes the ready events without
// blocking, and reports whether there were any (false: park until the
// epoll descriptor becomes readable).
func (l *eventLoop) pollReady(fd uintptr) bool {
	// With a zero timeout epoll_wait never blocks: the raw call spares the
	// scheduler's system-call bookkeeping (see rawRead).
	n, _, e := unix.RawSyscall6(unix.SYS_EPOLL_PWAIT, fd, uintptr(unsafe.Pointer(&l.events[0])), uintptr(len(l.events)), 0, 0, 0)
	var err error
	if e != 0 && e != unix.EINTR {
		err = e
	}
	if e != 0 {
		n = 0
	}
	l.nready, l.waitErr = int(n), err
	return n > 0 || err != nil
}

// idle reports whether no accepted client waits to join the loop.
func (l *eventLoop) idle() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.incoming) == 0
}

// admit adds the queued clients to the epoll set.
func (l *eventLoop) admit() {
	var buf [8]byte
	unix.Read(l.wakefd, buf[:])
	l.mu.Lock()
	in := l.incoming
	l.incoming = nil
	l.mu.Unlock()
	for _, c := range in {
		fd := socketFD(c.conn.nc) // -1 once closed
		ev := unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLRDHUP, Fd: int32(fd)}
		if fd < 0 || unix.EpollCtl(l.epfd, unix.EPOLL_CTL_ADD, fd, &ev) != nil {
			l.s.disconnect(c) // closed before it joined
			continue
		}
		c.conn.sock.loopFD = int32(fd)
		l.clients[int32(fd)] = c
	}
}

// serve reads what client c sent and runs it. Its replies wait in its
// buffer for the end of the round (reply).
func (l *eventLoop) serve(c *Client) {
	cn := c.conn
	cmds, err := cn.rd.ReadBatch()
	if err == protocol.ErrWouldBlock {
		return
	}
	if waits, blocking := mayWait(c, cmds); waits {
		l.handOff(c, cmds, err, blocking)
		return
	}
	if !l.s.runBatch(c, cmds, err) {
		l.drop(c)
		return
	}
	l.ready = append(l.ready, c)
}

// mayWait reports whether a command of the batch may wait for something
// (another client, a timeout, a script, the end of a CLIENT PAUSE, an
// injected fault's delay): it must not hold up the loop. blocking says
// the only commands that may wait are blocking ones (BLPOP, XREAD BLOCK
// …): they must block in the order they came, before the loop runs the
// round's next client (see handOff).
func mayWait(c *Client, cmds [][][]byte) (waits, blocking bool) {
	paused := c.srv.pause.on.Load()
	if c.srv.faults.delays.Load() > 0 {
		return true, false // an injected fault may delay any command
	}
	blocking = true
	for _, args := range cmds {
		if len(args) == 0 {
			continue
		}
		cmd := c.lookup(args[0])
		if cmd == nil {
			continue
		}
		if cmd.Subcommands != nil && len(args) > 1 && !cmd.waits {
			if sub := cmd.subcommand(args[1]); sub != nil {
				cmd = sub
			}
		}
		if paused && cmd.arityOK(len(args)) && c.srv.pausedFor(c, cmd, args) != nil {
			return true, false
		}
		if cmd.waits {
			waits = true
			blocking = blocking && cmd.Flags&FlagBlocking != 0
		}
	}
	return waits, waits && blocking
}

// barrier makes the writes of the round's clients durable, once for
// all of them, before their replies go out. It reports whether it
// waited for an fsync.
func (l *eventLoop) barrier() (fsynced bool, err error) {
	for _, c := range l.ready {
		if c.needFlush {
			return l.s.engine != nil && l.s.engine.Mode() == pebblestore.SyncAlways, l.s.flushStore()
		}
	}
	return false, nil
}

// reply sends the round's clients their replies; err is the barrier's,
// which fails those whose writes it was to make durable.
func (l *eventLoop) reply(err error) {
	for _, c := range l.ready {
		if c.needFlush {
			c.needFlush = false
			if err != nil {
				l.s.writeFailed(c, err) // the shutdown brings the client's end
				continue
			}
		}
		l.send(c)
	}
	clear(l.ready)
	l.ready = l.ready[:0]
}

// send writes c's buffered replies.
func (l *eventLoop) send(c *Client) {
	cn := c.conn
	if cn.wr.Flush() != nil {
		l.drop(c)
		return
	}
	c.noteMem() // unsent bytes, or a large reply buffer let go
	if cn.sock.stalled() {
		l.handOff(c, nil, nil, false)
	}
}

// leave takes c out of the epoll set. (If c's connection is closed
// already, so is its registration; the descriptor's number may belong to
// a new connection by now, but not one in this set: only this goroutine
// adds to it.)
func (l *eventLoop) leave(c *Client) {
	fd := c.conn.sock.loopFD
	unix.EpollCtl(l.epfd, unix.EPOLL_CTL_DEL, int(fd), nil)
	delete(l.clients, fd)
}

// drop ends c's connection.
func (l *eventLoop) drop(c *Client) {
	l.leave(c)
	if !c.conn.detached {
		l.s.disconnect(c)
	}
	c.conn.letGo()
}

// handOff moves c to a goroutine of its own, which runs cmds (the batch
// just read, with the read's error) and serves the client from then on.
// With ordered, the loop waits until the goroutine has run the batch or
// is about to wait (releaseLoop): a blocking command then runs, and joins
// its keys' queues, before the commands of the clients after it in the
// round, as in Redis, where the first client to block is served first.
func (l *eventLoop) handOff(c *Client, cmds [][][]byte, err error, ordered bool) {
	l.leave(c)
	sock := c.conn.sock
	sock.inLoop.Store(false)
	var turn chan struct{}
	if ordered {
		turn = make(chan struct{})
		c.loopTurn = turn
	}
	go func() {
		if werr := sock.sendUnsent(); werr != nil {
			c.releaseLoop()
			l.s.disconnect(c)
			return
		}
		c.noteMem()
		l.s.serveConn(c, cmds, err)
	}()
	if turn != nil {
		<-turn
	}
}
