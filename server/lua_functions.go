package server

import (
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// The functions' Lua VM. It has the libraries scripts have, with two
// environments on one read-only globals proxy, as Redis's function_lua.c:
// while FUNCTION LOAD runs a library's code, globals are only a small
// redis table (register_function, log, the LOG_ and version constants);
// when FCALL runs a function, they are the globals scripts see, without
// the EVAL-only redis.breakpoint, debug and replicate_commands. Closures
// created at load time keep the proxy, so they see the right globals at
// either moment.

// libLoad is the library being loaded: register_function adds to it.
type libLoad struct {
	lib *functionLib
}

// newFunctionVM builds the functions' VM.
func newFunctionVM(s *Server) *luaVM {
	vm := newLuaVM(s)
	L := vm.L
	redis := vm.real["redis"]
	for _, name := range []string{"breakpoint", "debug", "replicate_commands"} {
		redis.RawSetString(name, lua.LNil)
	}
	api := L.NewTable()
	lib := L.NewTable()
	lib.RawSetString("register_function", L.NewFunction(vm.registerFunction))
	lib.RawSetString("log", redis.RawGetString("log"))
	for _, name := range []string{"LOG_DEBUG", "LOG_VERBOSE", "LOG_NOTICE", "LOG_WARNING", "REDIS_VERSION", "REDIS_VERSION_NUM"} {
		lib.RawSetString(name, redis.RawGetString(name))
	}
	libProxy := strictTable(L, lib)
	vm.protected[libProxy] = true
	api.RawSetString("redis", libProxy)
	vm.env = vm.functionEnv(api)
	vm.protected[vm.env] = true
	return vm
}

// functionEnv is the globals proxy of functions: reads go to the load API
// while a library loads and to the real globals otherwise; writes are
// refused.
func (vm *luaVM) functionEnv(api *lua.LTable) *lua.LTable {
	var proxy *lua.LTable
	proxy = strictProxy(vm.L, func(k lua.LValue) lua.LValue {
		if vm.lib != nil {
			return api.RawGet(k)
		}
		if k == lua.LString("_G") {
			return proxy
		}
		return vm.globals.RawGet(k)
	})
	return proxy
}

// strictTable returns a proxy that reads t, refuses writes, and raises
// an error for a missing field, as Redis's protected tables.
func strictTable(L *lua.LState, t *lua.LTable) *lua.LTable { return strictProxy(L, t.RawGet) }

// registerFunction is redis.register_function(name, callback) and
// redis.register_function{function_name=…, callback=…, description=…,
// flags={…}}, with Redis's error texts.
func (vm *luaVM) registerFunction(L *lua.LState) int {
	fail := func(msg string) int {
		L.Error(errorTable(L, msg), 0)
		return 0
	}
	ld := vm.lib
	if ld == nil {
		return fail("redis.register_function can only be called on FUNCTION LOAD command")
	}
	f := &luaFunction{lib: ld.lib}
	switch L.GetTop() {
	case 1:
		if msg := readNamedArgs(L, f); msg != "" {
			return fail(msg)
		}
	case 2:
		name, ok := luaString(L.Get(1))
		if !ok {
			return fail("first argument to redis.register_function must be a string")
		}
		fn, ok := L.Get(2).(*lua.LFunction)
		if !ok {
			return fail("second argument to redis.register_function must be a function")
		}
		f.name, f.fn = name, fn
	default:
		return fail("wrong number of arguments to redis.register_function")
	}
	if !validFunctionName(f.name) {
		return fail(errBadName)
	}
	if ld.lib.funcs[f.name] != nil {
		return fail("Function already exists in the library")
	}
	ld.lib.funcs[f.name] = f
	return 0
}

// readNamedArgs reads register_function's table form into f; it returns
// the error text, or "".
func readNamedArgs(L *lua.LState, f *luaFunction) string {
	t, ok := L.Get(1).(*lua.LTable)
	if !ok {
		return "calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments)."
	}
	var msg string
	named := false
	for k, v := t.Next(lua.LNil); k != lua.LNil && msg == ""; k, v = t.Next(k) {
		key, ok := luaString(k)
		if !ok {
			msg = "named argument key given to redis.register_function is not a string"
			break
		}
		switch strings.ToLower(key) {
		case "function_name":
			if f.name, ok = luaString(v); !ok {
				msg = "function_name argument given to redis.register_function must be a string"
			}
			named = ok
		case "description":
			if f.desc, ok = luaString(v); !ok {
				msg = "description argument given to redis.register_function must be a string"
			}
			f.hasDesc = ok
		case "callback":
			if f.fn, ok = v.(*lua.LFunction); !ok {
				msg = "callback argument given to redis.register_function must be a function"
			}
		case "flags":
			ft, ok := v.(*lua.LTable)
			if !ok {
				msg = "flags argument to redis.register_function must be a table representing function flags"
			} else if f.flags, ok = readFunctionFlags(ft); !ok {
				msg = "unknown flag given"
			}
		default:
			msg = "unknown argument given to redis.register_function"
		}
	}
	switch {
	case msg != "":
		return msg
	case !named:
		return "redis.register_function must get a function name argument"
	case f.fn == nil:
		return "redis.register_function must get a callback argument"
	}
	return ""
}

// readFunctionFlags reads the flags array up to its first nil.
func readFunctionFlags(t *lua.LTable) (fnFlags, bool) {
	var flags fnFlags
	for i := 1; ; i++ {
		v := t.RawGetInt(i)
		if v == lua.LNil {
			return flags, true
		}
		s, ok := luaString(v)
		if !ok {
			return 0, false
		}
		f, ok := fnFlagNamed(s, true)
		if !ok {
			return 0, false
		}
		flags |= f
	}
}

// luaString converts a string or number as Lua's lua_tostring does.
func luaString(v lua.LValue) (string, bool) {
	switch v := v.(type) {
	case lua.LString:
		return string(v), true
	case lua.LNumber:
		return v.String(), true
	}
	return "", false
}
