package server

import (
	"github.com/cairn-db/cairn/protocol"
	"github.com/cairn-db/cairn/store"
)

// The blocking sorted-set pops follow the blocking list pops (see
// blocking.go): serve at once when a key holds a sorted set, otherwise
// wait FIFO for a ZADD (or a store) that marks the key ready; inside
// MULTI/EXEC answer the timeout reply at once.

func zsetBlockingCommands() []*Command {
	const w, fast, blk = FlagWrite, FlagFast, FlagBlocking
	return []*Command{
		// Redis 7.0 refuses these two in scripts (noscript), not BZMPOP.
		keyCmd("bzpopmin", -3, w|fast|blk|FlagNoScript, 1, -2, 1, bzpopCmd(false)),
		keyCmd("bzpopmax", -3, w|fast|blk|FlagNoScript, 1, -2, 1, bzpopCmd(true)),
		&Command{Name: "bzmpop", Arity: -5, Flags: w | blk, Handler: cmdBZMPop},
	}
}

// zpopOne pops one element from key and writes [key, member, score];
// false when the key holds no sorted set.
func zpopOne(tx *store.Tx, key []byte, max bool, out *protocol.Writer) (bool, error) {
	items, err := tx.ZPop(key, 1, max)
	if err != nil || len(items) == 0 {
		return false, err
	}
	out.Array(3)
	out.Bulk(key)
	out.Bulk(items[0].Member)
	out.Double(items[0].Score)
	return true, nil
}

// BZPOPMIN / BZPOPMAX key [key …] timeout
func bzpopCmd(max bool) Handler {
	return func(c *Context) error {
		timeout, err := protocol.ParseTimeout(c.Args[len(c.Args)-1])
		if err != nil {
			return err
		}
		keys := c.Args[1 : len(c.Args)-1]
		for _, k := range keys {
			// WRONGTYPE for a key of another type met before a
			// non-empty sorted set, as Redis.
			if ok, err := zpopOne(c.Tx, k, max, c.Out); ok || err != nil {
				return err
			}
		}
		c.Block(keys, timeout, func(tx *store.Tx, key []byte, out *protocol.Writer) bool {
			ok, _ := zpopOne(tx, key, max, out)
			return ok
		}, writeNullArray)
		return nil
	}
}

// BZMPOP timeout numkeys key [key …] MIN|MAX [COUNT count]
func cmdBZMPop(c *Context) error {
	timeout, err := protocol.ParseTimeout(c.Args[1])
	if err != nil {
		return err
	}
	keys, max, count, err := parseZMPop(c.Args, 2)
	if err != nil {
		return err
	}
	serve := func(tx *store.Tx, keys [][]byte, out *protocol.Writer) (bool, error) {
		key, items, err := tx.ZMPop(keys, count, max)
		if err != nil || key == nil {
			return false, err
		}
		writeMPop(out, key, items)
		return true, nil
	}
	if ok, err := serve(c.Tx, keys, c.Out); ok || err != nil {
		return err
	}
	c.Block(keys, timeout, func(tx *store.Tx, key []byte, out *protocol.Writer) bool {
		ok, _ := serve(tx, [][]byte{key}, out)
		return ok
	}, writeNullArray)
	return nil
}
