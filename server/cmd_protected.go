package server

import "github.com/cairn-db/cairn/protocol"

// MODULE answers as a redis-server whose enable-module-command is "no",
// its default: no module is loaded, and none may be. Cairn cannot load
// Redis modules (they are C shared objects written against Redis's
// internals), so the setting cannot be changed either.
func moduleCommands() []*Command {
	const admin = FlagAdmin | FlagNoScript
	return []*Command{container("module", -2, 0,
		cmd("list", 2, admin, cmdModuleList),
		protectedCmd("load", -3, admin|FlagNoAsyncLoading, errModuleCommand),
		protectedCmd("loadex", -3, admin|FlagNoAsyncLoading, errModuleCommand),
		protectedCmd("unload", 3, admin|FlagNoAsyncLoading, errModuleCommand),
		cmd("help", 2, FlagLoading|FlagStale, cmdModuleHelp),
	)}
}

// errModuleCommand is Redis's reply to MODULE LOAD, LOADEX and UNLOAD
// under enable-module-command no, before they are queued in MULTI.
const errModuleCommand protocol.Error = `ERR MODULE command not allowed. If the enable-module-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.`

// MODULE LIST: no modules.
func cmdModuleList(c *Context) error {
	c.Out.Array(0)
	return nil
}

// MODULE HELP
func cmdModuleHelp(c *Context) error {
	return writeHelp(c, "MODULE", []string{
		"LIST", "    Return a list of loaded modules.",
		"LOAD <path> [<arg> ...]", "    Load a module library from <path>, passing to it any optional arguments.",
		"LOADEX <path> [[CONFIG NAME VALUE] [CONFIG NAME VALUE]] [ARGS ...]", "    Load a module library from <path>, while passing it module configurations and optional arguments.",
		"UNLOAD <name>", "    Unload a module.",
	})
}
