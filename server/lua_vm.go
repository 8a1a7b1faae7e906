package server

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tidwall/redcon"
	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/parse"

	"github.com/cairn-db/cairn/protocol"
)

// luaVM is the Lua interpreter scripts run in: Lua 5.1 (gopher-lua) with
// the libraries Redis loads (base, table, string, math, coroutine, debug,
// cjson, bit, struct, cmsgpack) and the redis table. Globals are read-only
// for scripts, as in Redis 7: a script sees them through a proxy that
// refuses new globals and reports unknown ones.
type luaVM struct {
	L       *lua.LState
	globals *lua.LTable
	env     *lua.LTable // the proxy scripts run with
	handler *lua.LFunction
	cur     *scriptCall // the running call, for redis.call

	killedLine string   // where the last interrupted script stopped
	failure    string   // why the VM failed (errVMFailed)
	lib        *libLoad // the library FUNCTION LOAD is running, if any

	// Redis 7 makes the globals and the library tables read-only. Scripts
	// see each library through a proxy (protected), whose real table is
	// in real; setmetatable, getmetatable and rawset honour them.
	protected map[*lua.LTable]bool
	real      map[string]*lua.LTable
}

// scriptCall is the state of one EVAL.
type scriptCall struct {
	s        *Server
	sha      string
	readOnly bool
	oom      bool // started over maxmemory: no command may grow memory until one writes
	run      *scriptRun
	ctx      Context // the script's own client context, in the caller's transaction
	buf      bytes.Buffer
	rw       *redcon.Writer
}

// scriptChunk names scripts in error messages ("user_script:1: …").
const scriptChunk = "user_script"

// compileScript compiles a script body into a function prototype.
func compileScript(body []byte) (*lua.FunctionProto, error) {
	proto, err := compileChunk(string(body), scriptChunk)
	if err != nil {
		return nil, protocol.Error("ERR Error compiling script (new function): " + oneLineMsg(err.Error()))
	}
	return proto, nil
}

// compileChunk compiles Lua code; chunk names it in error messages.
func compileChunk(code, chunk string) (*lua.FunctionProto, error) {
	tree, err := parse.Parse(strings.NewReader(code), chunk)
	if err != nil {
		return nil, err
	}
	return lua.Compile(tree, chunk)
}

func oneLineMsg(s string) string {
	return strings.TrimSpace(strings.NewReplacer("\r", " ", "\n", " ").Replace(s))
}

func newLuaVM(s *Server) *luaVM {
	// The data stack grows (to what Redis's Lua allows, LUAI_MAXCSTACK
	// 8000 values, and more) so unpack of a big table works.
	L := lua.NewState(lua.Options{SkipOpenLibs: true, CallStackSize: 1024,
		RegistrySize: 1024 * 8, RegistryMaxSize: 1024 * 128})
	for _, lib := range []struct {
		name string
		open lua.LGFunction
	}{
		{lua.BaseLibName, lua.OpenBase}, {lua.TabLibName, lua.OpenTable}, {lua.StringLibName, lua.OpenString},
		{lua.MathLibName, lua.OpenMath}, {lua.CoroutineLibName, lua.OpenCoroutine}, {lua.DebugLibName, lua.OpenDebug},
	} {
		L.Push(L.NewFunction(lib.open))
		L.Push(lua.LString(lib.name))
		L.Call(1, 0)
	}
	vm := &luaVM{L: L, globals: L.G.Global}
	for _, name := range []string{"dofile", "loadfile", "print"} {
		vm.globals.RawSetString(name, lua.LNil)
	}
	vm.globals.RawSetString("redis", vm.redisLib())
	vm.globals.RawSetString("cjson", cjsonLib(L))
	vm.globals.RawSetString("bit", bitLib(L))
	vm.globals.RawSetString("struct", structLib(L))
	vm.globals.RawSetString("cmsgpack", msgpackLib(L))
	// tostring formats numbers as Lua 5.1 does ("%.14g").
	origToString := vm.globals.RawGetString("tostring")
	vm.globals.RawSetString("tostring", L.NewFunction(func(L *lua.LState) int {
		if n, ok := L.Get(1).(lua.LNumber); ok && L.GetTop() == 1 {
			L.Push(lua.LString(formatG14(float64(n))))
			return 1
		}
		L.Push(origToString)
		L.Push(L.Get(1))
		L.Call(1, 1)
		return 1
	}))
	if st, ok := vm.globals.RawGetString("string").(*lua.LTable); ok {
		// gopher-lua cannot dump bytecode, and Redis's Lua refuses to
		// load any: string.dump answers a bytecode header that, as
		// Redis's real dump, loadstring does not accept.
		st.RawSetString("dump", L.NewFunction(func(L *lua.LState) int {
			if f, ok := L.Get(1).(*lua.LFunction); !ok || f.IsG {
				luaCError(L, "unable to dump given function")
			}
			L.Push(lua.LString("\x1bLuaQ\x00"))
			return 1
		}))
	}
	if m, ok := vm.globals.RawGetString("math").(*lua.LTable); ok {
		s.scripts.rand.install(m, L)
	}
	vm.protectGlobals()
	vm.env = vm.readOnlyProxy()
	vm.protected[vm.env] = true
	vm.handler = L.NewFunction(errorHandler)
	return vm
}

// readOnlyProxy is the environment scripts run in: reads go to the real
// globals (an unknown name is an error; _G is the proxy itself), writes
// are refused.
func (vm *luaVM) readOnlyProxy() *lua.LTable {
	var proxy *lua.LTable
	proxy = strictProxy(vm.L, func(k lua.LValue) lua.LValue {
		if k == lua.LString("_G") {
			return proxy
		}
		return vm.globals.RawGet(k)
	})
	return proxy
}

// errReadonly is what modifying a protected table raises.
const errReadonly = "Attempt to modify a readonly table"

// protectGlobals puts the library tables behind read-only proxies and
// makes setmetatable, getmetatable and rawset refuse to change them, as
// Redis 7's read-only tables. getmetatable of a protected table answers
// a read-only stand-in, so its metatable cannot be reached either.
func (vm *luaVM) protectGlobals() {
	L := vm.L
	vm.protected = make(map[*lua.LTable]bool)
	vm.real = make(map[string]*lua.LTable)
	refuse := L.NewFunction(func(L *lua.LState) int {
		L.RaiseError(errReadonly)
		return 0
	})
	readOnly := func(index lua.LValue) *lua.LTable {
		proxy := L.NewTable()
		mt := L.NewTable()
		if index != nil {
			mt.RawSetString("__index", index)
		}
		mt.RawSetString("__newindex", refuse)
		L.SetMetatable(proxy, mt)
		vm.protected[proxy] = true
		return proxy
	}
	for _, name := range []string{"redis", "cjson", "bit", "struct", "cmsgpack", "string", "math", "table", "coroutine"} {
		t, ok := vm.globals.RawGetString(name).(*lua.LTable)
		if !ok {
			continue
		}
		vm.real[name] = t
		vm.globals.RawSetString(name, readOnly(t))
	}
	meta := readOnly(nil) // what getmetatable shows of a protected table
	setmeta := vm.globals.RawGetString("setmetatable")
	getmeta := vm.globals.RawGetString("getmetatable")
	rawset := vm.globals.RawGetString("rawset")
	guard := func(orig lua.LValue, onProtected func(L *lua.LState) int) *lua.LFunction {
		return L.NewFunction(func(L *lua.LState) int {
			if t, ok := L.Get(1).(*lua.LTable); ok && vm.protected[t] {
				return onProtected(L)
			}
			top := L.GetTop()
			L.Push(orig)
			for i := 1; i <= top; i++ {
				L.Push(L.Get(i))
			}
			L.Call(top, lua.MultRet)
			return L.GetTop() - top
		})
	}
	fail := func(L *lua.LState) int { L.Error(lua.LString(errReadonly), 0); return 0 }
	vm.globals.RawSetString("setmetatable", guard(setmeta, fail))
	vm.globals.RawSetString("rawset", guard(rawset, fail))
	vm.globals.RawSetString("getmetatable", guard(getmeta, func(L *lua.LState) int {
		L.Push(meta)
		return 1
	}))
}

// strictProxy returns a table whose reads go to get and raise an error for
// a missing name, and whose writes are refused, as Redis's protected
// globals and tables.
func strictProxy(L *lua.LState, get func(lua.LValue) lua.LValue) *lua.LTable {
	proxy := L.NewTable()
	mt := L.NewTable()
	mt.RawSetString("__index", L.NewFunction(func(L *lua.LState) int {
		k := L.Get(2)
		v := get(k)
		if v == lua.LNil {
			L.RaiseError("Script attempted to access nonexistent global variable '%s'", lua.LVAsString(k))
		}
		L.Push(v)
		return 1
	}))
	mt.RawSetString("__newindex", L.NewFunction(func(L *lua.LState) int {
		L.RaiseError(errReadonly)
		return 0
	}))
	L.SetMetatable(proxy, mt)
	return proxy
}

// errorHandler turns whatever a script raised into Redis's error table
// {err=…, source=…, line=…}: a string becomes "ERR <text>", and the line
// is the script's line where the error happened.
func errorHandler(L *lua.LState) int {
	e := L.Get(1)
	t, ok := e.(*lua.LTable)
	if !ok {
		t = L.NewTable()
		t.RawSetString("err", lua.LString("ERR "+lua.LVAsString(L.ToStringMeta(e))))
	}
	for lv := 0; ; lv++ {
		dbg, ok := L.GetStack(lv)
		if !ok {
			break
		}
		if _, err := L.GetInfo("Sl", dbg, lua.LNil); err == nil && dbg.Source != "" && dbg.CurrentLine > 0 {
			t.RawSetString("source", lua.LString("@"+dbg.Source))
			t.RawSetString("line", lua.LNumber(dbg.CurrentLine))
			if msg := lua.LVAsString(t.RawGetString("err")); strings.HasSuffix(msg, gopherCallError) {
				if text := callErrorText(L, dbg); text != "" {
					t.RawSetString("err", lua.LString(strings.TrimSuffix(msg, gopherCallError)+text))
				}
			}
			break
		}
	}
	L.Push(t)
	return 1
}

// runScript runs a compiled script for the client of c, inside c's
// transaction, and writes its reply. readOnly: EVAL_RO or EVALSHA_RO.
func (s *Server) runScript(c *Context, sha string, script *evalScript, keys, args [][]byte, readOnly bool) error {
	if script.shebang {
		if err := s.scriptAdmits(c, script.flags, readOnly); err != nil {
			return err
		}
	}
	sc := &s.scripts
	if sc.vm == nil {
		sc.vm = newLuaVM(s)
	}
	vm := sc.vm
	L := vm.L
	vm.globals.RawSetString("KEYS", stringTable(L, keys))
	vm.globals.RawSetString("ARGV", stringTable(L, args))
	fn := L.NewFunctionFromProto(script.proto)
	fn.Env = vm.env
	err := s.runLua(c, luaJob{vm: vm, name: sha, chunk: scriptChunk, fn: fn,
		readOnly: readOnly || script.readOnly(), allowOOM: script.shebang && script.flags&fnAllowOOM != 0})
	if err == errInterrupted || err == errVMFailed {
		// The interpreter was interrupted mid-instruction, or failed
		// inside; start the next script on a fresh one.
		sc.vm = nil
		L.Close()
		if err == errInterrupted {
			err = killedError(vm.killedLine, sha, scriptChunk)
		} else {
			err = protocol.Error("ERR " + oneLineMsg(vm.failure) + " script: " + sha)
		}
	}
	return err
}

// luaJob is one EVAL or FCALL to run.
type luaJob struct {
	vm       *luaVM
	name     string // the script's SHA1, or the function's name
	chunk    string // the chunk name errors cite: user_script, user_function
	fn       *lua.LFunction
	params   []lua.LValue // fn's arguments (a function's keys and args)
	readOnly bool         // write commands are refused
	allowOOM bool         // the script's commands may grow memory over maxmemory
	function bool         // an FCALL: FUNCTION KILL, not SCRIPT KILL, stops it
}

// errInterrupted: runLua's script was killed or the server closed under
// it. The VM is then unusable and the caller must discard it; the line the
// script was on is in vm.killedLine.
var errInterrupted = protocol.Error("ERR script interrupted")

// errVMFailed: the interpreter itself panicked under runLua (its data
// stack overflowed, say); the VM must be discarded like an interrupted
// one, and vm.failure says why.
var errVMFailed = protocol.Error("ERR script failed")

// killedError is the reply of a script stopped by SCRIPT or FUNCTION KILL.
func killedError(line, name, chunk string) error {
	return protocol.Error("ERR Script killed by user with SCRIPT KILL... script: " + name + ", on @" + chunk + ":" + line + ".")
}

// runLua runs job.fn for the client of c, inside c's transaction, as the
// running script other clients see (BUSY, KILL), and writes its reply.
func (s *Server) runLua(c *Context, job luaJob) (err error) {
	sc := &s.scripts
	if s.monitors.active.Load() > 0 {
		// EVAL and FCALL are hidden from the dispatcher's feed
		// (skip_monitor) and shown here instead, before the commands they
		// run, as Redis does.
		s.feedMonitorLine(c.Client.DB(), c.Client.addr, c.Args, time.Now())
	}
	vm := job.vm
	ctx, cancel := context.WithCancel(s.ctx)
	r := &scriptRun{caller: c.Client, done: make(chan struct{}), busy: make(chan struct{}), cancel: cancel, start: time.Now()}
	if job.function {
		r.function = job.name
		// A copy: FUNCTION STATS may read it while the caller's reader
		// reuses its buffers for the next command.
		r.args = cloneArgs(c.Args)
	}
	sc.running.Store(r)
	var timer *time.Timer
	if d := s.busyAfter(); d > 0 {
		timer = time.AfterFunc(d, func() { close(r.busy) })
	}
	defer func() {
		if timer != nil {
			timer.Stop()
		}
		sc.running.Store(nil)
		close(r.done)
		cancel()
	}()

	fake := &Client{srv: s, authenticated: true, noTouch: c.Client.noTouch}
	fake.db.Store(int32(c.Client.DB()))
	fake.aclUser.Store(c.Client.aclUser.Load()) // redis.call runs with the caller's permissions
	fake.addr = c.Client.addr
	fake.caller = c.Client // a read makes the caller track the script's declared keys
	fake.callerCmd, fake.callerArgs = c.Cmd, c.Args
	// As Redis's script_oom: over maxmemory at the start (eviction has
	// run), the script's first command that would grow memory is refused.
	oom := !job.allowOOM && s.store.OverMaxMemory(s.maxMemory.Load())
	call := &scriptCall{s: s, sha: job.name, readOnly: job.readOnly, oom: oom, run: r}
	call.rw = redcon.NewWriter(&call.buf)
	call.ctx = Context{Out: protocol.NewWriter(call.rw), Client: fake, Server: s, Tx: c.Tx, noBlock: true}
	vm.cur = call
	defer func() { vm.cur = nil }()

	L := vm.L
	defer func() {
		if r := recover(); r != nil {
			vm.failure = strings.SplitN(fmt.Sprint(r), "\n", 2)[0]
			err = errVMFailed
		}
	}()
	L.SetContext(ctx)
	top := L.GetTop()
	L.Push(job.fn)
	for _, p := range job.params {
		L.Push(p)
	}
	err = L.PCall(len(job.params), 1, vm.handler)
	L.RemoveContext()
	if err != nil {
		L.SetTop(top)
		if r.killed.Load() || ctx.Err() != nil {
			vm.killedLine = lineOf(err)
			return errInterrupted
		}
		return scriptError(err, job.name, job.chunk)
	}
	v := L.Get(-1)
	L.SetTop(top)
	if t, ok := v.(*lua.LTable); ok {
		// An error returned as the reply is the script's failure
		// (failed_calls), counted in errorstats unless a command's.
		if e, ok := t.RawGetString("err").(lua.LString); ok {
			msg := oneLineMsg(string(e))
			if lua.LVAsBool(t.RawGetString(errStatsCounted)) {
				return countedError(msg)
			}
			return protocol.Error(msg)
		}
	}
	writeLuaReply(c.Out, call.ctx.Out.Proto(), v, 0)
	return nil
}

// lineOf digs the line out of a raised error table, for messages.
func lineOf(err error) string {
	if ae, ok := err.(*lua.ApiError); ok {
		if t, ok := ae.Object.(*lua.LTable); ok {
			if n, ok := t.RawGetString("line").(lua.LNumber); ok {
				return strconv.Itoa(int(n))
			}
		}
	}
	return "0"
}

// scriptError formats a script's failure as Redis 7.0 does:
// "<err> script: <sha or function>, on @<chunk>:<line>."
func scriptError(err error, sha, chunk string) error {
	ae, ok := err.(*lua.ApiError)
	if !ok {
		return protocol.Error("ERR " + oneLineMsg(err.Error()))
	}
	t, ok := ae.Object.(*lua.LTable)
	if !ok {
		return protocol.Error("ERR Error running script " + sha + ", " + oneLineMsg(ae.Object.String()))
	}
	msg := "ERR unknown error"
	if e, ok := t.RawGetString("err").(lua.LString); ok {
		msg = string(e)
	}
	msg = strings.TrimRight(msg, "\r\n")
	if line, ok := t.RawGetString("line").(lua.LNumber); ok {
		msg += " script: " + sha + ", on @" + chunk + ":" + strconv.Itoa(int(line)) + "."
	}
	if lua.LVAsBool(t.RawGetString(errStatsCounted)) {
		return countedError(oneLineMsg(msg))
	}
	return protocol.Error(oneLineMsg(msg))
}

// stringTable builds a Lua array of strings (KEYS, ARGV).
func stringTable(L *lua.LState, items [][]byte) *lua.LTable {
	t := L.CreateTable(len(items), 0)
	for i, it := range items {
		t.RawSetInt(i+1, lua.LString(it))
	}
	return t
}
