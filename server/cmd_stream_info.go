package server

import (
	"github.com/cairn-db/cairn/protocol"
	"github.com/cairn-db/cairn/store"
)

func xinfoCommand() *Command {
	const r = FlagRead
	return container("xinfo", -2, 0,
		keyCmd("stream", -3, r, 2, 2, 1, cmdXInfoStream),
		keyCmd("groups", 3, r, 2, 2, 1, cmdXInfoGroups),
		keyCmd("consumers", 4, r, 2, 2, 1, cmdXInfoConsumers),
		cmd("help", 2, FlagLoading|FlagStale, cmdXInfoHelp),
	)
}

// XINFO HELP
func cmdXInfoHelp(c *Context) error {
	writeStreamHelp(c.Out, "XINFO",
		"CONSUMERS <key> <groupname>",
		"    Show consumers of <groupname>.",
		"GROUPS <key>",
		"    Show the stream consumer groups.",
		"STREAM <key> [FULL [COUNT <count>]",
		"    Show information about the stream.",
	)
	return nil
}

// XINFO STREAM key [FULL [COUNT count]]
func cmdXInfoStream(c *Context) error {
	args := c.Args
	full, count := false, int64(10)
	if len(args) > 3 {
		if len(args) != 4 && len(args) != 6 || !protocol.EqualFold(args[3], "full") {
			return subcommandSyntax(c)
		}
		full = true
		if len(args) == 6 {
			if !protocol.EqualFold(args[4], "count") {
				return subcommandSyntax(c)
			}
			n, ok := protocol.ParseInt(args[5])
			if !ok {
				return protocol.ErrNotInteger
			}
			count = max(n, 0)
			if n < 0 {
				count = 10
			}
		}
	}
	in, err := c.Tx.XInfoStream(args[2], full, int(count))
	if err != nil {
		return err
	}
	out := c.Out
	if full {
		out.Map(9)
	} else {
		out.Map(10)
	}
	out.BulkString("length")
	out.Int(int64(in.Length))
	out.BulkString("radix-tree-keys")
	out.Int(int64(in.Nodes))
	out.BulkString("radix-tree-nodes")
	out.Int(int64(in.RaxNodes))
	out.BulkString("last-generated-id")
	out.StreamID(in.LastID)
	out.BulkString("max-deleted-entry-id")
	out.StreamID(in.MaxDeletedID)
	out.BulkString("entries-added")
	out.Int(int64(in.EntriesAdded))
	out.BulkString("recorded-first-entry-id")
	out.StreamID(in.FirstRecorded)
	if !full {
		out.BulkString("groups")
		out.Int(int64(in.Groups))
		for _, e := range []struct {
			name string
			e    *store.StreamEntry
		}{{"first-entry", in.First}, {"last-entry", in.Last}} {
			out.BulkString(e.name)
			if e.e == nil {
				out.Null()
			} else {
				writeStreamEntry(out, *e.e)
			}
		}
		return nil
	}
	out.BulkString("entries")
	writeStreamEntries(out, in.Entries)
	out.BulkString("groups")
	out.Array(len(in.GroupsFull))
	for _, g := range in.GroupsFull {
		out.Map(7)
		out.BulkString("name")
		out.BulkString(g.Name)
		out.BulkString("last-delivered-id")
		out.StreamID(g.LastDeliveredID)
		out.BulkString("entries-read")
		intOrNull(out, g.EntriesRead)
		out.BulkString("lag")
		intOrNull(out, g.Lag)
		out.BulkString("pel-count")
		out.Int(int64(g.Pending))
		out.BulkString("pending")
		out.Array(len(g.PEL))
		for _, p := range g.PEL {
			out.Array(4)
			out.StreamID(p.ID)
			out.BulkString(p.Consumer)
			out.Int(p.DeliveryTime)
			out.Int(int64(p.DeliveryCount))
		}
		out.BulkString("consumers")
		out.Array(len(g.Consumers))
		for _, cons := range g.Consumers {
			out.Map(4)
			out.BulkString("name")
			out.BulkString(cons.Name)
			out.BulkString("seen-time")
			out.Int(cons.SeenTime)
			out.BulkString("pel-count")
			out.Int(int64(cons.Pending))
			out.BulkString("pending")
			out.Array(len(cons.PEL))
			for _, p := range cons.PEL {
				out.Array(3)
				out.StreamID(p.ID)
				out.Int(p.DeliveryTime)
				out.Int(int64(p.DeliveryCount))
			}
		}
	}
	return nil
}

// intOrNull writes n, or the null reply for -1 (unknown).
func intOrNull(out *protocol.Writer, n int64) {
	if n == -1 {
		out.Null()
	} else {
		out.Int(n)
	}
}

// XINFO GROUPS key
func cmdXInfoGroups(c *Context) error {
	gs, err := c.Tx.XInfoGroups(c.Args[2])
	if err != nil {
		return err
	}
	out := c.Out
	out.Array(len(gs))
	for _, g := range gs {
		out.Map(6)
		out.BulkString("name")
		out.BulkString(g.Name)
		out.BulkString("consumers")
		out.Int(int64(g.Consumers))
		out.BulkString("pending")
		out.Int(int64(g.Pending))
		out.BulkString("last-delivered-id")
		out.StreamID(g.LastDeliveredID)
		out.BulkString("entries-read")
		intOrNull(out, g.EntriesRead)
		out.BulkString("lag")
		intOrNull(out, g.Lag)
	}
	return nil
}

// XINFO CONSUMERS key group
func cmdXInfoConsumers(c *Context) error {
	cs, err := c.Tx.XInfoConsumers(c.Args[2], c.Args[3])
	if err == store.ErrNoGroup {
		return protocol.Error("NOGROUP No such consumer group '" + string(c.Args[3]) + "' for key name '" + string(c.Args[2]) + "'")
	}
	if err != nil {
		return err
	}
	out := c.Out
	out.Array(len(cs))
	for _, cons := range cs {
		out.Map(3)
		out.BulkString("name")
		out.BulkString(cons.Name)
		out.BulkString("pending")
		out.Int(int64(cons.Pending))
		out.BulkString("idle")
		out.Int(cons.Idle)
	}
	return nil
}
