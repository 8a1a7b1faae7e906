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
	err := parseScanOptions(args, &o.Match, &o.Count, nil)
	return o, err
}

// parseScanOptions parses the [MATCH pattern] [COUNT count] options shared
// by SCAN and HSCAN/SSCAN/ZSCAN, and [TYPE type] when kind is not nil (SCAN
// only), into the given fields; a MATCH of "*" leaves match empty.
func parseScanOptions(args [][]byte, match *string, count *int, kind *store.Kind) error {
	for i := 0; i < len(args); i += 2 {
		if i+1 >= len(args) {
			return protocol.ErrSyntax
		}
		opt, val := args[i], args[i+1]
		switch {
		case protocol.EqualFold(opt, "match"):
			if string(val) != "*" {
				*match = string(val)
			}
		case protocol.EqualFold(opt, "count"):
			n, ok := protocol.ParseInt(val)
			if !ok {
				return protocol.ErrNotInteger
			}
			if n < 1 {
				return protocol.ErrSyntax
			}
			*count = int(min(n, 1<<30))
		case kind != nil && protocol.EqualFold(opt, "type"):
			k, ok := store.ParseKind(string(val))
			if !ok {
				return protocol.Error("ERR unknown type name '" + string(val) + "'")
			}
			*kind = k
		default:
			return protocol.ErrSyntax
		}
	}
	return nil
}
