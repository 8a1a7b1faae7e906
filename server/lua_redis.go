package server

import (
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/cairn-db/cairn/protocol"
)

// redisLib builds the redis table scripts call into.
func (vm *luaVM) redisLib() *lua.LTable {
	L := vm.L
	t := L.NewTable()
	fns := map[string]lua.LGFunction{
		"call":  func(L *lua.LState) int { return vm.call(L, true) },
		"pcall": func(L *lua.LState) int { return vm.call(L, false) },
		"error_reply": func(L *lua.LState) int {
			L.Push(errorTable(L, "-"+L.CheckString(1)))
			return 1
		},
		"status_reply": func(L *lua.LState) int {
			r := L.NewTable()
			r.RawSetString("ok", lua.LString(L.CheckString(1)))
			L.Push(r)
			return 1
		},
		"sha1hex": func(L *lua.LState) int {
			if L.GetTop() != 1 {
				L.RaiseError("wrong number of arguments")
			}
			L.Push(lua.LString(sha1hex([]byte(lua.LVAsString(L.Get(1))))))
			return 1
		},
		"log": func(L *lua.LState) int {
			if L.GetTop() < 2 {
				L.RaiseError("redis.log() requires two arguments or more.")
			}
			level := L.CheckInt(1)
			var parts []string
			for i := 2; i <= L.GetTop(); i++ {
				parts = append(parts, lua.LVAsString(L.Get(i)))
			}
			msg := strings.Join(parts, " ")
			if vm.cur != nil {
				log := vm.cur.s.log
				switch {
				case level >= 3:
					log.Warn(msg, "source", "script")
				case level == 2:
					log.Info(msg, "source", "script")
				default:
					log.Debug(msg, "source", "script")
				}
			}
			return 0
		},
		"setresp": func(L *lua.LState) int {
			if L.GetTop() != 1 {
				L.RaiseError("redis.setresp() requires one argument.")
			}
			v := L.CheckInt(1)
			if v != 2 && v != 3 {
				L.Error(errorTable(L, "RESP version must be 2 or 3."), 0)
			}
			if vm.cur != nil {
				vm.cur.ctx.Out.SetProto(v)
			}
			return 0
		},
		"acl_check_cmd":      vm.aclCheckCmd,
		"set_repl":           func(L *lua.LState) int { return 0 },
		"replicate_commands": func(L *lua.LState) int { L.Push(lua.LTrue); return 1 },
		"breakpoint":         func(L *lua.LState) int { L.Push(lua.LFalse); return 1 },
		"debug":              func(L *lua.LState) int { return 0 },
	}
	for name, f := range fns {
		t.RawSetString(name, L.NewFunction(f))
	}
	for name, v := range map[string]int{
		"LOG_DEBUG": 0, "LOG_VERBOSE": 1, "LOG_NOTICE": 2, "LOG_WARNING": 3,
		"REPL_NONE": 0, "REPL_AOF": 1, "REPL_SLAVE": 2, "REPL_REPLICA": 2, "REPL_ALL": 3,
		"REDIS_VERSION_NUM": 0x07000f,
	} {
		t.RawSetString(name, lua.LNumber(v))
	}
	t.RawSetString("REDIS_VERSION", lua.LString(Version))
	return t
}

// aclCheckCmd is redis.acl_check_cmd(cmd, arg…): whether the script's
// user may run that command line (true or false); an unknown command is
// an error.
func (vm *luaVM) aclCheckCmd(L *lua.LState) int {
	sc := vm.cur
	n := L.GetTop()
	if n == 0 || sc == nil {
		L.Error(errorTable(L, errScriptNoArgs), 0)
		return 0
	}
	args, ok := luaCommandArgs(L, n)
	if !ok {
		L.Error(errorTable(L, errScriptArgType), 0)
		return 0
	}
	cmd := sc.s.table.lookupArgs(args)
	if cmd == nil {
		L.Error(errorTable(L, "Invalid command passed to redis.acl_check_cmd()"), 0)
		return 0
	}
	allowed := true
	if u := sc.ctx.Client.aclUser.Load(); u != nil {
		allowed = u.rules.Load().permits(cmd, args) == nil
	}
	L.Push(lua.LBool(allowed))
	return 1
}

// luaCommandArgs reads the n arguments of redis.call (or pcall,
// acl_check_cmd) as a command line: strings, and numbers as Lua prints
// them; false when one is of another type.
func luaCommandArgs(L *lua.LState, n int) ([][]byte, bool) {
	args := make([][]byte, n)
	for i := range args {
		switch v := L.Get(i + 1).(type) {
		case lua.LString:
			args[i] = []byte(v)
		case lua.LNumber:
			args[i] = []byte(v.String())
		default:
			return nil, false
		}
	}
	return args, true
}

// errorTable is Redis's luaPushErrorBuff: "-CODE msg" keeps its code,
// anything else gets ERR.
func errorTable(L *lua.LState, s string) *lua.LTable {
	var code, msg string
	if strings.HasPrefix(s, "-") {
		if i := strings.IndexByte(s, ' '); i > 0 {
			code, msg = s[1:i], s[i+1:]
		} else {
			code, msg = "ERR", s[1:]
		}
	} else {
		code, msg = "ERR", s
	}
	t := L.NewTable()
	t.RawSetString("err", lua.LString(code+" "+strings.TrimRight(msg, "\r\n")))
	return t
}

// errStatsCounted marks an error table whose error was already counted
// in errorstats (Redis's ignore_error_stats_update).
const errStatsCounted = "ignore_error_stats_update"

// countedError is a script's error reply whose error was counted when
// the command inside it failed: the dispatcher counts it as the script's
// failure but not again in errorstats.
type countedError string

func (e countedError) Error() string { return string(e) }

// Errors redis.call raises before running a command.
const (
	errScriptNoArgs     = "Please specify at least one argument for this redis lib call"
	errScriptArgType    = "Lua redis lib command arguments must be strings or integers"
	errScriptUnknown    = "Unknown Redis command called from script"
	errScriptArity      = "Wrong number of args calling Redis command from script"
	errScriptNotAllowed = "This Redis command is not allowed from script"
	errScriptWriteInRO  = "Write commands are not allowed from read-only scripts."
)

// call implements redis.call (raise) and redis.pcall: it runs a command
// through Server.call in the script's transaction and converts the reply
// to Lua.
func (vm *luaVM) call(L *lua.LState, raise bool) int {
	sc := vm.cur
	fail := func(msg string) int {
		t := errorTable(L, msg)
		if raise {
			L.Error(t, 0)
		}
		L.Push(t)
		return 1
	}
	var cmd *Command
	// refuse is fail for Redis's scriptCall errors: they count as the
	// command's rejection and an error reply now, and the table says so,
	// so that the script's own error reply does not count them again.
	refuse := func(msg string) int {
		t := errorTable(L, msg)
		sc.s.commandRejected(cmd)
		sc.s.errorReplied(nil, lua.LVAsString(t.RawGetString("err")))
		t.RawSetString(errStatsCounted, lua.LTrue)
		if raise {
			L.Error(t, 0)
		}
		L.Push(t)
		return 1
	}
	n := L.GetTop()
	if n == 0 || sc == nil {
		return fail(errScriptNoArgs)
	}
	args, ok := luaCommandArgs(L, n)
	if !ok {
		return fail(errScriptArgType)
	}
	s := sc.s
	cmd = s.table.lookupArgs(args)
	if cmd == nil {
		return refuse(errScriptUnknown)
	}
	switch {
	case !cmd.arityOK(len(args)) || (cmd.Subcommands != nil && cmd.Handler == nil):
		return refuse(errScriptArity)
	case cmd.Flags&FlagNoScript != 0 && !s.denyScriptsOff.Load():
		return refuse(errScriptNotAllowed)
	case sc.readOnly && (cmd.Flags&FlagWrite != 0 || scriptMayReplicate(cmd)):
		// Redis counts may-replicate commands (PUBLISH…) as writes here.
		return refuse(errScriptWriteInRO)
	case cmd.Flags&FlagDenyOOM != 0 && sc.oom && !sc.run.wrote.Load():
		// After a first write the script cannot stop half done.
		return refuse("-" + string(ErrOOM))
	}
	if msg := s.scriptAccess(sc.ctx.Client, cmd, args); msg != "" {
		return refuse(msg)
	}
	if cmd.Flags&FlagWrite != 0 && s.noReplicas.Load() {
		return refuse("-" + string(errNoReplicas))
	}
	if cmd.Flags&FlagWrite != 0 {
		sc.run.wrote.Store(true)
	}
	sc.buf.Reset()
	if s.monitors.active.Load() > 0 {
		s.feedMonitors(sc.ctx.Client.DB(), "lua", cmd, args, time.Now())
	}
	// Counted in commandstats and the slow log, as Redis counts a
	// script's commands.
	start := monotonic()
	err := s.call(&sc.ctx, cmd, args)
	s.commandDone(sc.ctx.Client, cmd, args, start, err)
	if err != nil {
		sc.ctx.Out.Error(replyText(err))
	}
	sc.rw.Flush()
	v, isErr := respToLua(L, sc.buf.Bytes())
	if isErr {
		// The command's error reply counts now, as any client's would.
		if t, ok := v.(*lua.LTable); ok {
			s.errorReplied(cmd, lua.LVAsString(t.RawGetString("err")))
			t.RawSetString(errStatsCounted, lua.LTrue)
		}
	}
	if isErr && raise {
		L.Error(v, 0)
	}
	L.Push(v)
	return 1
}

// scriptMayReplicate: the commands besides writes that Redis flags
// may-replicate and a script may call.
func scriptMayReplicate(cmd *Command) bool {
	switch cmd.FullName() {
	case "publish", "spublish", "pfcount":
		return true
	}
	return false
}

// writeLuaReply converts a script's return value to a reply, with Redis's
// rules: numbers are truncated to integers; a boolean is 1 or nil while the
// script speaks RESP2 (resp, set by redis.setresp) and a boolean after
// redis.setresp(3); tables with err/ok/double/big_number/verbatim_string/
// map/set fields are those reply types; any other table is an array up to
// its first nil. The caller's protocol only decides the encoding (w).
func writeLuaReply(w *protocol.Writer, resp int, v lua.LValue, depth int) {
	if depth > 1000 {
		w.Error("ERR reached lua stack limit")
		return
	}
	switch v := v.(type) {
	case lua.LString:
		w.Bulk([]byte(v))
	case lua.LNumber:
		w.Int(luaInt(v))
	case lua.LBool:
		switch {
		case resp == 3:
			w.Boolean(bool(v))
		case bool(v):
			w.Int(1)
		default:
			w.Null()
		}
	case *lua.LTable:
		writeLuaTable(w, resp, v, depth)
	default:
		w.Null()
	}
}

func writeLuaTable(w *protocol.Writer, resp int, t *lua.LTable, depth int) {
	if e, ok := t.RawGetString("err").(lua.LString); ok {
		w.Error(oneLineMsg(string(e)))
		return
	}
	if s, ok := t.RawGetString("ok").(lua.LString); ok {
		w.Status(string(s))
		return
	}
	if d, ok := t.RawGetString("double").(lua.LNumber); ok {
		w.Double(float64(d))
		return
	}
	if b, ok := t.RawGetString("big_number").(lua.LString); ok {
		w.BigNumber(string(b))
		return
	}
	if vt, ok := t.RawGetString("verbatim_string").(*lua.LTable); ok {
		format, ok1 := vt.RawGetString("format").(lua.LString)
		str, ok2 := vt.RawGetString("string").(lua.LString)
		if ok1 && ok2 {
			w.VerbatimFormat(string(format), string(str))
			return
		}
	}
	if m, ok := t.RawGetString("map").(*lua.LTable); ok {
		n := 0
		m.ForEach(func(_, _ lua.LValue) { n++ })
		w.Map(n)
		m.ForEach(func(k, v lua.LValue) {
			writeLuaReply(w, resp, k, depth+1)
			writeLuaReply(w, resp, v, depth+1)
		})
		return
	}
	if s, ok := t.RawGetString("set").(*lua.LTable); ok {
		n := 0
		s.ForEach(func(_, _ lua.LValue) { n++ })
		w.Set(n)
		s.ForEach(func(k, _ lua.LValue) { writeLuaReply(w, resp, k, depth+1) })
		return
	}
	n := 0
	for t.RawGetInt(n+1) != lua.LNil {
		n++
	}
	w.Array(n)
	for i := 1; i <= n; i++ {
		writeLuaReply(w, resp, t.RawGetInt(i), depth+1)
	}
}

// luaInt converts a Lua number to a reply integer as C's (long long) cast
// does on amd64: truncation, and the minimum for NaN and out of range.
func luaInt(n lua.LNumber) int64 {
	f := float64(n)
	if f != f || f >= 9.223372036854775807e18 || f < -9.223372036854775808e18 {
		return -9223372036854775808
	}
	return int64(f)
}
