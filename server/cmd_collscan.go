package server

import (
	"strconv"

	"github.com/cairn-db/cairn/protocol"
	"github.com/cairn-db/cairn/store"
)

// collScan runs HSCAN, SSCAN or ZSCAN (key cursor [MATCH p] [COUNT n]).
// As in Redis, the cursor is checked first, then the key (a missing key
// is an empty scan whatever the options), then the options.
func collScan(c *Context, scan func(uint64, store.CollScanOptions) (uint64, [][]byte, bool, error)) error {
	cursor, ok := protocol.ParseCursor(c.Args[2])
	if !ok {
		return protocol.ErrInvalidCursor
	}
	o, perr := parseCollScan(c.Args[3:])
	next, items, found, err := scan(cursor, o)
	switch {
	case err != nil:
		return err
	case !found:
		next, items = 0, nil
	case perr != nil:
		return perr
	}
	c.Out.Array(2)
	c.Out.BulkString(strconv.FormatUint(next, 10))
	c.Out.Array(len(items))
	for _, b := range items {
		c.Out.Bulk(b)
	}
	return nil
}

func parseCollScan(args [][]byte) (store.CollScanOptions, error) {
	o := store.CollScanOptions{Count: 10}
	for i := 0; i < len(args); i += 2 {
		if i+1 >= len(args) {
			return o, protocol.ErrSyntax
		}
		opt, val := args[i], args[i+1]
		switch {
		case protocol.EqualFold(opt, "match"):
			if string(val) != "*" {
				o.Match = string(val)
			}
		case protocol.EqualFold(opt, "count"):
			n, ok := protocol.ParseInt(val)
			if !ok {
				return o, protocol.ErrNotInteger
			}
			if n < 1 {
				return o, protocol.ErrSyntax
			}
			o.Count = int(min(n, 1<<30))
		default:
			return o, protocol.ErrSyntax
		}
	}
	return o, nil
}
