package server

import (
	"context"
	"sort"
	"strings"
	"sync"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/cairn-db/cairn/protocol"
	"github.com/cairn-db/cairn/store"
)

// Redis 7 functions: a library ("#!lua name=mylib\n…") is loaded once with
// FUNCTION LOAD; running its code registers functions with
// redis.register_function, which FCALL then calls by name. Libraries are
// data: the store keeps their code (store/functions.go) so they survive a
// restart, and the server compiles them again at start.
//
// Functions have their own Lua VM, as in Redis. Everything that runs Lua
// in it (LOAD, RESTORE, FCALL) runs under the keyspace lock, one at a time;
// the registry's mutex only lets FUNCTION LIST, STATS and DUMP read it
// without that lock.

// functionChunk names library code in error messages.
const functionChunk = "user_function"

// loadTimeout bounds the run of a library's code at FUNCTION LOAD: it
// should only register functions (Redis's LOAD_TIMEOUT_MS).
const loadTimeout = 500 * time.Millisecond

// fnFlags are the flags a function declares in redis.register_function.
type fnFlags uint8

const (
	fnNoWrites fnFlags = 1 << iota
	fnAllowOOM
	fnAllowStale
	fnNoCluster
	fnAllowCrossSlot
)

// fnFlagNames in Redis's order (scripts_flags_def), the order FUNCTION
// LIST reports them in.
var fnFlagNames = []struct {
	f    fnFlags
	name string
}{
	{fnNoWrites, "no-writes"}, {fnAllowOOM, "allow-oom"}, {fnAllowStale, "allow-stale"},
	{fnNoCluster, "no-cluster"}, {fnAllowCrossSlot, "allow-cross-slot-keys"},
}

// luaFunction is one registered function.
type luaFunction struct {
	name    string
	desc    string
	hasDesc bool
	flags   fnFlags
	fn      *lua.LFunction
	lib     *functionLib
}

// functionLib is one loaded library.
type functionLib struct {
	name  string
	code  string                  // the whole code, metadata line included
	funcs map[string]*luaFunction // by name, case-sensitive as in Redis
}

// sortedFuncs returns the library's functions in name order.
func (l *functionLib) sortedFuncs() []*luaFunction {
	out := make([]*luaFunction, 0, len(l.funcs))
	for _, f := range l.funcs {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// libSet is a set of libraries and the functions they register; function
// names are unique case-insensitively across the set.
type libSet struct {
	libs  map[string]*functionLib
	funcs map[string]*luaFunction // by lower-case name
}

func newLibSet() libSet {
	return libSet{libs: map[string]*functionLib{}, funcs: map[string]*luaFunction{}}
}

func (ls libSet) link(l *functionLib) {
	ls.libs[l.name] = l
	for _, f := range l.funcs {
		ls.funcs[strings.ToLower(f.name)] = f
	}
}

func (ls libSet) unlink(l *functionLib) {
	delete(ls.libs, l.name)
	for _, f := range l.funcs {
		if ls.funcs[strings.ToLower(f.name)] == f {
			delete(ls.funcs, strings.ToLower(f.name))
		}
	}
}

// collision returns the first function of l whose name another library
// of the set (other than except) already registers.
func (ls libSet) collision(l *functionLib, except map[*functionLib]bool) string {
	for _, f := range l.sortedFuncs() {
		if old := ls.funcs[strings.ToLower(f.name)]; old != nil && !except[old.lib] {
			return f.name
		}
	}
	return ""
}

// sorted returns the libraries in name order.
func (ls libSet) sorted() []*functionLib {
	out := make([]*functionLib, 0, len(ls.libs))
	for _, l := range ls.libs {
		out = append(out, l)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// functions is the server's function registry.
type functions struct {
	mu  sync.Mutex // guards set for readers outside the keyspace lock
	set libSet
	vm  *luaVM // under the keyspace lock
}

// lookup finds a function by name, case-insensitively.
func (fs *functions) lookup(name []byte) *luaFunction {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.set.funcs[strings.ToLower(string(name))]
}

// counts returns the number of libraries and of functions.
func (fs *functions) counts() (libs, funcs int) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return len(fs.set.libs), len(fs.set.funcs)
}

// machine returns the functions' VM, creating it on first use.
func (fs *functions) machine(s *Server) *luaVM {
	if fs.vm == nil {
		fs.vm = newFunctionVM(s)
	}
	return fs.vm
}

// Errors of the function commands.
const (
	errFunctionNotFound protocol.Error = "ERR Function not found"
	errLibraryNotFound  protocol.Error = "ERR Library not found"
	errBadNumKeys       protocol.Error = "ERR Bad number of keys provided"
	errWriteFlagRO      protocol.Error = "ERR Can not execute a script with write flag using *_ro command."
	errServerClosing    protocol.Error = "ERR server is shutting down"
	errBadName                         = "Library names can only contain letters, numbers, or underscores(_) and must be at least one character long"
)

// create compiles a library and runs its code to register its functions.
// timeout 0 runs it unbounded (libraries reloaded at start). A library
// that timed out leaves the VM unusable: it is rebuilt from the current
// libraries.
func (fs *functions) create(s *Server, m libMeta, code string, timeout time.Duration) (*functionLib, error) {
	proto, err := compileChunk(m.body, functionChunk)
	if err != nil {
		return nil, protocol.Error("ERR Error compiling function: " + oneLineMsg(err.Error()))
	}
	vm := fs.machine(s)
	lib := &functionLib{name: m.name, code: code, funcs: map[string]*luaFunction{}}
	ctx, cancel := context.WithCancel(s.ctx)
	if timeout > 0 {
		ctx, cancel = context.WithTimeout(s.ctx, timeout)
	}
	defer cancel()
	L := vm.L
	fn := L.NewFunctionFromProto(proto)
	fn.Env = vm.env
	vm.lib = &libLoad{lib: lib}
	vm.cur = &scriptCall{s: s} // for redis.log
	L.SetContext(ctx)
	top := L.GetTop()
	L.Push(fn)
	err = L.PCall(0, 0, nil)
	L.RemoveContext()
	L.SetTop(top)
	vm.lib, vm.cur = nil, nil
	if err != nil {
		if ctx.Err() != nil {
			fs.rebuild(s)
			if s.ctx.Err() != nil {
				return nil, errServerClosing
			}
			return nil, protocol.Error("ERR Error registering functions: ERR FUNCTION LOAD timeout")
		}
		return nil, protocol.Error("ERR Error registering functions: " + loadErrorText(err))
	}
	if len(lib.funcs) == 0 {
		return nil, protocol.Error("ERR No functions registered")
	}
	return lib, nil
}

// loadErrorText is what a library's code raised, as Redis's
// luaExtractErrorInformation reads it: a string gets the ERR code, an
// error table gives its err field.
func loadErrorText(err error) string {
	ae, ok := err.(*lua.ApiError)
	if !ok {
		return "ERR " + oneLineMsg(err.Error())
	}
	if t, ok := ae.Object.(*lua.LTable); ok {
		if e, ok := t.RawGetString("err").(lua.LString); ok {
			return oneLineMsg(string(e))
		}
		return "ERR unknown error"
	}
	return "ERR " + oneLineMsg(lua.LVAsString(ae.Object))
}

// load is FUNCTION LOAD: it adds (or with replace, replaces) the library
// code defines and records it in tx.
func (fs *functions) load(s *Server, tx *store.Tx, code string, replace bool) (string, error) {
	m, err := parseLibMeta(code)
	if err != nil {
		return "", err
	}
	fs.mu.Lock()
	old := fs.set.libs[m.name]
	fs.mu.Unlock()
	if old != nil && !replace {
		return "", protocol.Error("ERR Library '" + m.name + "' already exists")
	}
	lib, err := fs.create(s, m, code, loadTimeout)
	if err != nil {
		return "", err
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if name := fs.set.collision(lib, map[*functionLib]bool{fs.set.libs[m.name]: true}); name != "" {
		return "", protocol.Error("ERR Function " + name + " already exists")
	}
	if old := fs.set.libs[m.name]; old != nil {
		fs.set.unlink(old)
	}
	fs.set.link(lib)
	tx.SaveLibrary(m.name, code)
	return m.name, nil
}

// remove is FUNCTION DELETE.
func (fs *functions) remove(tx *store.Tx, name string) error {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	l := fs.set.libs[name]
	if l == nil {
		return errLibraryNotFound
	}
	fs.set.unlink(l)
	tx.DeleteLibrary(name)
	return nil
}

// flush is FUNCTION FLUSH. The VM goes too, as Redis frees its engine.
func (fs *functions) flush(tx *store.Tx) {
	fs.mu.Lock()
	fs.set = newLibSet()
	fs.mu.Unlock()
	if fs.vm != nil {
		fs.vm.L.Close()
		fs.vm = nil
	}
	tx.FlushLibraries()
}

// rebuild replaces the VM, after a library or function was interrupted in
// it, and loads the current libraries into the new one.
func (fs *functions) rebuild(s *Server) {
	if fs.vm != nil {
		fs.vm.L.Close()
		fs.vm = nil
	}
	if s.ctx.Err() != nil {
		// The server is closing: nothing will call a function again, and
		// every Lua run would stop at once.
		return
	}
	fs.mu.Lock()
	libs := fs.set.sorted()
	fs.mu.Unlock()
	next := newLibSet()
	for _, l := range libs {
		if nl := fs.reload(s, l.code); nl != nil {
			next.link(nl)
		}
	}
	fs.mu.Lock()
	fs.set = next
	fs.mu.Unlock()
}

// reload compiles a library that loaded before (at start, or into a new
// VM); a failure is logged and the library left out.
func (fs *functions) reload(s *Server, code string) *functionLib {
	m, err := parseLibMeta(code)
	var l *functionLib
	if err == nil {
		l, err = fs.create(s, m, code, 0)
	}
	if err != nil {
		s.log.Error("function library does not load", "err", replyText(err))
		return nil
	}
	return l
}

// loadStoredFunctions compiles the libraries the store kept, at start.
func (s *Server) loadStoredFunctions() { s.loadFunctions(s.store.Libraries()) }

// loadFunctions compiles libs and makes them the server's functions.
func (s *Server) loadFunctions(libs []store.Library) {
	fs := &s.functions
	set := newLibSet()
	for _, sl := range libs {
		if l := fs.reload(s, sl.Code); l != nil {
			if name := set.collision(l, nil); name != "" {
				s.log.Error("function library does not load", "library", l.name, "err", "function "+name+" already exists")
				continue
			}
			set.link(l)
		}
	}
	fs.mu.Lock()
	fs.set = set
	fs.mu.Unlock()
}

// restore is FUNCTION RESTORE: it loads the libraries of a payload into a
// set of their own, then, by policy, swaps it in (flush) or joins it to
// the current one (append, replace), refusing collisions as Redis's
// libraryJoin does.
func (fs *functions) restore(s *Server, tx *store.Tx, codes []string, policy string) error {
	next := newLibSet()
	for _, code := range codes {
		m, err := parseLibMeta(code)
		if err != nil {
			return err
		}
		if next.libs[m.name] != nil {
			return protocol.Error("ERR Library '" + m.name + "' already exists")
		}
		l, err := fs.create(s, m, code, 0)
		if err != nil {
			return err
		}
		if name := next.collision(l, nil); name != "" {
			return protocol.Error("ERR Function " + name + " already exists")
		}
		next.link(l)
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	added := next.sorted()
	if policy == "flush" {
		fs.set = next
		tx.FlushLibraries()
	} else {
		replaced := map[*functionLib]bool{}
		for _, l := range added {
			if old := fs.set.libs[l.name]; old != nil {
				if policy != "replace" {
					return protocol.Error("ERR Library " + l.name + " already exists")
				}
				replaced[old] = true
			}
		}
		for _, l := range added {
			if name := fs.set.collision(l, replaced); name != "" {
				return protocol.Error("ERR Function " + name + " already exists")
			}
		}
		for old := range replaced {
			fs.set.unlink(old)
		}
		for _, l := range added {
			fs.set.link(l)
		}
	}
	for _, l := range added {
		tx.SaveLibrary(l.name, l.code)
	}
	return nil
}
