package server

import (
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/cairn-db/cairn/protocol"
	"github.com/cairn-db/cairn/store"
)

// FCALL, FCALL_RO and the FUNCTION container (functions.go has the
// registry). The writing subcommands run in a store transaction, so their
// library records join its batch.

func functionCommands() []*Command {
	const std = FlagNoScript | FlagStale | FlagSkipMonitor | flagAtomic
	const w = FlagWrite | FlagNoScript
	return []*Command{
		scriptCmd("fcall", std, cmdFCall),
		scriptCmd("fcall_ro", std|FlagRead, cmdFCallRO),
		container("function", -2, 0,
			cmd("load", -3, w|FlagDenyOOM, cmdFunctionLoad),
			cmd("delete", 3, w, cmdFunctionDelete),
			cmd("flush", -2, w, cmdFunctionFlush),
			cmd("restore", -3, w|FlagDenyOOM, cmdFunctionRestore),
			cmd("dump", 2, FlagNoScript, cmdFunctionDump),
			cmd("list", -2, FlagNoScript, cmdFunctionList),
			cmd("stats", 2, FlagNoScript|FlagAllowBusy, cmdFunctionStats),
			cmd("kill", 2, FlagNoScript|FlagAllowBusy, cmdFunctionKill),
			cmd("help", 2, FlagLoading|FlagStale, cmdFunctionHelp),
		),
	}
}

// FCALL function numkeys [key ...] [arg ...]
func cmdFCall(c *Context) error { return fcall(c, false) }

// FCALL_RO function numkeys [key ...] [arg ...]
func cmdFCallRO(c *Context) error { return fcall(c, true) }

func fcall(c *Context, ro bool) error {
	s := c.Server
	fs := &s.functions
	f := fs.lookup(c.Args[1])
	if f == nil {
		return errFunctionNotFound
	}
	n, ok := protocol.ParseInt(c.Args[2])
	switch {
	case !ok:
		return errBadNumKeys
	case n > int64(len(c.Args)-3):
		return protocol.ErrNumKeysTooMany
	case n < 0:
		return errNumKeysNegative
	}
	if err := s.scriptAdmits(c, f.flags, ro); err != nil {
		return err
	}
	vm := fs.machine(s)
	L := vm.L
	params := []lua.LValue{stringTable(L, c.Args[3:3+n]), stringTable(L, c.Args[3+n:])}
	err := s.runLua(c, luaJob{vm: vm, name: f.name, chunk: functionChunk, fn: f.fn, params: params,
		readOnly: f.flags&fnNoWrites != 0, allowOOM: f.flags&fnAllowOOM != 0, function: true})
	switch err {
	case errInterrupted:
		line := vm.killedLine
		fs.rebuild(s)
		err = killedError(line, f.name, functionChunk)
	case errVMFailed:
		msg := vm.failure
		fs.rebuild(s)
		err = protocol.Error("ERR " + oneLineMsg(msg) + " script: " + f.name)
	}
	return err
}

// scriptAdmits applies the checks Redis derives from a function's or a
// shebang script's flags before running it: one that may write is refused
// over maxmemory (unless allow-oom), after a disk write error, and by
// FCALL_RO and EVAL_RO.
func (s *Server) scriptAdmits(c *Context, flags fnFlags, ro bool) error {
	if flags&fnNoWrites != 0 {
		return nil
	}
	if flags&fnAllowOOM == 0 && s.store.OverMaxMemory(s.maxMemory.Load()) && c.Tx.Evict() != nil {
		return ErrOOM
	}
	if s.engine != nil {
		if err := s.engine.Err(); err != nil {
			return misconf(err)
		}
	}
	if s.noReplicas.Load() {
		return errNoReplicas
	}
	if ro {
		return errWriteFlagRO
	}
	return nil
}

// FUNCTION LOAD [REPLACE] code
func cmdFunctionLoad(c *Context) error {
	replace := false
	i := 2
	for ; i < len(c.Args)-1; i++ {
		if !protocol.EqualFold(c.Args[i], "replace") {
			return protocol.Error("ERR Unknown option given: " + string(c.Args[i]))
		}
		replace = true
	}
	name, err := c.Server.functions.load(c.Server, c.Tx, string(c.Args[i]), replace)
	if err != nil {
		return err
	}
	c.Out.BulkString(name)
	return nil
}

// FUNCTION DELETE library
func cmdFunctionDelete(c *Context) error {
	if err := c.Server.functions.remove(c.Tx, string(c.Args[2])); err != nil {
		return err
	}
	c.Out.OK()
	return nil
}

// FUNCTION FLUSH [ASYNC|SYNC]
func cmdFunctionFlush(c *Context) error {
	switch {
	case len(c.Args) > 3:
		return protocol.ErrSubcommandArgs(c.Args[1], "FUNCTION")
	case len(c.Args) == 3 && !protocol.EqualFold(c.Args[2], "sync") && !protocol.EqualFold(c.Args[2], "async"):
		return protocol.Error("ERR FUNCTION FLUSH only supports SYNC|ASYNC option")
	}
	c.Server.functions.flush(c.Tx)
	c.Out.OK()
	return nil
}

// FUNCTION DUMP
func cmdFunctionDump(c *Context) error {
	fs := &c.Server.functions
	fs.mu.Lock()
	var codes []string
	for _, l := range fs.set.sorted() {
		codes = append(codes, l.code)
	}
	fs.mu.Unlock()
	c.Out.Bulk(dumpLibraries(codes))
	return nil
}

// FUNCTION RESTORE payload [FLUSH|APPEND|REPLACE]
func cmdFunctionRestore(c *Context) error {
	if len(c.Args) > 4 {
		return protocol.ErrSubcommandArgs(c.Args[1], "FUNCTION")
	}
	policy := "append"
	if len(c.Args) == 4 {
		switch {
		case protocol.EqualFold(c.Args[3], "append"):
		case protocol.EqualFold(c.Args[3], "replace"):
			policy = "replace"
		case protocol.EqualFold(c.Args[3], "flush"):
			policy = "flush"
		default:
			return protocol.Error("ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.")
		}
	}
	codes, err := parseLibraryDump(c.Args[2])
	if err != nil {
		return protocol.Error("ERR " + err.Error())
	}
	if err := c.Server.functions.restore(c.Server, c.Tx, codes, policy); err != nil {
		return err
	}
	c.Out.OK()
	return nil
}

// FUNCTION LIST [LIBRARYNAME pattern] [WITHCODE]
func cmdFunctionList(c *Context) error {
	withCode := false
	var pattern []byte
	for i := 2; i < len(c.Args); i++ {
		a := c.Args[i]
		switch {
		case !withCode && protocol.EqualFold(a, "withcode"):
			withCode = true
		case pattern == nil && protocol.EqualFold(a, "libraryname"):
			if i >= len(c.Args)-1 {
				return protocol.Error("ERR library name argument was not given")
			}
			i++
			pattern = c.Args[i]
		default:
			return protocol.Error("ERR Unknown argument " + string(a))
		}
	}
	fs := &c.Server.functions
	fs.mu.Lock()
	defer fs.mu.Unlock()
	var libs []*functionLib
	for _, l := range fs.set.sorted() {
		if pattern == nil || store.Match(string(pattern), l.name, true) {
			libs = append(libs, l)
		}
	}
	w := c.Out
	w.Array(len(libs))
	for _, l := range libs {
		if withCode {
			w.Map(4)
		} else {
			w.Map(3)
		}
		w.BulkString("library_name")
		w.BulkString(l.name)
		w.BulkString("engine")
		w.BulkString("LUA")
		w.BulkString("functions")
		funcs := l.sortedFuncs()
		w.Array(len(funcs))
		for _, f := range funcs {
			writeFunctionInfo(w, f)
		}
		if withCode {
			w.BulkString("library_code")
			w.BulkString(l.code)
		}
	}
	return nil
}

func writeFunctionInfo(w *protocol.Writer, f *luaFunction) {
	w.Map(3)
	w.BulkString("name")
	w.BulkString(f.name)
	w.BulkString("description")
	if f.hasDesc {
		w.BulkString(f.desc)
	} else {
		w.Null()
	}
	w.BulkString("flags")
	n := 0
	for _, fl := range fnFlagNames {
		if f.flags&fl.f != 0 {
			n++
		}
	}
	w.Set(n)
	for _, fl := range fnFlagNames {
		if f.flags&fl.f != 0 {
			w.Status(fl.name)
		}
	}
}

// FUNCTION STATS
func cmdFunctionStats(c *Context) error {
	r := c.Server.scripts.running.Load()
	if r != nil && r.function == "" {
		return errBusy
	}
	w := c.Out
	w.Map(2)
	w.BulkString("running_script")
	if r == nil {
		w.Null()
	} else {
		w.Map(3)
		w.BulkString("name")
		w.BulkString(r.function)
		w.BulkString("command")
		w.Array(len(r.args))
		for _, a := range r.args {
			w.Bulk(a)
		}
		w.BulkString("duration_ms")
		w.Int(time.Since(r.start).Milliseconds())
	}
	libs, funcs := c.Server.functions.counts()
	w.BulkString("engines")
	w.Map(1)
	w.BulkString("LUA")
	w.Map(2)
	w.BulkString("libraries_count")
	w.Int(int64(libs))
	w.BulkString("functions_count")
	w.Int(int64(funcs))
	return nil
}

// FUNCTION KILL
func cmdFunctionKill(c *Context) error { return killScript(c, true) }

// FUNCTION HELP
func cmdFunctionHelp(c *Context) error {
	return writeHelp(c, "FUNCTION", []string{
		"LOAD [REPLACE] <FUNCTION CODE>",
		"    Create a new library with the given library name and code.",
		"DELETE <LIBRARY NAME>",
		"    Delete the given library.",
		"LIST [LIBRARYNAME PATTERN] [WITHCODE]",
		"    Return general information on all the libraries:",
		"    * Library name",
		"    * The engine used to run the Library",
		"    * Library description",
		"    * Functions list",
		"    * Library code (if WITHCODE is given)",
		"    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
		"STATS",
		"    Return information about the current function running:",
		"    * Function name",
		"    * Command used to run the function",
		"    * Duration in MS that the function is running",
		"    If no function is running, return nil",
		"    In addition, returns a list of available engines.",
		"KILL",
		"    Kill the current running function.",
		"FLUSH [ASYNC|SYNC]",
		"    Delete all the libraries.",
		"    When called without the optional mode argument, the behavior is determined by the",
		"    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
		"    * ASYNC: Asynchronously flush the libraries.",
		"    * SYNC: Synchronously flush the libraries.",
		"DUMP",
		"    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command",
		"RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
		"    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
		"    control how to handle existing libraries (default APPEND):",
		"    * FLUSH: delete all existing libraries.",
		"    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
		"    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
		"      libraries with the new libraries (notice that even on this option there is a chance of failure",
		"      in case of functions name collision with another library).",
	})
}

// cloneArgs copies a command line into one buffer.
func cloneArgs(args [][]byte) [][]byte {
	n := 0
	for _, a := range args {
		n += len(a)
	}
	buf := make([]byte, 0, n)
	out := make([][]byte, len(args))
	for i, a := range args {
		buf = append(buf, a...)
		out[i] = buf[len(buf)-len(a) : len(buf) : len(buf)]
	}
	return out
}
