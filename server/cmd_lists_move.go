package server

import (
	"github.com/cairn-db/cairn/protocol"
	"github.com/cairn-db/cairn/store"
)

// The list commands that pick an end: LMOVE, RPOPLPUSH and LMPOP (their
// blocking forms are in cmd_lists_blocking.go).

// parseEnd parses LEFT or RIGHT.
func parseEnd(b []byte) (store.ListEnd, error) {
	switch {
	case protocol.EqualFold(b, "left"):
		return store.ListHead, nil
	case protocol.EqualFold(b, "right"):
		return store.ListTail, nil
	}
	return store.ListHead, protocol.ErrSyntax
}

// LMOVE source destination LEFT|RIGHT LEFT|RIGHT
func cmdLMove(c *Context) error {
	from, to, err := parseMoveEnds(c.Args[3], c.Args[4])
	if err != nil {
		return err
	}
	return lmove(c, from, to)
}

// parseMoveEnds parses the wherefrom and whereto of LMOVE and BLMOVE.
func parseMoveEnds(a, b []byte) (from, to store.ListEnd, err error) {
	if from, err = parseEnd(a); err != nil {
		return
	}
	to, err = parseEnd(b)
	return
}

// RPOPLPUSH source destination
func cmdRPopLPush(c *Context) error { return lmove(c, store.ListTail, store.ListHead) }

func lmove(c *Context, from, to store.ListEnd) error {
	v, ok, err := c.Tx.ListMove(c.Args[1], c.Args[2], from, to)
	if err != nil {
		return err
	}
	c.bulkOrNull(v, ok)
	return nil
}

// mpopArgs are LMPOP's (and BLMPOP's) numkeys, keys, end and COUNT,
// parsed from args starting at numkeys.
type mpopArgs struct {
	keys  [][]byte
	end   store.ListEnd
	count int64
}

func parseMPop(args [][]byte) (mpopArgs, error) {
	var m mpopArgs
	n, ok := protocol.ParseInt(args[0])
	if !ok || n <= 0 {
		return m, protocol.Error("ERR numkeys should be greater than 0")
	}
	if n >= int64(len(args))-1 {
		return m, protocol.ErrSyntax
	}
	m.keys = args[1 : 1+n]
	end, err := parseEnd(args[1+n])
	if err != nil {
		return m, err
	}
	m.end = end
	m.count = -1
	for i := 2 + int(n); i < len(args); i++ {
		if m.count == -1 && protocol.EqualFold(args[i], "count") && i+1 < len(args) {
			cnt, ok := protocol.ParseInt(args[i+1])
			if !ok || cnt <= 0 {
				return m, protocol.Error("ERR count should be greater than 0")
			}
			m.count = cnt
			i++
			continue
		}
		return m, protocol.ErrSyntax
	}
	if m.count == -1 {
		m.count = 1
	}
	return m, nil
}

// LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]
func cmdLMPop(c *Context) error {
	m, err := parseMPop(c.Args[1:])
	if err != nil {
		return err
	}
	key, vals, err := c.Tx.ListMPop(m.keys, m.end, int(min(m.count, 1<<40)))
	switch {
	case err != nil:
		return err
	case key == nil:
		c.Out.NullArray()
	default:
		c.Out.Array(2)
		c.Out.Bulk(key)
		c.bulks(vals)
	}
	return nil
}
