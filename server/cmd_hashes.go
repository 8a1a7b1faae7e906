package server

import (
	"github.com/cairn-db/cairn/protocol"
	"github.com/cairn-db/cairn/store"
)

func hashCommands() []*Command {
	const w, r, fast, oom = FlagWrite, FlagRead, FlagFast, FlagDenyOOM
	return []*Command{
		keyCmd("hset", -4, w|oom|fast, 1, 1, 1, cmdHSet),
		keyCmd("hmset", -4, w|oom|fast, 1, 1, 1, cmdHMSet),
		keyCmd("hsetnx", 4, w|oom|fast, 1, 1, 1, cmdHSetNX),
		keyCmd("hget", 3, r|fast, 1, 1, 1, cmdHGet),
		keyCmd("hmget", -3, r|fast, 1, 1, 1, cmdHMGet),
		keyCmd("hgetall", 2, r, 1, 1, 1, cmdHGetAll),
		keyCmd("hkeys", 2, r, 1, 1, 1, cmdHKeys),
		keyCmd("hvals", 2, r, 1, 1, 1, cmdHVals),
		keyCmd("hdel", -3, w|fast, 1, 1, 1, cmdHDel),
		keyCmd("hlen", 2, r|fast, 1, 1, 1, cmdHLen),
		keyCmd("hexists", 3, r|fast, 1, 1, 1, cmdHExists),
		keyCmd("hstrlen", 3, r|fast, 1, 1, 1, cmdHStrLen),
		keyCmd("hincrby", 4, w|oom|fast, 1, 1, 1, cmdHIncrBy),
		keyCmd("hincrbyfloat", 4, w|oom|fast, 1, 1, 1, cmdHIncrByFloat),
		keyCmd("hrandfield", -2, r, 1, 1, 1, cmdHRandField),
		keyCmd("hscan", -3, r, 1, 1, 1, cmdHScan),
	}
}

// HSET key field value [field value …]
func cmdHSet(c *Context) error {
	if len(c.Args)%2 != 0 {
		return protocol.ErrWrongArgs("hset")
	}
	n, err := c.Tx.HSet(c.Args[1], c.Args[2:], false)
	if err != nil {
		return err
	}
	c.Out.Int(int64(n))
	return nil
}

// HMSET key field value [field value …]
func cmdHMSet(c *Context) error {
	if len(c.Args)%2 != 0 {
		return protocol.ErrWrongArgs("hmset")
	}
	if _, err := c.Tx.HSet(c.Args[1], c.Args[2:], false); err != nil {
		return err
	}
	c.Out.OK()
	return nil
}

// HSETNX key field value
func cmdHSetNX(c *Context) error {
	n, err := c.Tx.HSet(c.Args[1], c.Args[2:], true)
	if err != nil {
		return err
	}
	c.Out.Int(int64(n))
	return nil
}

// HGET key field
func cmdHGet(c *Context) error {
	v, ok, err := c.Tx.HGet(c.Args[1], c.Args[2])
	if err != nil {
		return err
	}
	c.bulkOrNull(v, ok)
	return nil
}

// HMGET key field [field …]
func cmdHMGet(c *Context) error {
	vals, err := c.Tx.HMGet(c.Args[1], c.Args[2:])
	if err != nil {
		return err
	}
	c.Out.Array(len(vals))
	for _, v := range vals {
		c.bulkOrNull(v, v != nil)
	}
	return nil
}

// HGETALL key
func cmdHGetAll(c *Context) error {
	pairs, err := c.Tx.HGetAll(c.Args[1])
	if err != nil {
		return err
	}
	c.Out.Map(len(pairs) / 2)
	for _, b := range pairs {
		c.Out.Bulk(b)
	}
	return nil
}

// HKEYS key
func cmdHKeys(c *Context) error { return hashHalf(c, 0) }

// HVALS key
func cmdHVals(c *Context) error { return hashHalf(c, 1) }

func hashHalf(c *Context, which int) error {
	pairs, err := c.Tx.HGetAll(c.Args[1])
	if err != nil {
		return err
	}
	c.Out.Array(len(pairs) / 2)
	for i := which; i < len(pairs); i += 2 {
		c.Out.Bulk(pairs[i])
	}
	return nil
}

// HDEL key field [field …]
func cmdHDel(c *Context) error {
	n, err := c.Tx.HDel(c.Args[1], c.Args[2:])
	if err != nil {
		return err
	}
	c.Out.Int(int64(n))
	return nil
}

// HLEN key
func cmdHLen(c *Context) error {
	n, err := c.Tx.HLen(c.Args[1])
	if err != nil {
		return err
	}
	c.Out.Int(int64(n))
	return nil
}

// HEXISTS key field
func cmdHExists(c *Context) error {
	_, ok, err := c.Tx.HGet(c.Args[1], c.Args[2])
	if err != nil {
		return err
	}
	c.Out.Bool(ok)
	return nil
}

// HSTRLEN key field
func cmdHStrLen(c *Context) error {
	v, _, err := c.Tx.HGet(c.Args[1], c.Args[2])
	if err != nil {
		return err
	}
	c.Out.Int(int64(len(v)))
	return nil
}

// HINCRBY key field increment
func cmdHIncrBy(c *Context) error {
	delta, ok := protocol.ParseInt(c.Args[3])
	if !ok {
		return protocol.ErrNotInteger
	}
	n, err := c.Tx.HIncrBy(c.Args[1], c.Args[2], delta)
	if err != nil {
		return err
	}
	c.Out.Int(n)
	return nil
}

// HINCRBYFLOAT key field increment
func cmdHIncrByFloat(c *Context) error {
	v, err := c.Tx.HIncrByFloat(c.Args[1], c.Args[2], c.Args[3])
	if err != nil {
		return err
	}
	c.Out.Bulk(v)
	return nil
}

// HRANDFIELD key [count [WITHVALUES]]
func cmdHRandField(c *Context) error {
	args := c.Args
	if len(args) == 2 {
		pairs, err := c.Tx.HRandField(args[1], 1)
		if err != nil {
			return err
		}
		if len(pairs) == 0 {
			c.Out.Null()
		} else {
			c.Out.Bulk(pairs[0])
		}
		return nil
	}
	count, withValues, err := parseRandCount(args, "withvalues")
	if err != nil {
		return err
	}
	pairs, err := c.Tx.HRandField(args[1], count)
	if err != nil {
		return err
	}
	writeRandPairs(c, len(pairs)/2, withValues, func(i int) {
		c.Out.Bulk(pairs[2*i])
	}, func(i int) {
		c.Out.Bulk(pairs[2*i+1])
	})
	return nil
}

// maxRandRepeat bounds the negative counts of HRANDFIELD, SRANDMEMBER
// and ZRANDMEMBER (elements repeated). Redis would stream a reply of any
// size; Cairn builds it first, so an absurd count would exhaust memory
// and take the server down. Beyond this it answers "value is out of
// range".
const maxRandRepeat = 1 << 26

// parseRandCount parses the "count [WITHxxx]" of HRANDFIELD and
// ZRANDMEMBER.
func parseRandCount(args [][]byte, with string) (int64, bool, error) {
	if len(args) > 4 || (len(args) == 4 && !protocol.EqualFold(args[3], with)) {
		return 0, false, protocol.ErrSyntax
	}
	count, ok := protocol.ParseInt(args[2])
	if !ok {
		return 0, false, protocol.ErrNotInteger
	}
	withValues := len(args) == 4
	// Redis refuses counts whose reply size would overflow.
	if (withValues && count < -(1<<62-1)) || count < -maxRandRepeat {
		return 0, false, protocol.ErrValueOutOfRange
	}
	return count, withValues, nil
}

// writeRandPairs writes n elements, each as a "field value" pair when
// with is set (Writer.Pairs: flat in RESP2, nested in RESP3).
func writeRandPairs(c *Context, n int, with bool, key, val func(i int)) {
	if !with {
		c.Out.Array(n)
		for i := 0; i < n; i++ {
			key(i)
		}
		return
	}
	c.Out.Pairs(n)
	for i := 0; i < n; i++ {
		c.Out.Pair()
		key(i)
		val(i)
	}
}

// HSCAN key cursor [MATCH pattern] [COUNT count]
func cmdHScan(c *Context) error {
	return collScan(c, func(cursor uint64, o store.CollScanOptions) (uint64, [][]byte, bool, error) {
		return c.Tx.HScan(c.Args[1], cursor, o)
	})
}
