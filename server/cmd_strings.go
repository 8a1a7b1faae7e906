package server

import (
	"math"

	"github.com/cairn-db/cairn/protocol"
	"github.com/cairn-db/cairn/store"
)

func stringCommands() []*Command {
	const w, r, fast, oom = FlagWrite, FlagRead, FlagFast, FlagDenyOOM
	return []*Command{
		keyCmd("get", 2, r|fast, 1, 1, 1, cmdGet),
		keyCmd("set", -3, w|oom, 1, 1, 1, cmdSet),
		keyCmd("setnx", 3, w|oom|fast, 1, 1, 1, cmdSetNX),
		keyCmd("setex", 4, w|oom, 1, 1, 1, cmdSetEX),
		keyCmd("psetex", 4, w|oom, 1, 1, 1, cmdPSetEX),
		keyCmd("getset", 3, w|oom|fast, 1, 1, 1, cmdGetSet),
		keyCmd("getdel", 2, w|fast, 1, 1, 1, cmdGetDel),
		keyCmd("getex", -2, w|fast, 1, 1, 1, cmdGetEx),
		keyCmd("mget", -2, r|fast, 1, -1, 1, cmdMGet),
		keyCmd("mset", -3, w|oom, 1, -1, 2, cmdMSet),
		keyCmd("msetnx", -3, w|oom, 1, -1, 2, cmdMSetNX),
		keyCmd("incr", 2, w|oom|fast, 1, 1, 1, cmdIncr),
		keyCmd("decr", 2, w|oom|fast, 1, 1, 1, cmdDecr),
		keyCmd("incrby", 3, w|oom|fast, 1, 1, 1, cmdIncrBy),
		keyCmd("decrby", 3, w|oom|fast, 1, 1, 1, cmdDecrBy),
		keyCmd("incrbyfloat", 3, w|oom|fast, 1, 1, 1, cmdIncrByFloat),
		keyCmd("append", 3, w|oom|fast, 1, 1, 1, cmdAppend),
		keyCmd("strlen", 2, r|fast, 1, 1, 1, cmdStrLen),
		keyCmd("getrange", 4, r, 1, 1, 1, cmdGetRange),
		keyCmd("substr", 4, r, 1, 1, 1, cmdGetRange),
		keyCmd("setrange", 4, w|oom, 1, 1, 1, cmdSetRange),
		keyCmd("lcs", -3, r, 1, 2, 1, cmdLCS),
	}
}

// GET key
func cmdGet(c *Context) error {
	v, ok, err := c.Tx.Get(c.Args[1])
	if err != nil {
		return err
	}
	c.bulkOrNull(v, ok)
	return nil
}

// bulkOrNull writes v, or the null reply when ok is false.
func (c *Context) bulkOrNull(v []byte, ok bool) {
	if ok {
		c.Out.Bulk(v)
	} else {
		c.Out.Null()
	}
}

// SET key value [NX|XX] [GET] [EX s|PX ms|EXAT ts|PXAT ts|KEEPTTL]
func cmdSet(c *Context) error {
	var o store.SetOptions
	var unit protocol.ExpireUnit
	var ttl []byte
	args := c.Args
	for i := 3; i < len(args); i++ {
		a := args[i]
		switch {
		case protocol.EqualFold(a, "nx") && !o.XX:
			o.NX = true
		case protocol.EqualFold(a, "xx") && !o.NX:
			o.XX = true
		case protocol.EqualFold(a, "get"):
			o.Get = true
		case protocol.EqualFold(a, "keepttl") && unit == 0:
			o.KeepTTL = true
		default:
			u, ok := protocol.ParseExpireUnit(a)
			if !ok || o.KeepTTL || (unit != 0 && unit != u) || i+1 == len(args) {
				return protocol.ErrSyntax
			}
			unit, ttl = u, args[i+1]
			i++
		}
	}
	if unit != 0 {
		at, err := protocol.ExpireAt(unit, ttl, c.Tx.Now(), "set")
		if err != nil {
			return err
		}
		o.Expire = at
	}
	res, err := c.Tx.Set(args[1], args[2], o)
	switch {
	case err != nil:
		return err
	case o.Get:
		c.bulkOrNull(res.Old, res.HadOld)
	case res.Done:
		c.Out.OK()
	default:
		c.Out.Null()
	}
	return nil
}

// SETNX key value
func cmdSetNX(c *Context) error {
	res, err := c.Tx.Set(c.Args[1], c.Args[2], store.SetOptions{NX: true})
	if err != nil {
		return err
	}
	c.Out.Bool(res.Done)
	return nil
}

// SETEX key seconds value
func cmdSetEX(c *Context) error { return setWithTTL(c, protocol.UnitEX, "setex") }

// PSETEX key milliseconds value
func cmdPSetEX(c *Context) error { return setWithTTL(c, protocol.UnitPX, "psetex") }

func setWithTTL(c *Context, unit protocol.ExpireUnit, name string) error {
	at, err := protocol.ExpireAt(unit, c.Args[2], c.Tx.Now(), name)
	if err != nil {
		return err
	}
	if _, err := c.Tx.Set(c.Args[1], c.Args[3], store.SetOptions{Expire: at}); err != nil {
		return err
	}
	c.Out.OK()
	return nil
}

// GETSET key value
func cmdGetSet(c *Context) error {
	res, err := c.Tx.Set(c.Args[1], c.Args[2], store.SetOptions{Get: true})
	if err != nil {
		return err
	}
	c.bulkOrNull(res.Old, res.HadOld)
	return nil
}

// GETDEL key
func cmdGetDel(c *Context) error {
	v, ok, err := c.Tx.GetDel(c.Args[1])
	if err != nil {
		return err
	}
	c.bulkOrNull(v, ok)
	return nil
}

// GETEX key [EX s|PX ms|EXAT ts|PXAT ts|PERSIST]
func cmdGetEx(c *Context) error {
	var o store.GetExOptions
	args := c.Args
	switch {
	case len(args) == 2:
	case len(args) == 3 && protocol.EqualFold(args[2], "persist"):
		o.Persist = true
	case len(args) == 4:
		unit, ok := protocol.ParseExpireUnit(args[2])
		if !ok {
			return protocol.ErrSyntax
		}
		at, err := protocol.ExpireAt(unit, args[3], c.Tx.Now(), "getex")
		if err != nil {
			return err
		}
		o.Expire = at
	default:
		return protocol.ErrSyntax
	}
	v, ok, err := c.Tx.GetEx(args[1], o)
	if err != nil {
		return err
	}
	c.bulkOrNull(v, ok)
	return nil
}

// MGET key [key …]
func cmdMGet(c *Context) error {
	c.Out.Array(len(c.Args) - 1)
	for _, k := range c.Args[1:] {
		v, ok, err := c.Tx.Get(k)
		c.bulkOrNull(v, ok && err == nil)
	}
	return nil
}

// MSET key value [key value …]
func cmdMSet(c *Context) error {
	if len(c.Args)%2 == 0 {
		return protocol.ErrWrongArgs("mset")
	}
	for i := 1; i < len(c.Args); i += 2 {
		c.Tx.Set(c.Args[i], c.Args[i+1], store.SetOptions{})
	}
	c.Out.OK()
	return nil
}

// MSETNX key value [key value …]
func cmdMSetNX(c *Context) error {
	if len(c.Args)%2 == 0 {
		return protocol.ErrWrongArgs("msetnx")
	}
	c.Out.Bool(c.Tx.MSetNX(c.Args[1:]))
	return nil
}

// INCR key
func cmdIncr(c *Context) error { return incrBy(c, 1) }

// DECR key
func cmdDecr(c *Context) error { return incrBy(c, -1) }

// INCRBY key increment
func cmdIncrBy(c *Context) error {
	n, ok := protocol.ParseInt(c.Args[2])
	if !ok {
		return protocol.ErrNotInteger
	}
	return incrBy(c, n)
}

// DECRBY key decrement
func cmdDecrBy(c *Context) error {
	n, ok := protocol.ParseInt(c.Args[2])
	if !ok {
		return protocol.ErrNotInteger
	}
	if n == math.MinInt64 {
		return protocol.Error("ERR decrement would overflow")
	}
	return incrBy(c, -n)
}

func incrBy(c *Context, delta int64) error {
	n, err := c.Tx.IncrBy(c.Args[1], delta)
	if err != nil {
		return err
	}
	c.Out.Int(n)
	return nil
}

// INCRBYFLOAT key increment
func cmdIncrByFloat(c *Context) error {
	v, err := c.Tx.IncrByFloat(c.Args[1], c.Args[2])
	if err != nil {
		return err
	}
	c.Out.Bulk(v)
	return nil
}

// APPEND key value
func cmdAppend(c *Context) error {
	n, err := c.Tx.Append(c.Args[1], c.Args[2])
	if err != nil {
		return err
	}
	c.Out.Int(int64(n))
	return nil
}

// STRLEN key
func cmdStrLen(c *Context) error {
	n, err := c.Tx.StrLen(c.Args[1])
	if err != nil {
		return err
	}
	c.Out.Int(int64(n))
	return nil
}

// GETRANGE key start end (and its old name SUBSTR)
func cmdGetRange(c *Context) error {
	start, ok1 := protocol.ParseInt(c.Args[2])
	end, ok2 := protocol.ParseInt(c.Args[3])
	if !ok1 || !ok2 {
		return protocol.ErrNotInteger
	}
	v, err := c.Tx.GetRange(c.Args[1], start, end)
	if err != nil {
		return err
	}
	c.Out.Bulk(v)
	return nil
}

// SETRANGE key offset value
func cmdSetRange(c *Context) error {
	off, ok := protocol.ParseInt(c.Args[2])
	if !ok {
		return protocol.ErrNotInteger
	}
	if off < 0 {
		return protocol.ErrOffsetRange
	}
	n, err := c.Tx.SetRange(c.Args[1], off, c.Args[3])
	if err != nil {
		return err
	}
	c.Out.Int(int64(n))
	return nil
}

// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]
func cmdLCS(c *Context) error {
	args := c.Args
	a, b, err := c.Tx.LCSStrings(args[1], args[2])
	if err == store.ErrWrongType {
		return protocol.Error("ERR The specified keys must contain string values")
	}
	var getLen, getIdx, withLen bool
	var minLen int64
	for i := 3; i < len(args); i++ {
		switch a := args[i]; {
		case protocol.EqualFold(a, "idx"):
			getIdx = true
		case protocol.EqualFold(a, "len"):
			getLen = true
		case protocol.EqualFold(a, "withmatchlen"):
			withLen = true
		case protocol.EqualFold(a, "minmatchlen") && i+1 < len(args):
			n, ok := protocol.ParseInt(args[i+1])
			if !ok {
				return protocol.ErrNotInteger
			}
			minLen = max(n, 0)
			i++
		default:
			return protocol.ErrSyntax
		}
	}
	if getIdx && getLen {
		return protocol.ErrLCSNoLenAndIdx
	}
	// Redis allocates the whole table; refuse sizes that could exhaust memory.
	if store.LCSTableSize(a, b) > c.Server.protoMaxBulkLen.Load() {
		return protocol.Error("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len")
	}
	seq, matches := store.LCS(a, b)
	switch {
	case getIdx:
		var kept []store.LCSMatch
		for _, m := range matches {
			if minLen == 0 || int64(m.Len()) >= minLen {
				kept = append(kept, m)
			}
		}
		c.Out.Map(2)
		c.Out.BulkString("matches")
		c.Out.Array(len(kept))
		for _, m := range kept {
			c.Out.Array(2 + btoi(withLen))
			c.Out.Array(2)
			c.Out.Int(int64(m.AStart))
			c.Out.Int(int64(m.AEnd))
			c.Out.Array(2)
			c.Out.Int(int64(m.BStart))
			c.Out.Int(int64(m.BEnd))
			if withLen {
				c.Out.Int(int64(m.Len()))
			}
		}
		c.Out.BulkString("len")
		c.Out.Int(int64(len(seq)))
	case getLen:
		c.Out.Int(int64(len(seq)))
	default:
		c.Out.Bulk(seq)
	}
	return nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
