package server

import (
	"github.com/cairn-db/cairn/protocol"
	"github.com/cairn-db/cairn/store"
)

func dumpCommands() []*Command {
	return []*Command{
		keyCmd("dump", 2, FlagRead, 1, 1, 1, cmdDump),
		keyCmd("restore", -4, FlagWrite|FlagDenyOOM, 1, 1, 1, cmdRestore),
		keyCmd("migrate", -6, FlagWrite|flagOwnTx, 3, 3, 1, cmdMigrate),
	}
}

// DUMP key
func cmdDump(c *Context) error {
	p, ok := c.Tx.Dump(c.Args[1])
	if !ok {
		c.Out.Null()
		return nil
	}
	c.Out.Bulk(p)
	return nil
}

// RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds]
// [FREQ frequency]. The checks run in Redis's order: options, then an
// existing key, then the TTL, then the payload.
func cmdRestore(c *Context) error {
	o := store.RestoreOptions{Idle: -1, Freq: -1}
	args := c.Args[4:]
	for i := 0; i < len(args); i++ {
		more := i+1 < len(args)
		switch {
		case protocol.EqualFold(args[i], "replace"):
			o.Replace = true
		case protocol.EqualFold(args[i], "absttl"):
			o.AbsTTL = true
		case protocol.EqualFold(args[i], "idletime") && more && o.Freq == -1:
			n, ok := protocol.ParseInt(args[i+1])
			if !ok {
				return protocol.ErrNotInteger
			}
			if n < 0 {
				return protocol.ErrInvalidIdleTime
			}
			o.Idle = n
			i++
		case protocol.EqualFold(args[i], "freq") && more && o.Idle == -1:
			n, ok := protocol.ParseInt(args[i+1])
			if !ok {
				return protocol.ErrNotInteger
			}
			if n < 0 || n > 255 {
				return protocol.ErrInvalidFreq
			}
			o.Freq = n
			i++
		default:
			return protocol.ErrSyntax
		}
	}
	if !o.Replace && c.Tx.Has(c.Args[1]) {
		return protocol.ErrBusyKey
	}
	ttl, ok := protocol.ParseInt(c.Args[2])
	if !ok {
		return protocol.ErrNotInteger
	}
	if ttl < 0 {
		return protocol.ErrInvalidTTL
	}
	o.TTL = ttl
	if err := c.Tx.Restore(c.Args[1], c.Args[3], o); err != nil {
		return err
	}
	c.Out.OK()
	return nil
}
