package server

import (
	"strings"
	"time"

	"github.com/cairn-db/cairn/protocol"
)

// Transactions: MULTI starts queueing, EXEC runs the queue as one store
// transaction (no other client's command runs in between), DISCARD drops
// it. WATCH (watch.go) makes EXEC fail when a watched key changed.

func multiCommands() []*Command {
	const std = FlagNoScript | FlagLoading | FlagStale
	return []*Command{
		cmd("multi", 1, std|FlagFast|FlagAllowBusy, cmdMulti),
		cmd("exec", 1, std|flagAtomic|FlagSkipSlowlog, cmdExec),
		cmd("discard", 1, std|FlagFast|FlagAllowBusy, cmdDiscard),
		keyCmd("watch", -2, std|FlagFast|FlagAllowBusy|flagAtomic, 1, -1, 1, cmdWatch),
		cmd("unwatch", 1, std|FlagFast|FlagAllowBusy, cmdUnwatch),
	}
}

// multiState is a client's open transaction.
type multiState struct {
	cmds   []queued
	bytes  int64 // the queued arguments' memory, for the client's
	failed bool  // a command was refused while queueing: EXEC aborts
}

type queued struct {
	cmd  *Command
	args [][]byte // kept from the reader's reuse (queue calls Keep)
}

// runsInMulti reports whether cmd runs at once inside MULTI instead of
// being queued, as Redis's processCommand decides.
func runsInMulti(cmd *Command) bool {
	if cmd == nil {
		return false
	}
	switch cmd.Name {
	case "exec", "discard", "multi", "watch", "quit", "reset":
		return cmd.parent == nil
	}
	return false
}

// queue adds a command to c's transaction, or refuses it (err from
// lookup, or a command not allowed in MULTI) and marks the transaction
// failed, so EXEC answers EXECABORT.
func (s *Server) queue(c *Client, cmd *Command, args [][]byte, err error) {
	if err == nil && cmd.Flags&FlagNoMulti != 0 {
		err = protocol.ErrCommandNotAllowed
	}
	if err != nil {
		// Refused while queued: counted as Redis's rejectCommand does.
		s.commandRejected(cmd)
	}
	if err != nil && protocol.EqualFold(args[0], "exec") {
		// A malformed EXEC ends the transaction at once, naming why:
		// Redis formats the message of a syntax error, but quotes a
		// shared error (BUSY…) whole, code included.
		c.setMulti(nil)
		s.unwatchAll(c)
		why := errorMessage(err)
		if err == errBusy || err == errBusyFunction {
			why = replyText(err)
		}
		msg := "EXECABORT Transaction discarded because of: " + why
		s.errorReplied(cmd, msg)
		c.ctx.Out.Error(msg)
		return
	}
	if err != nil {
		c.multi.failed = true
		msg := replyText(err)
		s.errorReplied(cmd, msg)
		c.ctx.Out.Error(msg)
		return
	}
	if c.multi.failed || c.dirty.Load() {
		// EXEC will not run it: as Redis's queueMultiCommand, answer
		// QUEUED but keep nothing (a pipeline may send many more).
		c.ctx.Out.Status("QUEUED")
		return
	}
	c.multi.cmds = append(c.multi.cmds, queued{cmd: cmd, args: args})
	shown := c.multiArgBytes.Load()
	for _, a := range args {
		c.multi.bytes += int64(len(a)) + queuedArgBytes
		shown += int64(len(a)) + 8 // Redis's argv_len_sum plus its robj pointers
	}
	c.multiArgBytes.Store(shown)
	c.multiShown.Store(int64(len(c.multi.cmds)) + 1)
	if c.conn != nil {
		c.conn.rd.Keep() // the reader would reuse the arguments' bytes
	}
	c.ctx.Out.Status("QUEUED")
}

// setMulti starts (m not nil) or ends c's transaction, and shows its
// queue to CLIENT LIST, which other goroutines run.
func (c *Client) setMulti(m *multiState) {
	c.multi = m
	c.multiArgBytes.Store(0)
	if m == nil {
		c.multiShown.Store(0)
	} else {
		c.multiShown.Store(1)
	}
}

// MULTI
func cmdMulti(c *Context) error {
	if c.Client.multi != nil {
		return protocol.ErrMultiNested
	}
	c.Client.setMulti(&multiState{})
	c.Out.OK()
	return nil
}

// DISCARD
func cmdDiscard(c *Context) error {
	if c.Client.multi == nil {
		return protocol.ErrDiscardNoMulti
	}
	c.Client.setMulti(nil)
	c.Server.unwatchAll(c.Client)
	c.Out.OK()
	return nil
}

// EXEC runs inside one store transaction (flagAtomic): the queued
// commands join it through Server.call, so together they are atomic and
// their records form one batch. A command that fails answers its error in
// its slot; the others still run, as in Redis.
func cmdExec(c *Context) error {
	cl := c.Client
	m := cl.multi
	if m == nil {
		return protocol.ErrExecWithoutMulti
	}
	// The queued commands run as commands of their own, not queued; but
	// CLIENT LIST shows the transaction until EXEC ends, as Redis's does.
	cl.multi = nil
	defer cl.setMulti(nil)
	s := c.Server
	if m.failed {
		s.unwatchAll(cl)
		return protocol.ErrExecAbort
	}
	s.expireWatched(c.Tx, cl)
	dirty := cl.dirty.Load()
	s.unwatchAll(cl) // the transaction's own writes must not count
	if dirty {
		c.Out.NullArray()
		return nil
	}
	c.Out.Array(len(m.cmds))
	// Blocking commands inside EXEC answer as their non-blocking forms.
	// (A Session's client never blocks: restore what it had.)
	noBlock := c.noBlock
	c.noBlock = true
	defer func() { c.noBlock = noBlock }()
	cl.inExec = true
	defer func() { cl.inExec = false }()
	for _, q := range m.cmds {
		// Each queued command counts as Redis counts it: in
		// commandstats, errorstats and the slow log (EXEC itself is
		// skip_slowlog).
		s.stats.commands.Add(1)
		start := monotonic()
		err := s.execAccess(cl, q.cmd, q.args)
		if err == nil {
			err = s.call(c, q.cmd, q.args)
		}
		s.commandDone(cl, q.cmd, q.args, start, err)
		if s.monitors.active.Load() > 0 { // each before EXEC's own line, as Redis
			s.feedMonitors(cl.DB(), cl.addr, q.cmd, q.args, time.Now())
		}
		if err != nil {
			msg := replyText(err)
			if _, counted := err.(countedError); !counted {
				s.errorReplied(q.cmd, msg)
			}
			c.Out.Error(msg)
		}
	}
	return nil
}

// errorMessage is an error reply's text without its code ("ERR ").
func errorMessage(err error) string {
	t := replyText(err)
	if i := strings.IndexByte(t, ' '); i > 0 {
		return t[i+1:]
	}
	return t
}
