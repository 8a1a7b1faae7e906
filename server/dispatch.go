package server

import (
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"time"

	"github.com/tidwall/redcon"

	"github.com/cairn-db/cairn/protocol"
	"github.com/cairn-db/cairn/store"
)

// serveRESP runs one request of a connection's batch (conn.go).
func (s *Server) serveRESP(c *Client, args [][]byte) {
	if c.quitting {
		return
	}
	if c.outbox == nil && c.wantBox.Load() { // a tracking redirect target
		s.startTargetOutbox(c)
	}
	if c.conn.Pipelined() > 0 && s.batchable(c, args) {
		s.servePipeline(c, args)
		return
	}
	s.execute(c, args)
	// The pipeline's replies leave when the loop flushes after its last
	// command: make its writes durable first, once for the whole pipeline.
	if c.conn.Pipelined() == 0 {
		s.settleReplies(c)
	}
}

// execute does the work every command shares — lookup, arity, auth, the
// transaction, error replies, panic recovery — around its handler.
func (s *Server) execute(c *Client, args [][]byte) {
	// As Redis's processCommand, clients go over maxmemory-clients before
	// a command runs, after the last one consumed buffers.
	if s.overClientLimit() {
		s.evictClients()
		if c.mem.Load() < 0 { // it evicted this client
			c.quitting = true
			return
		}
	}
	// Real time even under a manual clock: it measures work. Within a
	// batch the previous command's end is this one's start.
	start := c.clockMark
	if start == 0 {
		start = monotonic()
	}
	var now int64
	if s.realClock {
		now = monoStartMs + start.Milliseconds()
	} else {
		now = s.clock.Now().UnixMilli()
	}
	// Loads are plain reads; a pipeline's commands mostly share the
	// millisecond, so most skip the store's locked exchange.
	if c.lastInteraction.Load() != now {
		c.lastInteraction.Store(now)
	}
	s.stats.commands.Add(1)
	restore := c.applyReplyMode()
	defer restore()
	var cmd *Command
	if s.tracking.enabled.Load() {
		// Deferred first, so it runs after the reply is queued.
		defer func() { s.trackAfter(c, cmd) }()
	}
	defer c.flushQueued()
	ctx := &c.ctx
	cmd, err := s.resolve(c, args)
	if cmd != nil && cmd.waits {
		c.ranWaiting = true
	}
	if err == nil && s.pause.on.Load() && s.holdWhilePaused(c, cmd, args) {
		start = monotonic() // the wait is not the command's
		if c.quitting {
			return
		}
	}
	if fs := s.faults.list.Load(); fs != nil && err == nil && c.batch == nil {
		// Tests' injected faults (faults.go): one load when there are none.
		// (A pipeline runs unbatched while faults are installed; one
		// installed during its batch waits for the next.)
		if err = s.applyFaults(c, cmd, args, *fs); c.quitting {
			return // dropped: no reply
		}
	}
	switch {
	case c.multi != nil && (err != nil || !runsInMulti(cmd)):
		// As Redis's processCommand, a command refused now (a script
		// running past the busy threshold…) fails the transaction.
		if err == nil {
			err = s.admit(c, cmd)
		}
		if err == nil {
			err = s.oomOnQueue(cmd)
		}
		if err == nil {
			err = s.checkReplicas(c, cmd)
		}
		s.queue(c, cmd, args, err)
		return
	case err == nil:
		err = s.admit(c, cmd)
		if err != nil && c.multi != nil && cmd.Name == "exec" && cmd.parent == nil {
			// An EXEC refused (BUSY) aborts and ends the transaction,
			// as Redis's rejectCommand does (queue counts the rejection).
			s.queue(c, cmd, args, err)
			return
		}
	}
	if err == nil {
		err = s.checkWritable(cmd)
	}
	if err == nil {
		err = s.checkReplicas(c, cmd)
	}
	if err == nil {
		durable := s.engine != nil
		err = s.call(ctx, cmd, args)
		if durable && (cmd.Flags&FlagWrite != 0 || s.unflushed()) {
			// Also when any commit is not durable yet: it may be what this
			// command read, and, as in Redis, replies leave only after the
			// writes they may have seen.
			c.needFlush = true
		}
		if w := ctx.blocked; w != nil {
			ctx.blocked = nil
			if err == nil {
				err = s.wait(ctx, w)
				// A client that served this one committed the pop after
				// the barrier wait's flush ran: the reply waits for another.
				c.needFlush = durable
			} else {
				s.blocking.finish(w, waitGone)
			}
		}
		if errors.Is(err, store.ErrPersist) {
			s.writeFailed(c, err) // the reply is already buffered
			return
		}
		if errors.Is(err, ErrOOM) {
			// Refused before it ran, as by Redis's processCommand.
			s.commandRejected(cmd)
		} else {
			s.commandDone(c, cmd, args, start, err)
		}
		if s.monitors.active.Load() > 0 {
			s.feedMonitors(c.DB(), c.addr, cmd, args, monoStart.Add(start))
		}
	} else {
		s.commandRejected(cmd)
	}
	if err != nil {
		msg := replyText(err)
		if _, counted := err.(countedError); !counted {
			s.errorReplied(cmd, msg)
		}
		ctx.Out.Error(msg)
	}
	s.checkOutputLimit(c)
}

// admit applies the checks that depend on the client's state rather than
// on the command line: subscribed mode, and a script running.
func (s *Server) admit(c *Client, cmd *Command) error {
	if c.resp2Subscribed() && !allowedSubscribed(cmd) {
		return subscribedOnly(cmd)
	}
	if s.loading.Load() && !runsWhileLoading(cmd) {
		return errLoading
	}
	return s.waitScript(c, cmd)
}

// call runs one resolved command for ctx's client. It is the one path by
// which commands run: the dispatcher, EXEC and scripts all come through
// here, so every command gets the same transaction handling, statistics
// and panic recovery. When ctx.Tx is set (inside EXEC or a script) the
// command joins that transaction instead of opening its own.
func (s *Server) call(ctx *Context, cmd *Command, args [][]byte) error {
	// CLIENT LIST's cmd: a queued command leaves EXEC there, as in Redis.
	if !ctx.Client.inExec && ctx.Client.lastCmd.Load() != cmd { // as lastInteraction
		ctx.Client.lastCmd.Store(cmd)
	}
	ctx.Args, ctx.Cmd = args, cmd
	return s.run(ctx, cmd)
}

// run calls the handler, inside a transaction when the command touches
// data, and turns a panic into an error reply so one bad command cannot
// take the server down.
func (s *Server) run(ctx *Context, cmd *Command) (err error) {
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("panic in command", "cmd", cmd.FullName(), "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			err = protocol.Error("ERR internal error running '" + cmd.FullName() + "'")
		}
	}()
	if tx := ctx.Tx; tx != nil {
		// Inside EXEC or a script: SELECT may have switched databases.
		tx.Use(ctx.Client.DB())
		tx.SetNoTouch(ctx.Client.noTouch)
		err = cmd.Handler(ctx)
		s.trackRead(ctx.Client, cmd, ctx.Args)
		return err
	}
	if !cmd.touchesData() || (cmd.Flags&FlagLoading != 0 && s.loading.Load()) {
		// While loading only commands with the loading flag run, and of
		// those only INFO reads data; the store is locked by the load.
		// Otherwise keys are evicted before any command, as Redis's
		// processCommand does: clients' buffers may have grown past
		// maxmemory with no data command to notice.
		if !s.loading.Load() {
			s.evictNow(nil, ctx.Client.DB())
		}
		return cmd.Handler(ctx)
	}
	if tx := ctx.Client.batch; tx != nil { // inside a pipeline's transaction
		tx.Use(ctx.Client.DB())
		defer tx.Checkpoint()
		return s.runIn(tx, ctx, cmd)
	}
	return s.store.Update(ctx.Client.DB(), func(tx *store.Tx) error {
		return s.runIn(tx, ctx, cmd)
	})
}

// runIn runs a data command's handler in tx, after evicting keys if used
// memory is over maxmemory.
func (s *Server) runIn(tx *store.Tx, ctx *Context, cmd *Command) error {
	// The keyspace lock is held: the changes from here on are the
	// client's (NOLOOP; its own invalidations follow its reply), and the
	// keys it reads are remembered before anyone can change them.
	defer func() { ctx.Tx, s.tracking.current = nil, nil }()
	// Keys evicted before the command are not the client's changes:
	// their invalidations precede its reply, as in Redis.
	if err := s.evict(tx, ctx.Client, cmd); err != nil {
		return err
	}
	s.tracking.current = ctx.Client
	tx.SetNoTouch(ctx.Client.noTouch)
	ctx.Tx = tx
	err := cmd.Handler(ctx)
	s.trackRead(ctx.Client, cmd, ctx.Args)
	return err
}

// checkWritable refuses write commands (and PING, as Redis does) once the
// engine failed to write: reads go on, and nothing more is accepted that
// could not be made durable.
func (s *Server) checkWritable(cmd *Command) error {
	if s.engine == nil || (cmd.Flags&FlagWrite == 0 && cmd.Name != "ping") {
		return nil
	}
	if err := s.engine.Err(); err != nil {
		return misconf(err)
	}
	return nil
}

// resolve finds the command (or subcommand) args name and checks that
// this client may run it with this many arguments. A command found but
// refused is returned with the error, for its rejected_calls.
func (s *Server) resolve(c *Client, args [][]byte) (*Command, error) {
	cmd := c.lookup(args[0])
	if cmd == nil {
		return nil, protocol.ErrUnknownCommand(args)
	}
	if cmd.Subcommands != nil && !(len(args) == 1 && cmd.Handler != nil) {
		if len(args) < 2 {
			return cmd, protocol.ErrWrongArgs(cmd.Name)
		}
		sub := cmd.subcommand(args[1])
		if sub == nil {
			return cmd, protocol.ErrUnknownSubcommand(args[1], cmd.Name)
		}
		cmd = sub
	}
	if !cmd.arityOK(len(args)) {
		return cmd, protocol.ErrWrongArgs(cmd.FullName())
	}
	if cmd.refused != "" && (cmd.enabledBy == "" || !s.enabledFor(c, cmd.enabledBy)) {
		return cmd, cmd.refused
	}
	if !c.authenticated && cmd.Flags&FlagNoAuth == 0 && s.authRequired() {
		return cmd, protocol.ErrNoAuth
	}
	if err := s.checkAccess(c, cmd, args); err != nil {
		return cmd, err
	}
	return cmd, nil
}

// applyReplyMode honours CLIENT REPLY OFF and SKIP by pointing the
// command's writer nowhere; the returned func undoes it. The client's own
// writer (c.out) stays real, for the commands that must answer anyway.
func (c *Client) applyReplyMode() func() {
	if c.replyMode == replyOn {
		return func() {}
	}
	skip := c.replyMode == replySkip
	c.ctx.Out = protocol.NewWriter(redcon.NewWriter(io.Discard))
	c.ctx.Out.SetProto(c.out.Proto())
	return func() {
		c.ctx.Out = c.out
		if skip && c.replyMode == replySkip {
			c.replyMode = replyOn
		}
	}
}

// storeErrors maps the store's errors to Redis's reply texts.
var storeErrors = map[error]protocol.Error{
	store.ErrWrongType:     protocol.ErrWrongType,
	store.ErrNotInteger:    protocol.ErrNotInteger,
	store.ErrNotFloat:      protocol.ErrNotFloat,
	store.ErrOverflow:      protocol.ErrOverflow,
	store.ErrNaNOrInfinity: protocol.ErrNaNOrInfinity,
	store.ErrNoSuchKey:     protocol.ErrNoSuchKey,
	store.ErrSameObject:    protocol.ErrSameObject,
	store.ErrDBIndex:       protocol.ErrDBIndexRange,
	store.ErrTooLarge:      protocol.ErrStringTooLong,
	store.ErrIndexRange:    protocol.ErrIndexRange,
	store.ErrNotHLL:        protocol.ErrNotHLL,
	store.ErrInvalidHLL:    protocol.ErrInvalidHLL,

	store.ErrBusyKey:     protocol.ErrBusyKey,
	store.ErrDumpPayload: protocol.ErrDumpPayload,
	store.ErrBadDump:     protocol.ErrBadDataFormat,

	store.ErrHashNotInteger:     protocol.ErrHashNotInteger,
	store.ErrHashNotFloat:       protocol.ErrHashNotFloat,
	store.ErrScoreNaN:           protocol.ErrScoreNaN,
	store.ErrValueNaNOrInf:      protocol.ErrValueNaNOrInf,
	store.ErrSortNotDouble:      protocol.ErrSortNotDouble,
	store.ErrStreamIDTooSmall:   protocol.ErrStreamIDSmall,
	store.ErrStreamExhausted:    protocol.ErrStreamExhausted,
	store.ErrBusyGroup:          protocol.ErrBusyGroup,
	store.ErrSetIDBelowTop:      protocol.ErrStreamSetIDSmall,
	store.ErrSetIDAddedBelowLen: protocol.ErrStreamSetIDAdded,
}

// replyText is the error reply for err.
func replyText(err error) string {
	if pe, ok := err.(protocol.Error); ok {
		return string(pe)
	}
	if ce, ok := err.(countedError); ok {
		return string(ce)
	}
	if pe, ok := storeErrors[err]; ok {
		return string(pe)
	}
	return "ERR " + err.Error()
}

// now is the server clock's time.
func (s *Server) now() time.Time { return s.clock.Now() }
