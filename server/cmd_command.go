package server

import (
	"strings"

	"github.com/cairn-db/cairn/protocol"
	"github.com/cairn-db/cairn/server/commandmeta"
	"github.com/cairn-db/cairn/store"
)

func commandCommand() *Command {
	c := container("command", -1, FlagLoading|FlagStale,
		cmd("count", 2, FlagLoading|FlagStale, cmdCommandCount),
		cmd("info", -2, FlagLoading|FlagStale, cmdCommandInfo),
		cmd("docs", -2, FlagLoading|FlagStale, cmdCommandDocs),
		cmd("list", -2, FlagLoading|FlagStale, cmdCommandList),
		cmd("getkeys", -4, FlagLoading|FlagStale, cmdCommandGetKeys),
		cmd("getkeysandflags", -4, FlagLoading|FlagStale, cmdCommandGetKeysAndFlags),
		cmd("help", 2, FlagLoading|FlagStale, cmdCommandHelp),
	)
	// Bare COMMAND lists every command.
	c.Handler = cmdCommandInfo
	return c
}

// COMMAND COUNT
func cmdCommandCount(c *Context) error {
	c.Out.Int(int64(len(c.Server.table.cmds)))
	return nil
}

// COMMAND INFO [name …], and bare COMMAND.
func cmdCommandInfo(c *Context) error {
	t := c.Server.table
	if len(c.Args) <= 2 {
		all := t.sorted()
		c.Out.Array(len(all))
		for _, cmd := range all {
			writeCommandInfo(c.Out, cmd)
		}
		return nil
	}
	names := c.Args[2:]
	c.Out.Array(len(names))
	for _, n := range names {
		if cmd := t.lookupFull(n); cmd != nil {
			writeCommandInfo(c.Out, cmd)
		} else {
			c.Out.Null()
		}
	}
	return nil
}

// lookupFull finds "get" or "client|setname".
func (t *Table) lookupFull(name []byte) *Command {
	parent, sub, ok := strings.Cut(strings.ToLower(string(name)), "|")
	cmd := t.cmds[parent]
	if cmd == nil || !ok {
		return cmd
	}
	return cmd.Subcommands[sub]
}

// writeCommandInfo writes Redis 7's command-info array: name, arity,
// flags, first key, last key, step, ACL categories, tips, key specs,
// subcommands.
func writeCommandInfo(w *protocol.Writer, cmd *Command) {
	w.Array(10)
	w.BulkString(cmd.FullName())
	w.Int(int64(cmd.Arity))
	flags := infoFlags(cmd)
	w.Set(len(flags))
	for _, f := range flags {
		w.Status(f)
	}
	w.Int(int64(cmd.FirstKey))
	w.Int(int64(cmd.LastKey))
	w.Int(int64(cmd.Step))
	cats := cmd.categories()
	w.Set(len(cats))
	for _, cat := range cats {
		w.Status(cat)
	}
	meta := commandmeta.Lookup(cmd.FullName())
	meta.WriteTips(w)
	meta.WriteKeySpecs(w)
	subs := cmd.subs()
	if len(subs) == 0 {
		w.Set(0) // as Redis's addReplyCommandSubCommands
		return
	}
	w.Array(len(subs))
	for _, s := range subs {
		writeCommandInfo(w, s)
	}
}

// group is the command's Redis group ("string", "list", "generic"…).
func (c *Command) group() string {
	if c.parent != nil {
		return c.parent.group()
	}
	return c.Group
}

// COMMAND DOCS [name …]: Redis 7.0's documentation of each command
// (server/commandmeta); unknown names are left out.
func cmdCommandDocs(c *Context) error {
	t := c.Server.table
	var cmds []*Command
	if len(c.Args) == 2 {
		cmds = t.sorted()
	} else {
		for _, n := range c.Args[2:] {
			if cmd := t.lookupFull(n); cmd != nil {
				cmds = append(cmds, cmd)
			}
		}
	}
	c.Out.Map(len(cmds))
	for _, cmd := range cmds {
		writeCommandDocs(c.Out, cmd)
	}
	return nil
}

// writeCommandDocs writes a command's name and documentation map, its
// subcommands' nested under "subcommands" as Redis does.
func writeCommandDocs(w *protocol.Writer, cmd *Command) {
	w.BulkString(cmd.FullName())
	meta := commandmeta.Lookup(cmd.FullName())
	subs := cmd.subs()
	n := meta.DocFields()
	if len(subs) > 0 {
		n++
	}
	w.Map(n)
	meta.WriteDocs(w, cmd.group())
	if len(subs) > 0 {
		w.BulkString("subcommands")
		w.Map(len(subs))
		for _, s := range subs {
			writeCommandDocs(w, s)
		}
	}
}

// COMMAND LIST [FILTERBY MODULE name|ACLCAT cat|PATTERN pattern]
func cmdCommandList(c *Context) error {
	var keep func(*Command) bool
	args := c.Args[2:]
	switch {
	case len(args) == 0:
	case len(args) == 3 && protocol.EqualFold(args[0], "filterby"):
		val := strings.ToLower(string(args[2]))
		switch {
		case protocol.EqualFold(args[1], "module"):
			keep = func(*Command) bool { return false }
		case protocol.EqualFold(args[1], "aclcat"):
			keep = func(cmd *Command) bool {
				for _, cat := range cmd.categories() {
					if cat == "@"+val {
						return true
					}
				}
				return false
			}
		case protocol.EqualFold(args[1], "pattern"):
			keep = func(cmd *Command) bool { return store.Match(val, cmd.FullName(), true) }
		default:
			return protocol.ErrSyntax
		}
	default:
		return protocol.ErrSyntax
	}
	// As Redis 7.0, subcommands are listed too, by their full names
	// (acl|cat), and a filter applies to each on its own.
	var names []string
	for _, cmd := range c.Server.table.sorted() {
		for _, sub := range append([]*Command{cmd}, cmd.subs()...) {
			if keep == nil || keep(sub) {
				names = append(names, sub.FullName())
			}
		}
	}
	c.Out.Array(len(names))
	for _, n := range names {
		c.Out.BulkString(n)
	}
	return nil
}

// COMMAND HELP
func cmdCommandHelp(c *Context) error {
	return writeHelp(c, "COMMAND", []string{
		"(no subcommand)", "    Return details about all commands.",
		"COUNT", "    Return the total number of commands in this server.",
		"LIST", "    Return a list of all commands in this server.",
		"INFO [<command-name> ...]", "    Return details about multiple commands.",
		"DOCS [<command-name> ...]", "    Return documentation details about multiple commands.",
		"GETKEYS <full-command>", "    Return the keys from a full command.",
		"GETKEYSANDFLAGS <full-command>", "    Return the keys and the access flags from a full command.",
	})
}
