package server

import (
	"fmt"
	"io"
	"runtime/debug"
	"time"

	"github.com/tidwall/redcon"

	"github.com/cairn-db/cairn/protocol"
	"github.com/cairn-db/cairn/store"
)

// serveRESP is redcon's handler: it runs one command of a connection.
func (s *Server) serveRESP(conn redcon.Conn, rc redcon.Command) {
	c, ok := conn.Context().(*Client)
	if !ok || c.quitting {
		return
	}
	s.execute(c, rc.Args)
}

// execute does the work every command shares — lookup, arity, auth, the
// transaction, error replies, panic recovery — around its handler.
func (s *Server) execute(c *Client, args [][]byte) {
	c.lastInteraction.Store(s.clock.Now().UnixMilli())
	s.stats.commands.Add(1)
	restore := c.applyReplyMode()
	defer restore()
	ctx := &c.ctx
	cmd, err := s.resolve(c, args)
	if err == nil {
		c.lastCmd.Store(cmd)
		ctx.Args, ctx.Cmd = args, cmd
		err = s.run(ctx, cmd)
		if w := ctx.blocked; w != nil {
			ctx.blocked = nil
			if err == nil {
				s.wait(ctx, w)
			} else {
				s.blocking.finish(w, waitGone)
			}
		}
	}
	if err != nil {
		s.stats.errors.Add(1)
		ctx.Out.Error(replyText(err))
	}
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
	if !cmd.touchesData() {
		return cmd.Handler(ctx)
	}
	return s.store.Update(ctx.Client.DB(), func(tx *store.Tx) error {
		tx.SetNoTouch(ctx.Client.noTouch)
		ctx.Tx = tx
		defer func() { ctx.Tx = nil }()
		return cmd.Handler(ctx)
	})
}

// resolve finds the command (or subcommand) args name and checks that
// this client may run it with this many arguments.
func (s *Server) resolve(c *Client, args [][]byte) (*Command, error) {
	cmd := s.table.lookup(args[0])
	if cmd == nil {
		return nil, protocol.ErrUnknownCommand(args)
	}
	if cmd.Subcommands != nil && !(len(args) == 1 && cmd.Handler != nil) {
		if len(args) < 2 {
			return nil, protocol.ErrWrongArgs(cmd.Name)
		}
		sub := cmd.subcommand(args[1])
		if sub == nil {
			return nil, protocol.ErrUnknownSubcommand(args[1], cmd.Name)
		}
		cmd = sub
	}
	if !cmd.arityOK(len(args)) {
		return nil, protocol.ErrWrongArgs(cmd.FullName())
	}
	if !c.authenticated && cmd.Flags&FlagNoAuth == 0 && s.authRequired() {
		return nil, protocol.ErrNoAuth
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

	store.ErrHashNotInteger: protocol.ErrHashNotInteger,
	store.ErrHashNotFloat:   protocol.ErrHashNotFloat,
	store.ErrScoreNaN:       protocol.ErrScoreNaN,
	store.ErrValueNaNOrInf:  protocol.ErrValueNaNOrInf,
	store.ErrSortNotDouble:  protocol.ErrSortNotDouble,
}

// replyText is the error reply for err.
func replyText(err error) string {
	if pe, ok := err.(protocol.Error); ok {
		return string(pe)
	}
	if pe, ok := storeErrors[err]; ok {
		return string(pe)
	}
	return "ERR " + err.Error()
}

// now is the server clock's time.
func (s *Server) now() time.Time { return s.clock.Now() }
