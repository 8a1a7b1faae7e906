package server

import (
	"bytes"

	"github.com/cairn-db/cairn/protocol"
	"github.com/cairn-db/cairn/store"
)

func sortCommands() []*Command {
	return []*Command{
		keyCmd("sort", -2, FlagWrite|FlagDenyOOM, 1, 1, 1, sortCmd(false)),
		keyCmd("sort_ro", -2, FlagRead, 1, 1, 1, sortCmd(true)),
	}
}

// SORT key [BY pattern] [LIMIT offset count] [GET pattern …] [ASC|DESC]
// [ALPHA] [STORE destination]; SORT_RO takes the same options but STORE.
func sortCmd(readonly bool) Handler {
	return func(c *Context) error {
		full := c.Server.fullKeyRead(c.Client, c.Cmd, c.Args)
		o, err := parseSort(c.Args, readonly, full)
		if err != nil {
			return err
		}
		o.Stable = c.Client.caller != nil // a script's result must not depend on internal order
		out, err := c.Tx.Sort(c.Args[1], o)
		if err != nil {
			return err
		}
		if o.Store != nil {
			c.Out.Int(int64(len(out)))
			return nil
		}
		c.Out.Array(len(out))
		for _, v := range out {
			c.bulkOrNull(v, v != nil)
		}
		return nil
	}
}

// parseSort parses SORT's options as Redis's sortCommandGeneric: later
// options override earlier ones, GET accumulates. BY with a pattern and
// GET read other keys, which only a user who may read every key
// (fullKeys) may use, as in Redis.
func parseSort(args [][]byte, readonly, fullKeys bool) (store.SortOptions, error) {
	var o store.SortOptions
	for j := 2; j < len(args); j++ {
		a, left := args[j], len(args)-j-1
		switch {
		case protocol.EqualFold(a, "asc"):
			o.Desc = false
		case protocol.EqualFold(a, "desc"):
			o.Desc = true
		case protocol.EqualFold(a, "alpha"):
			o.Alpha = true
		case protocol.EqualFold(a, "limit") && left >= 2:
			off, ok1 := protocol.ParseInt(args[j+1])
			cnt, ok2 := protocol.ParseInt(args[j+2])
			if !ok1 || !ok2 {
				return o, protocol.ErrNotInteger
			}
			o.Limit, o.Offset, o.Count = true, off, cnt
			j += 2
		case !readonly && protocol.EqualFold(a, "store") && left >= 1:
			o.Store = args[j+1]
			j++
		case protocol.EqualFold(a, "by") && left >= 1:
			if !fullKeys && bytes.IndexByte(args[j+1], '*') >= 0 {
				return o, protocol.Error("ERR BY option of SORT denied due to insufficient ACL permissions.")
			}
			o.By = args[j+1]
			j++
		case protocol.EqualFold(a, "get") && left >= 1:
			if !fullKeys {
				return o, protocol.Error("ERR GET option of SORT denied due to insufficient ACL permissions.")
			}
			o.Gets = append(o.Gets, args[j+1])
			j++
		default:
			return o, protocol.ErrSyntax
		}
	}
	return o, nil
}
