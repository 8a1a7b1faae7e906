package server

import (
	"github.com/cairn-db/cairn/protocol"
)

// waitCommand is WAIT. Cairn has no replicas, so no write is ever
// acknowledged by one: WAIT answers 0 at once when it asks for none (or
// cannot block, inside MULTI), and otherwise blocks until its timeout,
// as redis-server without replicas does, then answers 0.
func waitCommand() *Command { return cmd("wait", 3, FlagNoScript, cmdWait) }

// WAIT numreplicas timeout
func cmdWait(c *Context) error {
	replicas, ok := protocol.ParseInt(c.Args[1])
	if !ok {
		return protocol.ErrNotInteger
	}
	timeout, ok := protocol.ParseInt(c.Args[2])
	if !ok {
		return protocol.ErrTimeoutNotInteger
	}
	if timeout < 0 {
		return protocol.ErrTimeoutNegative
	}
	const acked = 0
	noneAcked := func(out *protocol.Writer) { out.Int(acked) }
	if replicas <= acked {
		noneAcked(c.Out)
		return nil
	}
	c.Block(nil, timeout, nil, noneAcked)
	return nil
}
