package server

import (
	"github.com/cairn-db/cairn/protocol"
	"github.com/cairn-db/cairn/store"
)

// The blocking list commands serve at once when one of their keys holds
// a list, and otherwise wait (see blocking.go); inside MULTI/EXEC they
// answer as their non-blocking forms.

func writeNullArray(out *protocol.Writer) { out.NullArray() }
func writeNull(out *protocol.Writer)      { out.Null() }

// popOne pops from end of the list at key and writes [key, element];
// false when the key holds no list.
func popOne(tx *store.Tx, key []byte, end store.ListEnd, out *protocol.Writer) (bool, error) {
	vals, err := tx.ListPop(key, end, 1)
	if err != nil || vals == nil {
		return false, err
	}
	out.Array(2)
	out.Bulk(key)
	out.Bulk(vals[0])
	return true, nil
}

// BLPOP / BRPOP key [key ...] timeout
func bpopCmd(end store.ListEnd) Handler {
	return func(c *Context) error {
		timeout, err := protocol.ParseTimeout(c.Args[len(c.Args)-1])
		if err != nil {
			return err
		}
		keys := c.Args[1 : len(c.Args)-1]
		for _, k := range keys {
			// Redis answers WRONGTYPE for a key of another type met before
			// a non-empty list.
			if ok, err := popOne(c.Tx, k, end, c.Out); ok || err != nil {
				return err
			}
		}
		c.Block(keys, timeout, func(tx *store.Tx, key []byte, out *protocol.Writer) bool {
			ok, _ := popOne(tx, key, end, out)
			return ok
		}, writeNullArray)
		return nil
	}
}

// BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]
func cmdBLMPop(c *Context) error {
	timeout, err := protocol.ParseTimeout(c.Args[1])
	if err != nil {
		return err
	}
	m, err := parseMPop(c.Args[2:])
	if err != nil {
		return err
	}
	count := int(min(m.count, 1<<40))
	serve := func(tx *store.Tx, keys [][]byte, out *protocol.Writer) (bool, error) {
		key, vals, err := tx.ListMPop(keys, m.end, count)
		if err != nil || key == nil {
			return false, err
		}
		out.Array(2)
		out.Bulk(key)
		out.Array(len(vals))
		for _, v := range vals {
			out.Bulk(v)
		}
		return true, nil
	}
	if ok, err := serve(c.Tx, m.keys, c.Out); ok || err != nil {
		return err
	}
	c.Block(m.keys, timeout, func(tx *store.Tx, key []byte, out *protocol.Writer) bool {
		ok, _ := serve(tx, [][]byte{key}, out)
		return ok
	}, writeNullArray)
	return nil
}

// BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout
func cmdBLMove(c *Context) error {
	from, err := parseEnd(c.Args[3])
	if err != nil {
		return err
	}
	to, err := parseEnd(c.Args[4])
	if err != nil {
		return err
	}
	return blmove(c, from, to, c.Args[5])
}

// BRPOPLPUSH source destination timeout
func cmdBRPopLPush(c *Context) error {
	return blmove(c, store.ListTail, store.ListHead, c.Args[3])
}

func blmove(c *Context, from, to store.ListEnd, timeoutArg []byte) error {
	timeout, err := protocol.ParseTimeout(timeoutArg)
	if err != nil {
		return err
	}
	dst := c.Args[2]
	v, ok, err := c.Tx.ListMove(c.Args[1], dst, from, to)
	if err != nil {
		return err
	}
	if ok {
		c.Out.Bulk(v)
		return nil
	}
	if !c.CanBlock() {
		// Inside MULTI Redis answers a null bulk, not the timeout's null
		// array.
		c.Out.Null()
		return nil
	}
	// Copied so a long wait does not pin the whole request buffer.
	dst = append([]byte(nil), dst...)
	c.Block(c.Args[1:2], timeout, func(tx *store.Tx, key []byte, out *protocol.Writer) bool {
		v, ok, err := tx.ListMove(key, dst, from, to)
		switch {
		case err == store.ErrWrongType && tx.Type(key) == store.KindList:
			// The destination holds another type: Redis unblocks the
			// client with the error rather than lose the element.
			out.Error(string(protocol.ErrWrongType))
			return true
		case err != nil || !ok:
			return false
		}
		out.Bulk(v)
		return true
	}, writeNullArray)
	return nil
}
