package server

import (
	"strconv"

	"github.com/cairn-db/cairn/protocol"
	"github.com/cairn-db/cairn/store"
)

func keyspaceCommands() []*Command {
	const w, r, fast, oom = FlagWrite, FlagRead, FlagFast, FlagDenyOOM
	return []*Command{
		keyCmd("del", -2, w, 1, -1, 1, cmdDel),
		keyCmd("unlink", -2, w|fast, 1, -1, 1, cmdDel),
		keyCmd("exists", -2, r|fast, 1, -1, 1, cmdExists),
		keyCmd("touch", -2, r|fast, 1, -1, 1, cmdTouch),
		keyCmd("type", 2, r|fast, 1, 1, 1, cmdType),
		cmd("keys", 2, r, cmdKeys),
		cmd("scan", -2, r, cmdScan),
		cmd("randomkey", 1, r, cmdRandomKey),
		keyCmd("rename", 3, w, 1, 2, 1, cmdRename),
		keyCmd("renamenx", 3, w|fast, 1, 2, 1, cmdRenameNX),
		keyCmd("copy", -3, w|oom, 1, 2, 1, cmdCopy),
		keyCmd("move", 3, w|fast, 1, 1, 1, cmdMove),
		cmd("dbsize", 1, r|fast, cmdDBSize),
	}
}

// DEL key [key …] (and UNLINK, which frees memory the same way here)
func cmdDel(c *Context) error {
	c.Out.Int(int64(c.Tx.Del(c.Args[1:]...)))
	return nil
}

// EXISTS key [key …]
func cmdExists(c *Context) error {
	c.Out.Int(int64(c.Tx.Exists(c.Args[1:]...)))
	return nil
}

// TOUCH key [key …]
func cmdTouch(c *Context) error {
	c.Out.Int(int64(c.Tx.Touch(c.Args[1:]...)))
	return nil
}

// TYPE key
func cmdType(c *Context) error {
	c.Out.Status(c.Tx.Type(c.Args[1]).String())
	return nil
}

// KEYS pattern
func cmdKeys(c *Context) error {
	keys := c.Tx.Keys(c.Args[1])
	c.Out.Array(len(keys))
	for _, k := range keys {
		c.Out.BulkString(k)
	}
	return nil
}

// SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]
func cmdScan(c *Context) error {
	cursor, ok := protocol.ParseCursor(c.Args[1])
	if !ok {
		return protocol.ErrInvalidCursor
	}
	o := store.ScanOptions{Count: 10}
	if err := parseScanOptions(c.Args[2:], &o.Match, &o.Count, &o.Kind); err != nil {
		return err
	}
	next, keys := c.Tx.Scan(cursor, o)
	c.Out.Array(2)
	c.Out.BulkString(strconv.FormatUint(next, 10))
	c.Out.Array(len(keys))
	for _, k := range keys {
		c.Out.BulkString(k)
	}
	return nil
}

// RANDOMKEY
func cmdRandomKey(c *Context) error {
	k, ok := c.Tx.RandomKey()
	if !ok {
		c.Out.Null()
		return nil
	}
	c.Out.BulkString(k)
	return nil
}

// RENAME key newkey
func cmdRename(c *Context) error {
	_, err := c.Tx.Rename(c.Args[1], c.Args[2], false)
	return c.ok(err)
}

// RENAMENX key newkey
func cmdRenameNX(c *Context) error {
	done, err := c.Tx.Rename(c.Args[1], c.Args[2], true)
	if err != nil {
		return err
	}
	c.Out.Bool(done)
	return nil
}

// COPY source destination [DB destination-db] [REPLACE]
func cmdCopy(c *Context) error {
	db := c.Tx.DB()
	replace := false
	args := c.Args[3:]
	for i := 0; i < len(args); i++ {
		switch {
		case protocol.EqualFold(args[i], "replace"):
			replace = true
		case protocol.EqualFold(args[i], "db") && i+1 < len(args):
			n, ok := protocol.ParseInt(args[i+1])
			if !ok {
				return protocol.ErrNotInteger
			}
			if n < 0 || n >= int64(c.Server.store.Databases()) {
				return protocol.ErrDBIndexRange
			}
			db = int(n)
			i++
		default:
			return protocol.ErrSyntax
		}
	}
	done, err := c.Tx.Copy(c.Args[1], c.Args[2], db, replace)
	if err != nil {
		return err
	}
	c.Out.Bool(done)
	return nil
}

// MOVE key db
func cmdMove(c *Context) error {
	n, ok := protocol.ParseInt(c.Args[2])
	if !ok {
		return protocol.ErrNotInteger
	}
	if n < 0 || n >= int64(c.Server.store.Databases()) {
		return protocol.ErrDBIndexRange
	}
	done, err := c.Tx.Move(c.Args[1], int(n))
	if err != nil {
		return err
	}
	c.Out.Bool(done)
	return nil
}

// DBSIZE
func cmdDBSize(c *Context) error {
	c.Out.Int(int64(c.Tx.DBSize()))
	return nil
}
