package server

import (
	"github.com/cairn-db/cairn/protocol"
	"github.com/cairn-db/cairn/store"
)

func zsetCommands() []*Command {
	const w, r, fast, oom = FlagWrite, FlagRead, FlagFast, FlagDenyOOM
	cmds := []*Command{
		keyCmd("zadd", -4, w|oom|fast, 1, 1, 1, cmdZAdd),
		keyCmd("zincrby", 4, w|oom|fast, 1, 1, 1, cmdZIncrBy),
		keyCmd("zrem", -3, w|fast, 1, 1, 1, cmdZRem),
		keyCmd("zcard", 2, r|fast, 1, 1, 1, cmdZCard),
		keyCmd("zscore", 3, r|fast, 1, 1, 1, cmdZScore),
		keyCmd("zmscore", -3, r|fast, 1, 1, 1, cmdZMScore),
		keyCmd("zrank", 3, r|fast, 1, 1, 1, zrankCmd(false)),
		keyCmd("zrevrank", 3, r|fast, 1, 1, 1, zrankCmd(true)),
		keyCmd("zpopmin", -2, w|fast, 1, 1, 1, zpopCmd(false)),
		keyCmd("zpopmax", -2, w|fast, 1, 1, 1, zpopCmd(true)),
		&Command{Name: "zmpop", Arity: -4, Flags: w, Handler: cmdZMPop},
		keyCmd("zrandmember", -2, r, 1, 1, 1, cmdZRandMember),
		keyCmd("zscan", -3, r, 1, 1, 1, cmdZScan),
	}
	cmds = append(cmds, zrangeCommands()...)
	cmds = append(cmds, zsetBlockingCommands()...)
	return append(cmds, zcombineCommands()...)
}

// ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member …]
func cmdZAdd(c *Context) error {
	var o store.ZAddOptions
	args := c.Args
	i := 2
	for ; i < len(args); i++ {
		a := args[i]
		switch {
		case protocol.EqualFold(a, "nx"):
			o.NX = true
		case protocol.EqualFold(a, "xx"):
			o.XX = true
		case protocol.EqualFold(a, "gt"):
			o.GT = true
		case protocol.EqualFold(a, "lt"):
			o.LT = true
		case protocol.EqualFold(a, "ch"):
			o.CH = true
		case protocol.EqualFold(a, "incr"):
			o.Incr = true
		default:
			goto pairs
		}
	}
pairs:
	rest := args[i:]
	if len(rest) == 0 || len(rest)%2 != 0 {
		return protocol.ErrSyntax
	}
	switch {
	case o.NX && o.XX:
		return protocol.ErrZAddXXNX
	case (o.GT && o.NX) || (o.LT && o.NX) || (o.GT && o.LT):
		return protocol.ErrZAddGTLTNX
	case o.Incr && len(rest) > 2:
		return protocol.ErrZAddIncrPair
	}
	scores := make([]float64, len(rest)/2)
	members := make([][]byte, len(rest)/2)
	for j := range scores {
		s, ok := protocol.ParseFloat(rest[2*j])
		if !ok {
			return protocol.ErrNotFloat
		}
		scores[j], members[j] = s, rest[2*j+1]
	}
	res, err := c.Tx.ZAdd(args[1], o, scores, members)
	switch {
	case err != nil:
		return err
	case o.Incr && res.Done:
		c.Out.Double(res.Score)
	case o.Incr:
		c.Out.Null()
	case o.CH:
		c.Out.Int(int64(res.Added + res.Changed))
	default:
		c.Out.Int(int64(res.Added))
	}
	return nil
}

// ZINCRBY key increment member
func cmdZIncrBy(c *Context) error {
	s, ok := protocol.ParseFloat(c.Args[2])
	if !ok {
		return protocol.ErrNotFloat
	}
	res, err := c.Tx.ZAdd(c.Args[1], store.ZAddOptions{Incr: true}, []float64{s}, [][]byte{c.Args[3]})
	if err != nil {
		return err
	}
	c.Out.Double(res.Score)
	return nil
}

// ZREM key member [member …]
func cmdZRem(c *Context) error {
	n, err := c.Tx.ZRem(c.Args[1], c.Args[2:])
	if err != nil {
		return err
	}
	c.Out.Int(int64(n))
	return nil
}

// ZCARD key
func cmdZCard(c *Context) error {
	n, err := c.Tx.ZCard(c.Args[1])
	if err != nil {
		return err
	}
	c.Out.Int(int64(n))
	return nil
}

// ZSCORE key member
func cmdZScore(c *Context) error {
	s, ok, err := c.Tx.ZScore(c.Args[1], c.Args[2])
	if err != nil {
		return err
	}
	if ok[0] {
		c.Out.Double(s[0])
	} else {
		c.Out.Null()
	}
	return nil
}

// ZMSCORE key member [member …]
func cmdZMScore(c *Context) error {
	s, ok, err := c.Tx.ZScore(c.Args[1], c.Args[2:]...)
	if err != nil {
		return err
	}
	c.Out.Array(len(s))
	for i := range s {
		if ok[i] {
			c.Out.Double(s[i])
		} else {
			c.Out.Null()
		}
	}
	return nil
}

// ZRANK / ZREVRANK key member
func zrankCmd(rev bool) Handler {
	return func(c *Context) error {
		r, ok, err := c.Tx.ZRank(c.Args[1], c.Args[2], rev)
		if err != nil {
			return err
		}
		if ok {
			c.Out.Int(int64(r))
		} else {
			c.Out.Null()
		}
		return nil
	}
}

// ZPOPMIN / ZPOPMAX key [count]
func zpopCmd(max bool) Handler {
	return func(c *Context) error {
		count := int64(1)
		switch len(c.Args) {
		case 2:
		case 3:
			n, ok := protocol.ParseInt(c.Args[2])
			if !ok || n < 0 {
				return protocol.Error("ERR value is out of range, must be positive")
			}
			count = n
		default:
			return protocol.ErrSyntax
		}
		items, err := c.Tx.ZPop(c.Args[1], count, max)
		if err != nil {
			return err
		}
		if len(c.Args) == 2 {
			// Without a count the reply is one flat pair, in RESP3 too.
			c.Out.Array(2 * len(items))
			for _, it := range items {
				c.Out.Bulk(it.Member)
				c.Out.Double(it.Score)
			}
			return nil
		}
		c.writeScored(items, true)
		return nil
	}
}

// writeScored writes sorted-set elements, with their scores as
// member/score pairs: flat in RESP2, an array of pairs in RESP3.
func (c *Context) writeScored(items []store.ScoredMember, withScores bool) {
	writeRandPairs(c, len(items), withScores, func(i int) {
		c.Out.Bulk(items[i].Member)
	}, func(i int) {
		c.Out.Double(items[i].Score)
	})
}

// ZMPOP numkeys key [key …] MIN|MAX [COUNT count]
func cmdZMPop(c *Context) error {
	keys, max, count, err := parseZMPop(c.Args, 1)
	if err != nil {
		return err
	}
	key, items, err := c.Tx.ZMPop(keys, count, max)
	if err != nil {
		return err
	}
	writeMPop(c.Out, key, items)
	return nil
}

// writeMPop writes [key, [[member, score] …]], or a null array when key is nil.
func writeMPop(out *protocol.Writer, key []byte, items []store.ScoredMember) {
	if key == nil {
		out.NullArray()
		return
	}
	out.Array(2)
	out.Bulk(key)
	out.Array(len(items))
	for _, it := range items {
		out.Array(2)
		out.Bulk(it.Member)
		out.Double(it.Score)
	}
}

// parseZMPop parses "numkeys key… MIN|MAX [COUNT n]" starting at args[at].
func parseZMPop(args [][]byte, at int) (keys [][]byte, max bool, count int64, err error) {
	n, ok := protocol.ParseInt(args[at])
	if !ok || n <= 0 || n > int64(len(args)) {
		return nil, false, 0, protocol.ErrNumKeysPositive
	}
	if int64(len(args)-at-1) < n+1 {
		return nil, false, 0, protocol.ErrSyntax
	}
	keys = args[at+1 : at+1+int(n)]
	rest := args[at+1+int(n):]
	switch {
	case protocol.EqualFold(rest[0], "min"):
	case protocol.EqualFold(rest[0], "max"):
		max = true
	default:
		return nil, false, 0, protocol.ErrSyntax
	}
	count = 1
	rest = rest[1:]
	if len(rest) > 0 {
		if len(rest) != 2 || !protocol.EqualFold(rest[0], "count") {
			return nil, false, 0, protocol.ErrSyntax
		}
		v, ok := protocol.ParseInt(rest[1])
		if !ok || v <= 0 {
			return nil, false, 0, protocol.ErrCountPositive
		}
		count = v
	}
	return keys, max, count, nil
}

// ZRANDMEMBER key [count [WITHSCORES]]
func cmdZRandMember(c *Context) error {
	args := c.Args
	if len(args) == 2 {
		items, err := c.Tx.ZRandMember(args[1], 1)
		if err != nil {
			return err
		}
		if len(items) == 0 {
			c.Out.Null()
		} else {
			c.Out.Bulk(items[0].Member)
		}
		return nil
	}
	count, with, err := parseRandCount(args, "withscores")
	if err != nil {
		return err
	}
	items, err := c.Tx.ZRandMember(args[1], count)
	if err != nil {
		return err
	}
	c.writeScored(items, with)
	return nil
}

// ZSCAN key cursor [MATCH pattern] [COUNT count]
func cmdZScan(c *Context) error {
	return collScan(c, func(cursor uint64, o store.CollScanOptions) (uint64, [][]byte, bool, error) {
		next, items, found, err := c.Tx.ZScan(c.Args[1], cursor, o)
		out := make([][]byte, 0, 2*len(items))
		for _, it := range items {
			out = append(out, it.Member, protocol.AppendDouble(nil, it.Score))
		}
		return next, out, found, err
	})
}
