package server

import (
	"time"

	"github.com/cairn-db/cairn/protocol"
	"github.com/cairn-db/cairn/store"
)

// Context is what a handler works with: the command's arguments, the
// reply writer, the client and server, and — for commands flagged read or
// write — the store transaction the command runs in. One Context per
// client is reused for every command, so handlers must not keep it.
type Context struct {
	Args   [][]byte
	Out    *protocol.Writer
	Client *Client
	Server *Server
	// Tx is the command's transaction; nil for commands that touch no data.
	Tx  *store.Tx
	Cmd *Command

	// noBlock is set while EXEC or a script runs commands: blocking
	// commands then answer at once, as their non-blocking forms.
	noBlock bool
	// blocked is the waiter Block registered; the dispatcher waits on it
	// once the command's transaction has ended.
	blocked *waiter
	// waited is how long the command was blocked, which its latency
	// excludes (see recordBlockedWait).
	waited time.Duration
}

// Arg returns argument i as a string (allocates; use for rare paths).
func (c *Context) Arg(i int) string { return string(c.Args[i]) }

// b2i is Redis's integer reply for a yes/no answer.
func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
