package server

import "github.com/cairn-db/cairn/protocol"

// CLIENT UNBLOCK client-id [TIMEOUT|ERROR]
//
// Ends the wait of a client blocked in BLPOP, XREAD BLOCK…: with TIMEOUT
// (the default) it gets its timeout reply, with ERROR the UNBLOCKED error.
// Replies 1 when the client was blocked, 0 otherwise.
func cmdClientUnblock(c *Context) error {
	id, ok := protocol.ParseInt(c.Args[2])
	if !ok {
		return protocol.ErrNotInteger
	}
	withError := false
	if len(c.Args) > 4 {
		return protocol.ErrSubcommandArgs(c.Args[1], "client")
	}
	if len(c.Args) == 4 {
		switch {
		case protocol.EqualFold(c.Args[3], "timeout"):
		case protocol.EqualFold(c.Args[3], "error"):
			withError = true
		default:
			return protocol.Error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR")
		}
	}
	if c.Server.blocking.unblock(id, withError) {
		c.Out.Int(1)
	} else {
		c.Out.Int(0)
	}
	return nil
}
