package server

import (
	"github.com/cairn-db/cairn/protocol"
	"github.com/cairn-db/cairn/store"
)

func listCommands() []*Command {
	const w, r, fast, oom, block = FlagWrite, FlagRead, FlagFast, FlagDenyOOM, FlagBlocking
	return []*Command{
		keyCmd("lpush", -3, w|oom|fast, 1, 1, 1, pushCmd(store.ListHead, false)),
		keyCmd("rpush", -3, w|oom|fast, 1, 1, 1, pushCmd(store.ListTail, false)),
		keyCmd("lpushx", -3, w|oom|fast, 1, 1, 1, pushCmd(store.ListHead, true)),
		keyCmd("rpushx", -3, w|oom|fast, 1, 1, 1, pushCmd(store.ListTail, true)),
		keyCmd("lpop", -2, w|fast, 1, 1, 1, popCmd(store.ListHead)),
		keyCmd("rpop", -2, w|fast, 1, 1, 1, popCmd(store.ListTail)),
		keyCmd("llen", 2, r|fast, 1, 1, 1, cmdLLen),
		keyCmd("lrange", 4, r, 1, 1, 1, cmdLRange),
		keyCmd("lindex", 3, r, 1, 1, 1, cmdLIndex),
		keyCmd("lset", 4, w|oom, 1, 1, 1, cmdLSet),
		keyCmd("linsert", 5, w|oom, 1, 1, 1, cmdLInsert),
		keyCmd("lrem", 4, w, 1, 1, 1, cmdLRem),
		keyCmd("ltrim", 4, w, 1, 1, 1, cmdLTrim),
		keyCmd("lpos", -3, r, 1, 1, 1, cmdLPos),
		keyCmd("lmove", 5, w|oom, 1, 2, 1, cmdLMove),
		keyCmd("rpoplpush", 3, w|oom, 1, 2, 1, cmdRPopLPush),
		keyCmd("lmpop", -4, w, 0, 0, 0, cmdLMPop),
		// Redis 7.0 refuses these in scripts (noscript); BLMPOP is allowed
		// and answers at once there.
		keyCmd("blpop", -3, w|block|FlagNoScript, 1, -2, 1, bpopCmd(store.ListHead)),
		keyCmd("brpop", -3, w|block|FlagNoScript, 1, -2, 1, bpopCmd(store.ListTail)),
		keyCmd("blmove", 6, w|oom|block|FlagNoScript, 1, 2, 1, cmdBLMove),
		keyCmd("brpoplpush", 4, w|oom|block|FlagNoScript, 1, 2, 1, cmdBRPopLPush),
		keyCmd("blmpop", -5, w|block, 0, 0, 0, cmdBLMPop),
	}
}

// LPUSH / RPUSH / LPUSHX / RPUSHX key element [element ...]
func pushCmd(end store.ListEnd, onlyExisting bool) Handler {
	return func(c *Context) error {
		n, err := c.Tx.ListPush(c.Args[1], end, c.Args[2:], onlyExisting)
		if err != nil {
			return err
		}
		c.Out.Int(int64(n))
		return nil
	}
}

// LPOP / RPOP key [count]
func popCmd(end store.ListEnd) Handler {
	return func(c *Context) error {
		if len(c.Args) > 3 {
			return protocol.ErrWrongArgs(c.Cmd.Name)
		}
		count := int64(1)
		if len(c.Args) == 3 {
			n, ok := protocol.ParseInt(c.Args[2])
			if !ok || n < 0 {
				return protocol.Error("ERR value is out of range, must be positive")
			}
			count = n
		}
		var one [1][]byte // a pop of one allocates nothing
		vals, err := c.Tx.ListPop(one[:0], c.Args[1], end, int(min(count, 1<<40)))
		switch {
		case err != nil:
			return err
		case len(c.Args) == 2:
			if vals == nil {
				c.Out.Null()
			} else {
				c.Out.Bulk(vals[0])
			}
		case vals == nil:
			c.Out.NullArray()
		default:
			c.bulks(vals)
		}
		return nil
	}
}

// bulks writes vals as an array of bulk strings.
func (c *Context) bulks(vals [][]byte) {
	c.Out.Array(len(vals))
	for _, v := range vals {
		c.Out.Bulk(v)
	}
}

// LLEN key
func cmdLLen(c *Context) error {
	n, err := c.Tx.ListLen(c.Args[1])
	if err != nil {
		return err
	}
	c.Out.Int(int64(n))
	return nil
}

// parseInts parses integer arguments, with Redis's error for a bad one.
func parseInts(args ...[]byte) ([]int64, error) {
	out := make([]int64, len(args))
	for i, a := range args {
		n, ok := protocol.ParseInt(a)
		if !ok {
			return nil, protocol.ErrNotInteger
		}
		out[i] = n
	}
	return out, nil
}

// LRANGE key start stop
func cmdLRange(c *Context) error {
	n, err := parseInts(c.Args[2], c.Args[3])
	if err != nil {
		return err
	}
	vals, err := c.Tx.ListRange(c.Args[1], n[0], n[1])
	if err != nil {
		return err
	}
	c.bulks(vals)
	return nil
}

// LINDEX key index
func cmdLIndex(c *Context) error {
	n, err := parseInts(c.Args[2])
	if err != nil {
		return err
	}
	v, ok, err := c.Tx.ListIndex(c.Args[1], n[0])
	if err != nil {
		return err
	}
	c.bulkOrNull(v, ok)
	return nil
}

// LSET key index element
func cmdLSet(c *Context) error {
	n, err := parseInts(c.Args[2])
	if err != nil {
		return err
	}
	if err := c.Tx.ListSet(c.Args[1], n[0], c.Args[3]); err != nil {
		return err
	}
	c.Out.OK()
	return nil
}

// LINSERT key BEFORE|AFTER pivot element
func cmdLInsert(c *Context) error {
	var before bool
	switch {
	case protocol.EqualFold(c.Args[2], "before"):
		before = true
	case protocol.EqualFold(c.Args[2], "after"):
	default:
		return protocol.ErrSyntax
	}
	n, err := c.Tx.ListInsert(c.Args[1], before, c.Args[3], c.Args[4])
	if err != nil {
		return err
	}
	c.Out.Int(int64(n))
	return nil
}

// LREM key count element
func cmdLRem(c *Context) error {
	n, err := parseInts(c.Args[2])
	if err != nil {
		return err
	}
	removed, err := c.Tx.ListRem(c.Args[1], n[0], c.Args[3])
	if err != nil {
		return err
	}
	c.Out.Int(int64(removed))
	return nil
}

// LTRIM key start stop
func cmdLTrim(c *Context) error {
	n, err := parseInts(c.Args[2], c.Args[3])
	if err != nil {
		return err
	}
	if err := c.Tx.ListTrim(c.Args[1], n[0], n[1]); err != nil {
		return err
	}
	c.Out.OK()
	return nil
}

// LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]
func cmdLPos(c *Context) error {
	o := store.ListPosOptions{Rank: 1}
	withCount := false
	args := c.Args
	for i := 3; i < len(args); i++ {
		if i+1 == len(args) {
			return protocol.ErrSyntax
		}
		n, ok := protocol.ParseInt(args[i+1])
		switch {
		case protocol.EqualFold(args[i], "rank"):
			if !ok {
				return protocol.ErrNotInteger
			}
			if n == 0 {
				return protocol.Error("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list")
			}
			o.Rank = n
		case protocol.EqualFold(args[i], "count"):
			if !ok || n < 0 {
				return protocol.Error("ERR COUNT can't be negative")
			}
			o.Count, withCount = n, true
		case protocol.EqualFold(args[i], "maxlen"):
			if !ok || n < 0 {
				return protocol.Error("ERR MAXLEN can't be negative")
			}
			o.MaxLen = n
		default:
			return protocol.ErrSyntax
		}
		i++
	}
	if !withCount {
		o.Count = 1
	}
	pos, err := c.Tx.ListPos(args[1], args[2], o)
	switch {
	case err != nil:
		return err
	case withCount:
		c.Out.Array(len(pos))
		for _, p := range pos {
			c.Out.Int(p)
		}
	case len(pos) == 0:
		c.Out.Null()
	default:
		c.Out.Int(pos[0])
	}
	return nil
}
