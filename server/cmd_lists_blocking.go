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
	var one [1][]byte
	vals, err := tx.ListPop(one[:0], key, end, 1)
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
		// Redis answers WRONGTYPE for a key of another type met before a
		// non-empty list.
		return popOrBlock(c, c.Args[1:len(c.Args)-1], timeout, eachKey(func(tx *store.Tx, key []byte, out *protocol.Writer) (bool, error) {
			return popOne(tx, key, end, out)
		}))
	}
}

// popServe pops from the first of keys that holds a value of the
// command's type and writes the reply; false (writing nothing) when none
// does. Its error is the WRONGTYPE Redis answers for a key of another type
// met before a non-empty one.
type popServe func(tx *store.Tx, keys [][]byte, out *protocol.Writer) (bool, error)

// eachKey makes a popServe that tries pop on each key in turn.
func eachKey(pop func(tx *store.Tx, key []byte, out *protocol.Writer) (bool, error)) popServe {
	return func(tx *store.Tx, keys [][]byte, out *protocol.Writer) (bool, error) {
		for _, k := range keys {
			if ok, err := pop(tx, k, out); ok || err != nil {
				return ok, err
			}
		}
		return false, nil
	}
}

// popOrBlock is the shared body of the blocking pops (BLPOP, BLMPOP,
// BZPOPMIN, BZMPOP): serve at once when one of keys is non-empty,
// otherwise wait on keys (see blocking.go) until serve succeeds on one of
// them or timeout passes, answering a null array then.
func popOrBlock(c *Context, keys [][]byte, timeout int64, serve popServe) error {
	if ok, err := serve(c.Tx, keys, c.Out); ok || err != nil {
		return err
	}
	c.Block(keys, timeout, func(tx *store.Tx, key []byte, out *protocol.Writer) bool {
		ok, _ := serve(tx, [][]byte{key}, out)
		return ok
	}, writeNullArray)
	return nil
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
	return popOrBlock(c, m.keys, timeout, serve)
}

// BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout
func cmdBLMove(c *Context) error {
	from, to, err := parseMoveEnds(c.Args[3], c.Args[4])
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
