package server

import (
	"github.com/cairn-db/cairn/protocol"
	"github.com/cairn-db/cairn/server/commandmeta"
)

// COMMAND GETKEYS command arg…: the keys of a full command line, as
// cluster clients and proxies find them.
func cmdCommandGetKeys(c *Context) error { return commandGetKeys(c, false) }

// COMMAND GETKEYSANDFLAGS command arg…: the keys with the flags of the
// key spec (or key finder) that found each: RO, RW, OW, RM, access,
// update, insert, delete…
func cmdCommandGetKeysAndFlags(c *Context) error { return commandGetKeys(c, true) }

// commandGetKeys answers both as Redis 7.0's getKeysSubcommandImpl: the
// command's key specs find the keys (server/commandmeta), with the same
// fallbacks and errors.
func commandGetKeys(c *Context, withFlags bool) error {
	args := c.Args[2:]
	cmd := c.Server.table.lookup(args[0])
	if cmd != nil && cmd.Subcommands != nil && len(args) > 1 {
		cmd = cmd.subcommand(args[1]) // an unknown subcommand is no command
	}
	if cmd == nil {
		return protocol.Error("ERR Invalid command specified")
	}
	name := cmd.FullName()
	switch {
	case !commandmeta.HasKeys(name):
		return protocol.Error("ERR The command has no key arguments")
	case !cmd.arityOK(len(args)):
		return protocol.Error("ERR Invalid number of arguments specified for command")
	}
	keys := commandmeta.Keys(name, args)
	if len(keys) == 0 && !noMandatoryKeys[name] {
		return protocol.Error("ERR Invalid arguments specified for command")
	}
	c.Out.Array(len(keys))
	for _, k := range keys {
		if withFlags {
			c.Out.Array(2)
		}
		c.Out.Bulk(args[k.Pos])
		if withFlags {
			c.Out.Set(len(k.Flags))
			for _, f := range k.Flags {
				c.Out.Status(f)
			}
		}
	}
	return nil
}
