package server

import (
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cairn-db/cairn/protocol"
)

// clientPause is CLIENT PAUSE's state. While a pause is in force a
// client's command that it covers waits, on the client's own goroutine,
// until CLIENT UNPAUSE or the pause's end: under ALL every command, under
// WRITE the commands that may write or that Redis replicates (EVAL,
// FCALL, PUBLISH, PFCOUNT…). A later pause only extends the end and
// widens WRITE to ALL, as Redis keeps the stricter of the two. The active
// expiry cycle waits too, and a command that meets an expired key sees it
// missing but leaves it in place (store.HoldExpiry), as Redis keeps the
// dataset constant during a pause: expired_keys does not move until the
// pause ends.
//
// An event loop hands a client whose batch holds a covered command to a
// goroutine first (mayWait). A command that read the flag just before a
// pause began runs: it is ordered before the pause, as a command Redis
// ran before CLIENT PAUSE.
type clientPause struct {
	on atomic.Bool // a pause is in force: the dispatcher's only check otherwise

	mu   sync.Mutex
	all  bool
	end  time.Time
	done chan struct{} // closed when the pause ends
	stop func() bool   // cancels the end's timer
	// held counts the clients the pause in force holds, for
	// blocked_clients. Its end zeroes it at once, as Redis unblocks them
	// all before it answers UNPAUSE, however soon each one runs.
	held int
}

// heldClients is the number of clients the pause in force holds.
func (p *clientPause) heldClients() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.held
}

// hold counts a client waiting on the pause whose channel is done, and
// reports false if that pause already ended.
func (p *clientPause) hold(done chan struct{}) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.on.Load() || p.done != done {
		return false
	}
	p.held++
	return true
}

// unhold uncounts a client that stops waiting (it left) while the pause
// whose channel is done is still in force.
func (p *clientPause) unhold(done chan struct{}) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.on.Load() && p.done == done {
		p.held--
	}
}

// pauseClients starts or extends a pause for d.
func (s *Server) pauseClients(d time.Duration, all bool) {
	p := &s.pause
	p.mu.Lock()
	defer p.mu.Unlock()
	now := s.clock.Now()
	end := now.Add(d)
	if p.on.Load() {
		p.all = p.all || all
		if !end.After(p.end) {
			return
		}
		p.stop()
	} else {
		p.all = all
		p.done = make(chan struct{})
	}
	p.end = end
	done := p.done
	p.stop = s.clock.AfterFunc(d, func() { s.endPause(done) })
	s.store.HoldExpiry(true)
	p.on.Store(true)
}

// endPause ends the pause whose channel is done, if it is still the one
// in force (CLIENT UNPAUSE passes the current one).
func (s *Server) endPause(done chan struct{}) {
	p := &s.pause
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.on.Load() || p.done != done {
		return
	}
	p.on.Store(false)
	s.store.HoldExpiry(false)
	p.held = 0
	p.stop()
	close(p.done)
}

// unpauseClients is CLIENT UNPAUSE.
func (s *Server) unpauseClients() {
	s.pause.mu.Lock()
	done := s.pause.done
	s.pause.mu.Unlock()
	s.endPause(done)
}

// pausedFor returns the channel to wait on when the pause in force covers
// the command line args, or nil.
func (s *Server) pausedFor(c *Client, cmd *Command, args [][]byte) chan struct{} {
	p := &s.pause
	if !p.on.Load() {
		return nil
	}
	p.mu.Lock()
	on, all, done := p.on.Load(), p.all, p.done
	p.mu.Unlock()
	if !on || !(all || s.mayReplicate(c, cmd, args)) {
		return nil
	}
	return done
}

// mayReplicate reports whether Redis would count the command as one that
// may change data or be replicated, which is what CLIENT PAUSE WRITE
// holds: write commands; EVAL, EVALSHA and FCALL unless their script or
// function declares no-writes; PUBLISH, SPUBLISH and PFCOUNT (which may
// rewrite its cache); and EXEC when it holds one of these.
func (s *Server) mayReplicate(c *Client, cmd *Command, args [][]byte) bool {
	if cmd.Flags&FlagWrite != 0 {
		return true
	}
	switch cmd.FullName() {
	case "publish", "spublish", "pfcount":
		return true
	case "eval":
		if flags, shebang, err := shebangFlags(args[1]); err == nil && shebang {
			return flags&fnNoWrites == 0
		}
		return true
	case "evalsha":
		if e := s.cachedScript(args[1]); e != nil && e.shebang {
			return e.flags&fnNoWrites == 0
		}
		return true
	case "fcall":
		if f := s.functions.lookup(args[1]); f != nil {
			return f.flags&fnNoWrites == 0
		}
		return true
	case "exec":
		if c.multi == nil {
			return false
		}
		for _, q := range c.multi.cmds {
			if s.mayReplicate(c, q.cmd, q.args) {
				return true
			}
		}
	}
	return false
}

// holdWhilePaused makes c's command wait while a pause covers it, and
// reports whether it waited. The replies of c's earlier commands leave
// first, as they would from Redis while the client is held.
func (s *Server) holdWhilePaused(c *Client, cmd *Command, args [][]byte) bool {
	done := s.pausedFor(c, cmd, args)
	if done == nil || c.conn.inLoop() || c.batch != nil {
		return false
	}
	// Counted before the earlier replies leave: a client that reads them
	// may look at blocked_clients next.
	if !s.pause.hold(done) {
		return false // the pause ended meanwhile
	}
	if s.ackDurable(c) != nil {
		s.pause.unhold(done)
		return true
	}
	c.releaseLoop()
	c.out.Flush()
	tick := time.NewTicker(disconnectPoll)
	defer tick.Stop()
	for {
		select {
		case <-done:
			// Released: it runs even if another pause began meanwhile,
			// as Redis runs the clients a pause held before it reads
			// new commands.
			return true
		case <-s.ctx.Done():
			s.pause.unhold(done)
			return true
		case <-tick.C:
			if peerClosed(c.netConn) {
				s.pause.unhold(done)
				c.quitting = true
				return true
			}
		}
	}
}

// CLIENT PAUSE timeout [WRITE|ALL]
func cmdClientPause(c *Context) error {
	all := true
	if len(c.Args) == 4 {
		switch {
		case protocol.EqualFold(c.Args[3], "write"):
			all = false
		case !protocol.EqualFold(c.Args[3], "all"):
			return protocol.Error("ERR CLIENT PAUSE mode must be WRITE or ALL")
		}
	} else if len(c.Args) > 4 {
		return protocol.ErrSubcommandArgs(c.Args[1], "client")
	}
	ms, ok := protocol.ParseInt(c.Args[2])
	switch {
	case !ok:
		return protocol.Error("ERR timeout is not an integer or out of range")
	case ms < 0:
		return protocol.Error("ERR timeout is negative")
	}
	// Durations past ~292 years do not fit; no pause outlives that.
	d := time.Duration(min(ms, math.MaxInt64/int64(time.Millisecond))) * time.Millisecond
	c.Server.pauseClients(d, all)
	c.Out.OK()
	return nil
}

// CLIENT UNPAUSE
func cmdClientUnpause(c *Context) error {
	c.Server.unpauseClients()
	c.Out.OK()
	return nil
}
