package server

import (
	"strconv"

	"github.com/cairn-db/cairn/protocol"
)

func serverCommands() []*Command {
	const w, admin = FlagWrite, FlagAdmin
	return []*Command{
		cmd("flushdb", -1, w, cmdFlushDB),
		cmd("flushall", -1, w, cmdFlushAll),
		cmd("swapdb", 3, w|FlagFast, cmdSwapDB),
		cmd("time", 1, FlagFast|FlagLoading|FlagStale, cmdTime),
		cmd("role", 1, FlagNoScript|FlagLoading|FlagStale|FlagFast, cmdRole),
		cmd("shutdown", -1, admin|FlagNoScript|FlagLoading|FlagStale|FlagNoMulti|FlagAllowBusy, cmdShutdown),
	}
}

// parseFlushMode accepts FLUSHDB/FLUSHALL's optional ASYNC or SYNC. Both
// free memory at once here: a fresh keyspace replaces the old one.
func parseFlushMode(args [][]byte) error {
	switch {
	case len(args) == 0:
	case len(args) == 1 && (protocol.EqualFold(args[0], "async") || protocol.EqualFold(args[0], "sync")):
	default:
		return protocol.ErrSyntax
	}
	return nil
}

// FLUSHDB [ASYNC|SYNC]
func cmdFlushDB(c *Context) error {
	if err := parseFlushMode(c.Args[1:]); err != nil {
		return err
	}
	c.Tx.FlushDB()
	c.Server.trackFlushed()
	c.Out.OK()
	return nil
}

// FLUSHALL [ASYNC|SYNC]
func cmdFlushAll(c *Context) error {
	if err := parseFlushMode(c.Args[1:]); err != nil {
		return err
	}
	c.Tx.FlushAll()
	c.Server.trackFlushed()
	if s := c.Server; s.engine == nil && s.hasSavePoints() {
		s.persist.saveFlushed(c.Tx)
	}
	c.Out.OK()
	return nil
}

// SWAPDB index1 index2
func cmdSwapDB(c *Context) error {
	a, ok := protocol.ParseInt(c.Args[1])
	if !ok {
		return protocol.Error("ERR invalid first DB index")
	}
	b, ok := protocol.ParseInt(c.Args[2])
	if !ok {
		return protocol.Error("ERR invalid second DB index")
	}
	n := int64(c.Server.store.Databases())
	if a < 0 || a >= n || b < 0 || b >= n {
		return protocol.ErrDBIndexRange
	}
	return c.ok(c.Tx.SwapDB(int(a), int(b)))
}

// TIME: the server clock as [seconds, microseconds].
func cmdTime(c *Context) error {
	now := c.Server.now()
	c.Out.Array(2)
	c.Out.BulkString(strconv.FormatInt(now.Unix(), 10))
	c.Out.BulkString(strconv.FormatInt(int64(now.Nanosecond()/1000), 10))
	return nil
}

// ROLE: a master with no replicas, as INFO replication says; the
// replication offset stays 0 without replicas or a backlog.
func cmdRole(c *Context) error {
	c.Out.Array(3)
	c.Out.BulkString("master")
	c.Out.Int(0)
	c.Out.Array(0)
	return nil
}
