package server

import (
	"github.com/cairn-db/cairn/protocol"
	"github.com/cairn-db/cairn/store"
)

func streamCommands() []*Command {
	const w, r, fast, oom, blk = FlagWrite, FlagRead, FlagFast, FlagDenyOOM, FlagBlocking
	return []*Command{
		keyCmd("xadd", -5, w|oom|fast, 1, 1, 1, cmdXAdd),
		keyCmd("xlen", 2, r|fast, 1, 1, 1, cmdXLen),
		keyCmd("xrange", -4, r, 1, 1, 1, cmdXRange),
		keyCmd("xrevrange", -4, r, 1, 1, 1, cmdXRevRange),
		keyCmd("xdel", -3, w|fast, 1, 1, 1, cmdXDel),
		keyCmd("xtrim", -4, w, 1, 1, 1, cmdXTrim),
		keyCmd("xsetid", -3, w|oom|fast, 1, 1, 1, cmdXSetID),
		keyCmd("xread", -4, r|blk, 0, 0, 0, cmdXRead),
		keyCmd("xreadgroup", -7, w|blk, 0, 0, 0, cmdXReadGroup),
		keyCmd("xack", -4, w|fast, 1, 1, 1, cmdXAck),
		keyCmd("xpending", -3, r, 1, 1, 1, cmdXPending),
		keyCmd("xclaim", -6, w|fast, 1, 1, 1, cmdXClaim),
		keyCmd("xautoclaim", -6, w|fast, 1, 1, 1, cmdXAutoClaim),
		xgroupCommand(),
		xinfoCommand(),
	}
}

// Stream replies.

// writeStreamEntry writes [id, [field, value…]], or [id, nil] for an entry
// that no longer exists.
func writeStreamEntry(out *protocol.Writer, e store.StreamEntry) {
	out.Array(2)
	out.StreamID(e.ID)
	if e.Fields == nil {
		out.NullArray()
		return
	}
	out.Array(len(e.Fields))
	for _, f := range e.Fields {
		out.Bulk(f)
	}
}

func writeStreamEntries(out *protocol.Writer, es []store.StreamEntry) {
	out.Array(len(es))
	for _, e := range es {
		writeStreamEntry(out, e)
	}
}

// parseTrim parses XADD's and XTRIM's options from args[2:] as Redis's
// streamParseAddOrTrimArgsOrReply does. For XADD it stops at the ID and
// returns its position; unknown words are taken as the ID.
func parseTrim(args [][]byte, xadd bool) (t store.TrimArgs, noMk bool, idPos int, err error) {
	limitGiven := false
	i := 2
	for ; i < len(args); i++ {
		a := args[i]
		more := len(args) - 1 - i
		switch {
		case xadd && len(a) == 1 && a[0] == '*':
			goto done
		case (protocol.EqualFold(a, "maxlen") || protocol.EqualFold(a, "minid")) && more > 0:
			if t.Strategy != store.TrimNone {
				return t, false, 0, protocol.Error("ERR syntax error, MAXLEN and MINID options at the same time are not compatible")
			}
			t.Approx = false
			if next := args[i+1]; more >= 2 && len(next) == 1 && (next[0] == '~' || next[0] == '=') {
				t.Approx = next[0] == '~'
				i++
			}
			if protocol.EqualFold(a, "maxlen") {
				n, ok := protocol.ParseInt(args[i+1])
				if !ok {
					return t, false, 0, protocol.ErrNotInteger
				}
				if n < 0 {
					return t, false, 0, protocol.Error("ERR The MAXLEN argument must be >= 0.")
				}
				t.Strategy, t.MaxLen = store.TrimMaxLen, n
			} else {
				id, err := protocol.ParseStreamID(args[i+1], 0, true)
				if err != nil {
					return t, false, 0, err
				}
				t.Strategy, t.MinID = store.TrimMinID, id
			}
			i++
		case protocol.EqualFold(a, "limit") && more > 0:
			n, ok := protocol.ParseInt(args[i+1])
			if !ok {
				return t, false, 0, protocol.ErrNotInteger
			}
			if n < 0 {
				return t, false, 0, protocol.Error("ERR The LIMIT argument must be >= 0.")
			}
			t.Limit, limitGiven = n, true
			i++
		case xadd && protocol.EqualFold(a, "nomkstream"):
			noMk = true
		case xadd:
			goto done
		default:
			return t, false, 0, protocol.ErrSyntax
		}
	}
done:
	if t.Limit != 0 && t.Strategy == store.TrimNone {
		return t, false, 0, protocol.Error("ERR syntax error, LIMIT cannot be used without specifying a trimming strategy")
	}
	if !xadd && t.Strategy == store.TrimNone {
		return t, false, 0, protocol.Error("ERR syntax error, XTRIM must be called with a trimming strategy")
	}
	switch {
	case limitGiven && !t.Approx:
		return t, false, 0, protocol.Error("ERR syntax error, LIMIT cannot be used without the special ~ option")
	case !limitGiven && t.Approx:
		t.Limit = store.TrimDefaultLimit // the store applies stream-node-max-entries
	}
	return t, noMk, i, nil
}

// XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] *|id field value [field value …]
func cmdXAdd(c *Context) error {
	trim, noMk, idPos, err := parseTrim(c.Args, true)
	if err != nil {
		return err
	}
	a := store.XAddArgs{NoMkStream: noMk, Trim: trim}
	if idPos < len(c.Args) {
		if raw := c.Args[idPos]; len(raw) == 1 && raw[0] == '*' {
			a.AutoID = true
		} else {
			id, seqGiven, err := protocol.ParseXAddID(raw)
			if err != nil {
				return err
			}
			a.ID, a.AutoSeq = id, !seqGiven
		}
	}
	a.Fields = c.Args[min(idPos+1, len(c.Args)):]
	if len(a.Fields) < 2 || len(a.Fields)%2 == 1 {
		return protocol.ErrWrongArgs("xadd")
	}
	if !a.AutoID && !a.AutoSeq && a.ID.IsZero() {
		return protocol.ErrStreamIDZero
	}
	id, ok, err := c.Tx.XAdd(c.Args[1], a)
	switch {
	case err != nil:
		return err
	case !ok:
		c.Out.Null()
	default:
		c.Out.StreamID(id)
	}
	return nil
}

// XLEN key
func cmdXLen(c *Context) error {
	n, err := c.Tx.XLen(c.Args[1])
	if err != nil {
		return err
	}
	c.Out.Int(int64(n))
	return nil
}

// XRANGE key start end [COUNT count]
func cmdXRange(c *Context) error { return xrange(c, c.Args[2], c.Args[3], false) }

// XREVRANGE key end start [COUNT count]
func cmdXRevRange(c *Context) error { return xrange(c, c.Args[3], c.Args[2], true) }

func xrange(c *Context, startArg, endArg []byte, rev bool) error {
	start, end, err := parseStreamInterval(startArg, endArg)
	if err != nil {
		return err
	}
	count := int64(-1)
	for j := 4; j < len(c.Args); j++ {
		if !protocol.EqualFold(c.Args[j], "count") || j+1 == len(c.Args) {
			return protocol.ErrSyntax
		}
		n, ok := protocol.ParseInt(c.Args[j+1])
		if !ok {
			return protocol.ErrNotInteger
		}
		count = max(n, 0)
		j++
	}
	if ok, err := c.Tx.StreamExists(c.Args[1]); !ok {
		if err != nil {
			return err
		}
		c.Out.Array(0)
		return nil
	}
	if count == 0 {
		c.Out.NullArray()
		return nil
	}
	es, err := c.Tx.XRange(c.Args[1], start, end, int(max(count, 0)), rev)
	if err != nil {
		return err
	}
	writeStreamEntries(c.Out, es)
	return nil
}

// parseStreamInterval parses a start and an end bound, either of which may
// be exclusive ("(id").
func parseStreamInterval(startArg, endArg []byte) (start, end store.StreamID, err error) {
	start, ex, err := protocol.ParseStreamInterval(startArg, 0)
	if err != nil {
		return start, end, err
	}
	if ex {
		var ok bool
		if start, ok = start.Next(); !ok {
			return start, end, protocol.ErrStreamStartID
		}
	}
	end, ex, err = protocol.ParseStreamInterval(endArg, ^uint64(0))
	if err != nil {
		return start, end, err
	}
	if ex {
		var ok bool
		if end, ok = end.Prev(); !ok {
			return start, end, protocol.ErrStreamEndID
		}
	}
	return start, end, nil
}

// parseStrictIDs parses IDs that must be "ms[-seq]".
func parseStrictIDs(args [][]byte) ([]store.StreamID, error) {
	ids := make([]store.StreamID, len(args))
	for i, a := range args {
		id, err := protocol.ParseStreamID(a, 0, true)
		if err != nil {
			return nil, err
		}
		ids[i] = id
	}
	return ids, nil
}

// XDEL key id [id …]
func cmdXDel(c *Context) error {
	if ok, err := c.Tx.StreamExists(c.Args[1]); !ok {
		if err != nil {
			return err
		}
		c.Out.Int(0)
		return nil
	}
	ids, err := parseStrictIDs(c.Args[2:])
	if err != nil {
		return err
	}
	n, err := c.Tx.XDel(c.Args[1], ids)
	if err != nil {
		return err
	}
	c.Out.Int(int64(n))
	return nil
}

// XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT count]
func cmdXTrim(c *Context) error {
	trim, _, _, err := parseTrim(c.Args, false)
	if err != nil {
		return err
	}
	n, err := c.Tx.XTrim(c.Args[1], trim)
	if err != nil {
		return err
	}
	c.Out.Int(n)
	return nil
}

// XSETID key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id]
func cmdXSetID(c *Context) error {
	id, err := protocol.ParseStreamID(c.Args[2], 0, true)
	if err != nil {
		return err
	}
	a := store.XSetIDArgs{LastID: id, EntriesAdded: -1}
	for i := 3; i < len(c.Args); i += 2 {
		more := len(c.Args) - 1 - i
		switch {
		case protocol.EqualFold(c.Args[i], "entriesadded") && more > 0:
			n, ok := protocol.ParseInt(c.Args[i+1])
			if !ok {
				return protocol.ErrNotInteger
			}
			if n < 0 {
				return protocol.Error("ERR entries_added must be positive")
			}
			a.EntriesAdded = n
		case protocol.EqualFold(c.Args[i], "maxdeletedid") && more > 0:
			md, err := protocol.ParseStreamID(c.Args[i+1], 0, true)
			if err != nil {
				return err
			}
			if id.Less(md) {
				return protocol.ErrStreamSetIDMaxDel
			}
			a.MaxDeletedID = md
		default:
			return protocol.ErrSyntax
		}
	}
	if err := c.Tx.XSetID(c.Args[1], a); err != nil {
		return err
	}
	c.Out.OK()
	return nil
}
