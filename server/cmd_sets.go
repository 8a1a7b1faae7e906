package server

import (
	"github.com/cairn-db/cairn/protocol"
	"github.com/cairn-db/cairn/store"
)

func setCommands() []*Command {
	const w, r, fast, oom = FlagWrite, FlagRead, FlagFast, FlagDenyOOM
	return []*Command{
		keyCmd("sadd", -3, w|oom|fast, 1, 1, 1, cmdSAdd),
		keyCmd("srem", -3, w|fast, 1, 1, 1, cmdSRem),
		keyCmd("smembers", 2, r, 1, 1, 1, cmdSMembers),
		keyCmd("sismember", 3, r|fast, 1, 1, 1, cmdSIsMember),
		keyCmd("smismember", -3, r|fast, 1, 1, 1, cmdSMIsMember),
		keyCmd("scard", 2, r|fast, 1, 1, 1, cmdSCard),
		keyCmd("spop", -2, w|fast, 1, 1, 1, cmdSPop),
		keyCmd("srandmember", -2, r, 1, 1, 1, cmdSRandMember),
		keyCmd("smove", 4, w|fast, 1, 2, 1, cmdSMove),
		keyCmd("sinter", -2, r, 1, -1, 1, setOpCmd(store.SetInter)),
		keyCmd("sunion", -2, r, 1, -1, 1, setOpCmd(store.SetUnion)),
		keyCmd("sdiff", -2, r, 1, -1, 1, setOpCmd(store.SetDiff)),
		keyCmd("sinterstore", -3, w|oom, 1, -1, 1, setOpStoreCmd(store.SetInter)),
		keyCmd("sunionstore", -3, w|oom, 1, -1, 1, setOpStoreCmd(store.SetUnion)),
		keyCmd("sdiffstore", -3, w|oom, 1, -1, 1, setOpStoreCmd(store.SetDiff)),
		&Command{Name: "sintercard", Arity: -3, Flags: r, Handler: cmdSInterCard},
		keyCmd("sscan", -3, r, 1, 1, 1, cmdSScan),
	}
}

// SADD key member [member …]
func cmdSAdd(c *Context) error {
	n, err := c.Tx.SAdd(c.Args[1], c.Args[2:])
	if err != nil {
		return err
	}
	c.Out.Int(int64(n))
	return nil
}

// SREM key member [member …]
func cmdSRem(c *Context) error {
	n, err := c.Tx.SRem(c.Args[1], c.Args[2:])
	if err != nil {
		return err
	}
	c.Out.Int(int64(n))
	return nil
}

// SMEMBERS key
func cmdSMembers(c *Context) error {
	ms, err := c.Tx.SMembers(c.Args[1])
	if err != nil {
		return err
	}
	c.writeSet(ms)
	return nil
}

// writeSet writes members as a set reply (an array in RESP2).
func (c *Context) writeSet(ms [][]byte) {
	c.Out.Set(len(ms))
	for _, m := range ms {
		c.Out.Bulk(m)
	}
}

// SISMEMBER key member
func cmdSIsMember(c *Context) error {
	ok, err := c.Tx.SIsMember(c.Args[1], c.Args[2])
	if err != nil {
		return err
	}
	c.Out.Bool(ok[0])
	return nil
}

// SMISMEMBER key member [member …]
func cmdSMIsMember(c *Context) error {
	ok, err := c.Tx.SIsMember(c.Args[1], c.Args[2:]...)
	if err != nil {
		return err
	}
	c.Out.Array(len(ok))
	for _, b := range ok {
		c.Out.Int(b2i(b))
	}
	return nil
}

// SCARD key
func cmdSCard(c *Context) error {
	n, err := c.Tx.SCard(c.Args[1])
	if err != nil {
		return err
	}
	c.Out.Int(int64(n))
	return nil
}

// oneMember is the reply of SPOP and SRANDMEMBER without a count: the
// member, or null for a missing key.
func (c *Context) oneMember(ms [][]byte) {
	if len(ms) == 0 {
		c.Out.Null()
		return
	}
	c.Out.Bulk(ms[0])
}

// SPOP key [count]
func cmdSPop(c *Context) error {
	switch len(c.Args) {
	case 2:
		ms, err := c.Tx.SPop(c.Args[1], 1)
		if err != nil {
			return err
		}
		c.oneMember(ms)
		return nil
	case 3:
	default:
		return protocol.ErrSyntax
	}
	count, ok := protocol.ParseInt(c.Args[2])
	if !ok || count < 0 {
		return protocol.Error("ERR value is out of range, must be positive")
	}
	ms, err := c.Tx.SPop(c.Args[1], count)
	if err != nil {
		return err
	}
	c.writeSet(ms)
	return nil
}

// SRANDMEMBER key [count]
func cmdSRandMember(c *Context) error {
	switch len(c.Args) {
	case 2:
		ms, err := c.Tx.SRandMember(c.Args[1], 1)
		if err != nil {
			return err
		}
		c.oneMember(ms)
		return nil
	case 3:
	default:
		return protocol.ErrSyntax
	}
	count, ok := protocol.ParseInt(c.Args[2])
	if !ok {
		return protocol.ErrNotInteger
	}
	if count < -maxRandRepeat {
		return protocol.ErrValueOutOfRange
	}
	ms, err := c.Tx.SRandMember(c.Args[1], count)
	if err != nil {
		return err
	}
	c.Out.Array(len(ms))
	for _, m := range ms {
		c.Out.Bulk(m)
	}
	return nil
}

// SMOVE source destination member
func cmdSMove(c *Context) error {
	ok, err := c.Tx.SMove(c.Args[1], c.Args[2], c.Args[3])
	if err != nil {
		return err
	}
	c.Out.Bool(ok)
	return nil
}

// SINTER / SUNION / SDIFF key [key …]
func setOpCmd(op store.SetOp) Handler {
	return func(c *Context) error {
		ms, err := c.Tx.SetCompute(op, c.Args[1:], 0)
		if err != nil {
			return err
		}
		c.writeSet(ms)
		return nil
	}
}

// SINTERSTORE / SUNIONSTORE / SDIFFSTORE destination key [key …]
func setOpStoreCmd(op store.SetOp) Handler {
	return func(c *Context) error {
		n, err := c.Tx.SetOpStore(op, c.Args[1], c.Args[2:])
		if err != nil {
			return err
		}
		c.Out.Int(int64(n))
		return nil
	}
}

// SINTERCARD numkeys key [key …] [LIMIT limit]
func cmdSInterCard(c *Context) error {
	keys, limit, err := parseInterCard(c.Args, "")
	if err != nil {
		return err
	}
	ms, err := c.Tx.SetCompute(store.SetInter, keys, limit)
	if err != nil {
		return err
	}
	c.Out.Int(int64(len(ms)))
	return nil
}

// parseInterCard parses "numkeys key… [LIMIT n]" of SINTERCARD and
// ZINTERCARD (zname set), whose numkeys errors differ as in Redis.
func parseInterCard(args [][]byte, zname string) ([][]byte, int, error) {
	n, ok := protocol.ParseInt(args[1])
	switch {
	case zname != "" && !ok:
		return nil, 0, protocol.ErrNotInteger
	case zname != "" && n < 1:
		return nil, 0, protocol.Error("ERR at least 1 input key is needed for '" + zname + "' command")
	case zname != "" && n > int64(len(args)-2):
		return nil, 0, protocol.ErrSyntax
	case !ok || n <= 0:
		return nil, 0, protocol.ErrNumKeysPositive
	case n > int64(len(args)-2):
		return nil, 0, protocol.ErrNumKeysTooMany
	}
	keys := args[2 : 2+n]
	rest := args[2+n:]
	limit := 0
	for i := 0; i < len(rest); i += 2 {
		if !protocol.EqualFold(rest[i], "limit") || i+1 >= len(rest) {
			return nil, 0, protocol.ErrSyntax
		}
		// Redis gives its LIMIT message for a non-number too.
		l, ok := protocol.ParseInt(rest[i+1])
		if !ok || l < 0 {
			return nil, 0, protocol.ErrLimitNegative
		}
		limit = int(min(l, 1<<31))
	}
	return keys, limit, nil
}

// SSCAN key cursor [MATCH pattern] [COUNT count]
func cmdSScan(c *Context) error {
	return collScan(c, func(cursor uint64, o store.CollScanOptions) (uint64, [][]byte, bool, error) {
		return c.Tx.SScan(c.Args[1], cursor, o)
	})
}
