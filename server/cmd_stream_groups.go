package server

import (
	"math"

	"github.com/cairn-db/cairn/protocol"
	"github.com/cairn-db/cairn/store"
)

func xgroupCommand() *Command {
	const w, r, oom = FlagWrite, FlagRead, FlagDenyOOM
	return container("xgroup", -2, 0,
		keyCmd("create", -5, w|oom, 2, 2, 1, cmdXGroupCreate),
		keyCmd("setid", -5, w, 2, 2, 1, cmdXGroupSetID),
		keyCmd("destroy", 4, w, 2, 2, 1, cmdXGroupDestroy),
		keyCmd("createconsumer", 5, w|oom, 2, 2, 1, cmdXGroupCreateConsumer),
		keyCmd("delconsumer", 5, w, 2, 2, 1, cmdXGroupDelConsumer),
		cmd("help", 2, FlagLoading|FlagStale, cmdXGroupHelp),
	)
}

// errXGroupNoKey is XGROUP's reply when the key is missing.
const errXGroupNoKey = protocol.ErrStreamNoKey

// xgroupError words the store's errors as XGROUP does.
func xgroupError(err error, c *Context) error {
	switch err {
	case store.ErrNoSuchKey:
		return errXGroupNoKey
	case store.ErrNoGroup:
		return protocol.Error("NOGROUP No such consumer group '" + string(c.Args[3]) + "' for key name '" + string(c.Args[2]) + "'")
	}
	return err
}

// subcommandSyntax is Redis's addReplySubcommandSyntaxError.
func subcommandSyntax(c *Context) error {
	return protocol.ErrSubcommandArgs(c.Args[1], c.Cmd.parent.Name)
}

// parseEntriesRead parses ENTRIESREAD's value.
func parseEntriesRead(b []byte) (int64, error) {
	n, ok := protocol.ParseInt(b)
	if !ok {
		return 0, protocol.ErrNotInteger
	}
	if n < 0 && n != -1 {
		return 0, protocol.Error("ERR value for ENTRIESREAD must be positive or -1")
	}
	return n, nil
}

// XGROUP CREATE key group id|$ [MKSTREAM] [ENTRIESREAD n]
func cmdXGroupCreate(c *Context) error {
	if len(c.Args) > 8 {
		return subcommandSyntax(c)
	}
	at := store.GroupStart{EntriesRead: -1}
	mk := false
	for i := 5; i < len(c.Args); i++ {
		switch {
		case protocol.EqualFold(c.Args[i], "mkstream"):
			mk = true
		case protocol.EqualFold(c.Args[i], "entriesread") && i+1 < len(c.Args):
			n, err := parseEntriesRead(c.Args[i+1])
			if err != nil {
				return err
			}
			at.EntriesRead = n
			i++
		default:
			return subcommandSyntax(c)
		}
	}
	if !mk {
		if ok, err := c.Tx.StreamExists(c.Args[2]); !ok {
			if err != nil {
				return err
			}
			return errXGroupNoKey
		}
	}
	if raw := c.Args[4]; len(raw) == 1 && raw[0] == '$' {
		at.Last = true
	} else {
		id, err := protocol.ParseStreamID(raw, 0, true)
		if err != nil {
			return err
		}
		at.ID = id
	}
	if err := c.Tx.XGroupCreate(c.Args[2], c.Args[3], at, mk); err != nil {
		return xgroupError(err, c)
	}
	c.Out.OK()
	return nil
}

// XGROUP SETID key group id|$ [ENTRIESREAD n]
func cmdXGroupSetID(c *Context) error {
	at := store.GroupStart{EntriesRead: -1}
	switch len(c.Args) {
	case 5:
	case 7:
		if !protocol.EqualFold(c.Args[5], "entriesread") {
			return subcommandSyntax(c)
		}
		n, err := parseEntriesRead(c.Args[6])
		if err != nil {
			return err
		}
		at.EntriesRead = n
	default:
		return subcommandSyntax(c)
	}
	if err := xgroupCheck(c); err != nil {
		return err
	}
	if raw := c.Args[4]; len(raw) == 1 && raw[0] == '$' {
		at.Last = true
	} else {
		id, err := protocol.ParseStreamID(raw, 0, false)
		if err != nil {
			return err
		}
		at.ID = id
	}
	if err := c.Tx.XGroupSetID(c.Args[2], c.Args[3], at); err != nil {
		return xgroupError(err, c)
	}
	c.Out.OK()
	return nil
}

// xgroupCheck reports a missing key or group before a subcommand parses
// the rest of its arguments, as Redis orders its errors.
func xgroupCheck(c *Context) error {
	ok, err := c.Tx.StreamExists(c.Args[2])
	if err != nil {
		return err
	}
	if !ok {
		return errXGroupNoKey
	}
	if ok, _ := c.Tx.GroupExists(c.Args[2], c.Args[3]); !ok {
		return xgroupError(store.ErrNoGroup, c)
	}
	return nil
}

// XGROUP DESTROY key group
func cmdXGroupDestroy(c *Context) error {
	ok, err := c.Tx.XGroupDestroy(c.Args[2], c.Args[3])
	if err != nil {
		return xgroupError(err, c)
	}
	c.Out.Bool(ok)
	return nil
}

// XGROUP CREATECONSUMER key group consumer
func cmdXGroupCreateConsumer(c *Context) error {
	ok, err := c.Tx.XGroupCreateConsumer(c.Args[2], c.Args[3], c.Args[4])
	if err != nil {
		return xgroupError(err, c)
	}
	c.Out.Int(b2i(ok))
	return nil
}

// XGROUP DELCONSUMER key group consumer
func cmdXGroupDelConsumer(c *Context) error {
	n, err := c.Tx.XGroupDelConsumer(c.Args[2], c.Args[3], c.Args[4])
	if err != nil {
		return xgroupError(err, c)
	}
	c.Out.Int(int64(n))
	return nil
}

// XGROUP HELP
func cmdXGroupHelp(c *Context) error {
	writeStreamHelp(c.Out, "XGROUP",
		"CREATE <key> <groupname> <id|$> [option]",
		"    Create a new consumer group. Options are:",
		"    * MKSTREAM",
		"      Create the empty stream if it does not exist.",
		"    * ENTRIESREAD entries_read",
		"      Set the group's entries_read counter (internal use).",
		"CREATECONSUMER <key> <groupname> <consumer>",
		"    Create a new consumer in the specified group.",
		"DELCONSUMER <key> <groupname> <consumer>",
		"    Remove the specified consumer.",
		"DESTROY <key> <groupname>",
		"    Remove the specified group.",
		"SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
		"    Set the current group ID and entries_read counter.",
	)
	return nil
}

// writeStreamHelp writes a HELP reply in Redis's format (addReplyHelp).
func writeStreamHelp(out *protocol.Writer, name string, lines ...string) {
	out.Array(len(lines) + 3)
	out.Status(name + " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:")
	for _, l := range lines {
		out.Status(l)
	}
	out.Status("HELP")
	out.Status("    Prints this help.")
}

// noGroupError is the NOGROUP reply of XPENDING, XCLAIM and XAUTOCLAIM.
func noGroupError(err error, key, group []byte) error {
	if err == store.ErrNoGroup {
		return protocol.ErrNoGroup(key, group)
	}
	return err
}

// XPENDING key group [[IDLE min-idle] start end count [consumer]]
func cmdXPending(c *Context) error {
	args := c.Args
	if len(args) != 3 && (len(args) < 6 || len(args) > 9) {
		return protocol.ErrSyntax
	}
	if len(args) == 3 {
		sum, err := c.Tx.XPendingSummary(args[1], args[2])
		if err != nil {
			return noGroupError(err, args[1], args[2])
		}
		c.Out.Array(4)
		c.Out.Int(int64(sum.Count))
		if sum.Count == 0 {
			c.Out.Null()
			c.Out.Null()
			c.Out.NullArray()
			return nil
		}
		c.Out.StreamID(sum.First)
		c.Out.StreamID(sum.Last)
		c.Out.Array(len(sum.Consumers))
		for _, cp := range sum.Consumers {
			c.Out.Array(2)
			c.Out.BulkString(cp.Name)
			c.Out.BulkInt(int64(cp.Count))
		}
		return nil
	}
	var a store.XPendingArgs
	i := 3
	if protocol.EqualFold(args[3], "idle") {
		n, ok := protocol.ParseInt(args[4])
		if !ok {
			return protocol.ErrNotInteger
		}
		if len(args) < 8 {
			return protocol.ErrSyntax
		}
		a.MinIdle, i = n, 5
	}
	if i+2 >= len(args) {
		return protocol.ErrSyntax
	}
	count, ok := protocol.ParseInt(args[i+2])
	if !ok {
		return protocol.ErrNotInteger
	}
	a.Count = int(min(max(count, 0), math.MaxInt32))
	var err error
	if a.Start, a.End, err = parseStreamInterval(args[i], args[i+1]); err != nil {
		return err
	}
	if i+3 < len(args) {
		a.Consumer = args[i+3]
	}
	ps, err := c.Tx.XPendingRange(args[1], args[2], a)
	if err != nil {
		return noGroupError(err, args[1], args[2])
	}
	c.Out.Array(len(ps))
	for _, p := range ps {
		c.Out.Array(4)
		c.Out.StreamID(p.ID)
		c.Out.BulkString(p.Consumer)
		c.Out.Int(p.Idle)
		c.Out.Int(int64(p.DeliveryCount))
	}
	return nil
}
