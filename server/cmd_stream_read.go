package server

import (
	"github.com/cairn-db/cairn/protocol"
	"github.com/cairn-db/cairn/store"
)

// xreadArgs are XREAD's and XREADGROUP's parsed arguments.
type xreadArgs struct {
	group, consumer []byte
	count           int
	block           int64 // ms; -1 = do not block, 0 = forever
	noAck           bool
	keys            [][]byte
	ids             [][]byte // raw IDs: "$", ">" or an ID
}

// parseXRead parses the options as Redis's xreadCommand does, in order,
// with its error texts.
func parseXRead(c *Context, group bool) (a xreadArgs, err error) {
	args := c.Args
	a.block = -1
	streams := 0
	for i := 1; i < len(args) && streams == 0; i++ {
		o := args[i]
		more := len(args) - 1 - i
		switch {
		case protocol.EqualFold(o, "block") && more > 0:
			if c.Client.caller != nil { // no sense blocking in a script, and Redis says so
				return a, protocol.Error("ERR " + string(args[0]) + " command is not allowed with BLOCK option from scripts")
			}
			i++
			n, ok := protocol.ParseInt(args[i])
			if !ok {
				return a, protocol.ErrTimeoutNotInteger
			}
			if n < 0 {
				return a, protocol.ErrTimeoutNegative
			}
			a.block = n
		case protocol.EqualFold(o, "count") && more > 0:
			i++
			n, ok := protocol.ParseInt(args[i])
			if !ok {
				return a, protocol.ErrNotInteger
			}
			a.count = int(max(n, 0))
		case protocol.EqualFold(o, "streams") && more > 0:
			streams = i + 1
			if (len(args)-streams)%2 != 0 {
				return a, protocol.Error("ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.")
			}
		case protocol.EqualFold(o, "group") && more >= 2:
			if !group {
				return a, protocol.Error("ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.")
			}
			a.group, a.consumer = args[i+1], args[i+2]
			i += 2
		case protocol.EqualFold(o, "noack"):
			if !group {
				return a, protocol.Error("ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.")
			}
			a.noAck = true
		default:
			return a, protocol.ErrSyntax
		}
	}
	if streams == 0 {
		return a, protocol.ErrSyntax
	}
	if group && a.group == nil {
		return a, protocol.Error("ERR Missing GROUP option for XREADGROUP")
	}
	n := (len(args) - streams) / 2
	a.keys, a.ids = args[streams:streams+n], args[streams+n:]
	return a, nil
}

// XREAD [COUNT count] [BLOCK ms] STREAMS key [key …] id [id …]
func cmdXRead(c *Context) error {
	a, err := parseXRead(c, false)
	if err != nil {
		return err
	}
	after := make([]store.StreamID, len(a.keys))
	for i, raw := range a.ids {
		if _, err := c.Tx.StreamExists(a.keys[i]); err != nil {
			return err
		}
		switch {
		case len(raw) == 1 && raw[0] == '$':
			after[i], _ = c.Tx.XLastID(a.keys[i])
		case len(raw) == 1 && raw[0] == '>':
			return protocol.Error("ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.")
		default:
			if after[i], err = protocol.ParseStreamID(raw, 0, true); err != nil {
				return err
			}
		}
	}
	res, err := readEach(a.keys, func(i int, k []byte) ([]store.StreamEntry, bool, error) {
		return c.Tx.XRead(k, after[i], a.count)
	})
	if err != nil {
		return err
	}
	if len(res) > 0 || a.block < 0 {
		writeKeyEntries(c.Out, res)
		return nil
	}
	return blockXRead(c, a, after)
}

// keyEntries is one key's part of an XREAD reply.
type keyEntries struct {
	key     []byte
	entries []store.StreamEntry
}

// readEach runs read on each of keys (i is the key's index) and keeps, in
// key order, the keys it returned entries for; the first error stops it.
func readEach(keys [][]byte, read func(i int, k []byte) ([]store.StreamEntry, bool, error)) ([]keyEntries, error) {
	var res []keyEntries
	for i, k := range keys {
		es, ok, err := read(i, k)
		if err != nil {
			return nil, err
		}
		if ok {
			res = append(res, keyEntries{k, es})
		}
	}
	return res, nil
}

// writeKeyEntries writes XREAD's reply: a map of key to entries in RESP3,
// an array of [key, entries] pairs in RESP2, or the null array when no key
// had anything.
func writeKeyEntries(out *protocol.Writer, res []keyEntries) {
	if len(res) == 0 {
		out.NullArray()
		return
	}
	out.EntryMap(len(res))
	for _, r := range res {
		out.MapEntry()
		out.Bulk(r.key)
		writeStreamEntries(out, r.entries)
	}
}

// XREADGROUP GROUP group consumer [COUNT count] [BLOCK ms] [NOACK] STREAMS key [key …] id [id …]
func cmdXReadGroup(c *Context) error {
	a, err := parseXRead(c, true)
	if err != nil {
		return err
	}
	reads := make([]store.XReadGroupArgs, len(a.keys))
	for i, k := range a.keys {
		ok, err := c.Tx.GroupExists(k, a.group)
		if err != nil {
			return err
		}
		if !ok {
			return noGroupXReadGroup(k, a.group)
		}
		r := store.XReadGroupArgs{Group: a.group, Consumer: a.consumer, Count: a.count, NoAck: a.noAck}
		switch raw := a.ids[i]; {
		case len(raw) == 1 && raw[0] == '$':
			return protocol.Error("ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.")
		case len(raw) == 1 && raw[0] == '>':
			r.New = true
		default:
			if r.After, err = protocol.ParseStreamID(raw, 0, true); err != nil {
				return err
			}
		}
		reads[i] = r
	}
	res, err := readEach(a.keys, func(i int, k []byte) ([]store.StreamEntry, bool, error) {
		return c.Tx.XReadGroup(k, reads[i])
	})
	if err != nil {
		return err
	}
	if len(res) > 0 || a.block < 0 {
		writeKeyEntries(c.Out, res)
		return nil
	}
	return blockXReadGroup(c, a, reads)
}

func noGroupXReadGroup(key, group []byte) error {
	return protocol.Error("NOGROUP No such key '" + string(key) + "' or consumer group '" + string(group) + "' in XREADGROUP with GROUP option")
}

// XACK key group id [id …]
func cmdXAck(c *Context) error {
	ok, err := c.Tx.GroupExists(c.Args[1], c.Args[2])
	if err != nil {
		return err
	}
	if !ok {
		c.Out.Int(0)
		return nil
	}
	ids, err := parseStrictIDs(c.Args[3:])
	if err != nil {
		return err
	}
	n, err := c.Tx.XAck(c.Args[1], c.Args[2], ids)
	if err != nil {
		return err
	}
	c.Out.Int(int64(n))
	return nil
}
