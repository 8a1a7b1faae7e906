package server_test

import (
	"strings"
	"testing"
	"time"

	. "github.com/cairn-db/cairn/server/servertest"
)

const testLib = "#!lua name=mylib\n" +
	"redis.register_function('echo', function(keys, args) return {keys, args} end)\n" +
	"redis.register_function('setk', function(keys, args) return redis.call('set', keys[1], args[1]) end)\n" +
	"redis.register_function{function_name='getk', callback=function(keys) return redis.call('get', keys[1]) end, flags={'no-writes'}, description='reads'}\n" +
	"redis.register_function{function_name='sneaky', callback=function(keys) return redis.call('set', keys[1], 'x') end, flags={'no-writes'}}\n"

// fnStep is one command, as separate arguments, and its exact reply.
type fnStep struct {
	args []string
	want string
}

func runFnSteps(t *testing.T, c *Conn, steps []fnStep) {
	t.Helper()
	for _, s := range steps {
		if got := c.Do(s.args...); got != s.want {
			t.Errorf("%q\n got %q\nwant %q", s.args, got, s.want)
		}
	}
}

func a(args ...string) []string { return args }

func TestFunctionReplies(t *testing.T) {
	srv := Start(t)
	c := Dial(t, srv.Addr())
	const reg = "-ERR Error registering functions: ERR "
	runFnSteps(t, c, []fnStep{
		{a("FCALL", "echo", "0"), "-ERR Function not found\r\n"},
		{a("FUNCTION", "LOAD", testLib), "$5\r\nmylib\r\n"},
		{a("FUNCTION", "LOAD", testLib), "-ERR Library 'mylib' already exists\r\n"},
		{a("FUNCTION", "LOAD", "REPLACE", testLib), "$5\r\nmylib\r\n"},
		{a("FUNCTION", "LOAD", "#!lua name=other\nredis.register_function('ECHO', function() return 1 end)"), "-ERR Function ECHO already exists\r\n"},
		{a("FCALL", "echo", "2", "k1", "k2", "a1"), "*2\r\n*2\r\n$2\r\nk1\r\n$2\r\nk2\r\n*1\r\n$2\r\na1\r\n"},
		{a("FCALL", "ECHO", "0"), "*2\r\n*0\r\n*0\r\n"},
		{a("FCALL", "setk", "1", "k", "v"), "+OK\r\n"},
		{a("FCALL_RO", "getk", "1", "k"), "$1\r\nv\r\n"},
		{a("FCALL_RO", "setk", "1", "k", "v"), "-ERR Can not execute a script with write flag using *_ro command.\r\n"},
		{a("FCALL", "sneaky", "1", "k"), "-ERR Write commands are not allowed from read-only scripts. script: sneaky, on @user_function:5.\r\n"},
		{a("FCALL", "echo", "x"), "-ERR Bad number of keys provided\r\n"},
		{a("FCALL", "echo", "-1"), "-ERR Number of keys can't be negative\r\n"},
		{a("FCALL", "echo", "3", "a"), "-ERR Number of keys can't be greater than number of args\r\n"},
		{a("FCALL", "echo"), "-ERR wrong number of arguments for 'fcall' command\r\n"},
		{a("FUNCTION", "LOAD", "return 1"), "-ERR Missing library metadata\r\n"},
		{a("FUNCTION", "LOAD", "#!lua name=x"), "-ERR Invalid library metadata\r\n"},
		{a("FUNCTION", "LOAD", "#!lua\n"), "-ERR Library name was not given\r\n"},
		{a("FUNCTION", "LOAD", "#!lua name=x foo=1\n"), "-ERR Invalid metadata value given: foo=1\r\n"},
		{a("FUNCTION", "LOAD", "#!lua name=x name=y\n"), "-ERR Invalid metadata value, name argument was given multiple times\r\n"},
		{a("FUNCTION", "LOAD", "#!js name=x\n"), "-ERR Engine 'js' not found\r\n"},
		{a("FUNCTION", "LOAD", "#!lua name=a-b\n"), "-ERR Library names can only contain letters, numbers, or underscores(_) and must be at least one character long\r\n"},
		{a("FUNCTION", "LOAD", "#!lua name=x\nreturn 1"), "-ERR No functions registered\r\n"},
		{a("FUNCTION", "LOAD", "FOO", "#!lua name=x\n"), "-ERR Unknown option given: FOO\r\n"},
		{a("FUNCTION", "LOAD", "#!lua name=x\nredis.call('ping')"), reg + "user_function:2: Script attempted to access nonexistent global variable 'call'\r\n"},
		{a("FUNCTION", "LOAD", "#!lua name=x\nlocal s = string.len('a')"), reg + "user_function:2: Script attempted to access nonexistent global variable 'string'\r\n"},
		{a("FUNCTION", "LOAD", "#!lua name=x\nx = 1"), reg + "user_function:2: Attempt to modify a readonly table\r\n"},
		{a("FUNCTION", "LOAD", "#!lua name=x\nredis.register_function('f')"), reg + "calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).\r\n"},
		{a("FUNCTION", "LOAD", "#!lua name=x\nredis.register_function('f', 1)"), reg + "second argument to redis.register_function must be a function\r\n"},
		{a("FUNCTION", "LOAD", "#!lua name=x\nredis.register_function()"), reg + "wrong number of arguments to redis.register_function\r\n"},
		{a("FUNCTION", "LOAD", "#!lua name=x\nredis.register_function('f-1', function() end)"), reg + "Library names can only contain letters, numbers, or underscores(_) and must be at least one character long\r\n"},
		{a("FUNCTION", "LOAD", "#!lua name=x\nredis.register_function('f', function() end) redis.register_function('f', function() end)"), reg + "Function already exists in the library\r\n"},
		{a("FUNCTION", "LOAD", "#!lua name=x\nredis.register_function{function_name='f', callback=function() end, flags={'nope'}}"), reg + "unknown flag given\r\n"},
		{a("FUNCTION", "LOAD", "#!lua name=x\nredis.register_function{function_name='f', callback=function() end, flags='no-writes'}"), reg + "flags argument to redis.register_function must be a table representing function flags\r\n"},
		{a("FUNCTION", "LOAD", "#!lua name=x\nredis.register_function{function_name='f', callback=function() end, other=1}"), reg + "unknown argument given to redis.register_function\r\n"},
		{a("FUNCTION", "LOAD", "#!lua name=x\nredis.register_function{callback=function() end}"), reg + "redis.register_function must get a function name argument\r\n"},
		{a("FUNCTION", "LOAD", "#!lua name=x\nredis.register_function{function_name='f'}"), reg + "redis.register_function must get a callback argument\r\n"},
		{a("FUNCTION", "LOAD", "#!lua name=x\nredis.register_function{function_name='f', callback=1}"), reg + "callback argument given to redis.register_function must be a function\r\n"},
		{a("FUNCTION", "LOAD", "#!lua name=x\nredis.register_function{function_name={}, callback=function() end}"), reg + "function_name argument given to redis.register_function must be a string\r\n"},
		{a("FUNCTION", "LOAD", "#!lua name=x\nredis.register_function{function_name='f', callback=function() end, description={}}"), reg + "description argument given to redis.register_function must be a string\r\n"},
		{a("FUNCTION", "LOAD", "#!lua name=x\nredis.foo = 1"), reg + "user_function:2: Attempt to modify a readonly table\r\n"},
		{a("FUNCTION", "LOAD", "#!lua name=rt\nredis.register_function('rt', function() return redis.register_function end)"), "$2\r\nrt\r\n"},
		{a("FCALL", "rt", "0"), "$-1\r\n"},
		{a("FUNCTION", "DELETE", "nope"), "-ERR Library not found\r\n"},
		{a("FUNCTION", "DELETE", "rt"), "+OK\r\n"},
		{a("FUNCTION", "LIST", "LIBRARYNAME"), "-ERR library name argument was not given\r\n"},
		{a("FUNCTION", "LIST", "foo"), "-ERR Unknown argument foo\r\n"},
		{a("FUNCTION", "LIST", "WITHCODE", "WITHCODE"), "-ERR Unknown argument WITHCODE\r\n"},
		{a("FUNCTION", "LIST", "LIBRARYNAME", "nomatch*"), "*0\r\n"},
		{a("FUNCTION", "LIST", "LIBRARYNAME", "MY*"), "*1\r\n*6\r\n$12\r\nlibrary_name\r\n$5\r\nmylib\r\n$6\r\nengine\r\n$3\r\nLUA\r\n$9\r\nfunctions\r\n*4\r\n" +
			"*6\r\n$4\r\nname\r\n$4\r\necho\r\n$11\r\ndescription\r\n$-1\r\n$5\r\nflags\r\n*0\r\n" +
			"*6\r\n$4\r\nname\r\n$4\r\ngetk\r\n$11\r\ndescription\r\n$5\r\nreads\r\n$5\r\nflags\r\n*1\r\n+no-writes\r\n" +
			"*6\r\n$4\r\nname\r\n$4\r\nsetk\r\n$11\r\ndescription\r\n$-1\r\n$5\r\nflags\r\n*0\r\n" +
			"*6\r\n$4\r\nname\r\n$6\r\nsneaky\r\n$11\r\ndescription\r\n$-1\r\n$5\r\nflags\r\n*1\r\n+no-writes\r\n"},
		{a("FUNCTION", "STATS"), "*4\r\n$14\r\nrunning_script\r\n$-1\r\n$7\r\nengines\r\n*2\r\n$3\r\nLUA\r\n*4\r\n$15\r\nlibraries_count\r\n:1\r\n$15\r\nfunctions_count\r\n:4\r\n"},
		{a("FUNCTION", "FLUSH", "foo"), "-ERR FUNCTION FLUSH only supports SYNC|ASYNC option\r\n"},
		{a("FUNCTION", "FLUSH", "SYNC", "x"), "-ERR unknown subcommand or wrong number of arguments for 'FLUSH'. Try FUNCTION HELP.\r\n"},
		{a("FUNCTION", "KILL"), "-NOTBUSY No scripts in execution right now.\r\n"},
		{a("FUNCTION", "RESTORE", "x"), "-ERR DUMP payload version or checksum are wrong\r\n"},
		{a("FUNCTION", "RESTORE", "x", "bad"), "-ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.\r\n"},
		{a("FUNCTION", "NOPE"), "-ERR unknown subcommand 'NOPE'. Try FUNCTION HELP.\r\n"},
		{a("FLUSHALL"), "+OK\r\n"},
		{a("FCALL", "echo", "0"), "*2\r\n*0\r\n*0\r\n"},
		{a("FUNCTION", "FLUSH"), "+OK\r\n"},
		{a("FCALL", "echo", "0"), "-ERR Function not found\r\n"},
		{a("FUNCTION", "LIST"), "*0\r\n"},
	})
}

// Library code runs at most 500 ms at load; the VM it leaves is usable.
func TestFunctionLoadTimeout(t *testing.T) {
	srv := Start(t)
	c := Dial(t, srv.Addr())
	runFnSteps(t, c, []fnStep{
		{a("FUNCTION", "LOAD", testLib), "$5\r\nmylib\r\n"},
		{a("FUNCTION", "LOAD", "#!lua name=spin\nwhile true do end"), "-ERR Error registering functions: ERR FUNCTION LOAD timeout\r\n"},
		{a("FCALL", "setk", "1", "k", "v"), "+OK\r\n"},
		{a("FUNCTION", "LIST", "LIBRARYNAME", "spin"), "*0\r\n"},
	})
}

// FUNCTION KILL stops a function running past busy-reply-threshold; each
// KILL refuses the other kind of script, and FUNCTION STATS shows it.
func TestFunctionBusyAndKill(t *testing.T) {
	srv := Start(t)
	a1 := Dial(t, srv.Addr())
	b := Dial(t, srv.Addr())
	runFnSteps(t, b, []fnStep{
		{a("CONFIG", "SET", "busy-reply-threshold", "50"), "+OK\r\n"},
		{a("FUNCTION", "LOAD", "#!lua name=loop\nredis.register_function('spin', function() while true do end end)\nredis.register_function('ok', function() return 1 end)"), "$4\r\nloop\r\n"},
	})
	a1.Send("FCALL", "spin", "0")
	time.Sleep(150 * time.Millisecond)
	if got := b.Do("GET", "k"); got != "-BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.\r\n" {
		t.Fatalf("GET during a busy function: %q", got)
	}
	if got := b.Do("SCRIPT", "KILL"); got != "-BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.\r\n" {
		t.Fatalf("SCRIPT KILL on a function: %q", got)
	}
	if got := b.Do("FUNCTION", "STATS"); !strings.HasPrefix(got, "*4\r\n$14\r\nrunning_script\r\n*6\r\n$4\r\nname\r\n$4\r\nspin\r\n$7\r\ncommand\r\n*3\r\n$5\r\nFCALL\r\n$4\r\nspin\r\n$1\r\n0\r\n$11\r\nduration_ms\r\n:") {
		t.Fatalf("FUNCTION STATS: %q", got)
	}
	if got := b.Do("FUNCTION", "KILL"); got != "+OK\r\n" {
		t.Fatalf("FUNCTION KILL: %q", got)
	}
	if got := a1.Read(); got != "-ERR Script killed by user with SCRIPT KILL... script: spin, on @user_function:2.\r\n" {
		t.Fatalf("killed function's reply: %q", got)
	}
	if got := b.Do("FCALL", "ok", "0"); got != ":1\r\n" {
		t.Fatalf("FCALL after kill: %q", got)
	}
	a1.Send("EVAL", "while true do end", "0")
	time.Sleep(150 * time.Millisecond)
	for _, cmd := range [][]string{{"FUNCTION", "KILL"}, {"FUNCTION", "STATS"}} {
		if got := b.Do(cmd...); got != "-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n" {
			t.Fatalf("%v during EVAL: %q", cmd, got)
		}
	}
	if got := b.Do("SCRIPT", "KILL"); got != "+OK\r\n" {
		t.Fatalf("SCRIPT KILL: %q", got)
	}
	a1.Read()
}

// Libraries are data: on the Pebble engine they survive a restart,
// FLUSHALL keeps them, and DELETE and FLUSH are durable too.
func TestFunctionsPersist(t *testing.T) {
	dir := t.TempDir()
	start := func() (*Conn, func()) {
		srv := Start(t, WithDir(dir))
		return Dial(t, srv.Addr()), func() {
			if err := srv.Close(); err != nil {
				t.Fatal(err)
			}
		}
	}
	c, stop := start()
	runFnSteps(t, c, []fnStep{
		{a("FUNCTION", "LOAD", testLib), "$5\r\nmylib\r\n"},
		{a("FUNCTION", "LOAD", "#!lua name=gone\nredis.register_function('gone', function() return 1 end)"), "$4\r\ngone\r\n"},
		{a("FUNCTION", "LOAD", "#!lua name=two\nredis.register_function('two', function() return 1 end)"), "$3\r\ntwo\r\n"},
		{a("FUNCTION", "LOAD", "REPLACE", "#!lua name=two\nredis.register_function('two', function() return 2 end)"), "$3\r\ntwo\r\n"},
		{a("FUNCTION", "DELETE", "gone"), "+OK\r\n"},
		{a("FLUSHALL"), "+OK\r\n"},
	})
	stop()
	c, stop = start()
	runFnSteps(t, c, []fnStep{
		{a("FCALL", "setk", "1", "k", "v"), "+OK\r\n"},
		{a("FCALL", "two", "0"), ":2\r\n"},
		{a("FCALL", "gone", "0"), "-ERR Function not found\r\n"},
		{a("FUNCTION", "LIST", "WITHCODE", "LIBRARYNAME", "two"), "*1\r\n*8\r\n$12\r\nlibrary_name\r\n$3\r\ntwo\r\n$6\r\nengine\r\n$3\r\nLUA\r\n$9\r\nfunctions\r\n*1\r\n*6\r\n$4\r\nname\r\n$3\r\ntwo\r\n$11\r\ndescription\r\n$-1\r\n$5\r\nflags\r\n*0\r\n$12\r\nlibrary_code\r\n$70\r\n#!lua name=two\nredis.register_function('two', function() return 2 end)\r\n"},
		{a("FUNCTION", "FLUSH"), "+OK\r\n"},
	})
	stop()
	c, stop = start()
	runFnSteps(t, c, []fnStep{{a("FUNCTION", "LIST"), "*0\r\n"}})
	stop()
}

// FUNCTION DUMP and RESTORE with each policy.
func TestFunctionDumpRestore(t *testing.T) {
	srv := Start(t)
	c := Dial(t, srv.Addr())
	lib2 := "#!lua name=lib2\nredis.register_function('f2', function() return 2 end)"
	runFnSteps(t, c, []fnStep{
		{a("FUNCTION", "LOAD", testLib), "$5\r\nmylib\r\n"},
		{a("FUNCTION", "LOAD", lib2), "$4\r\nlib2\r\n"},
	})
	dump := c.Do("FUNCTION", "DUMP")
	payload := dump[strings.Index(dump, "\r\n")+2 : len(dump)-2]
	runFnSteps(t, c, []fnStep{
		{a("FUNCTION", "RESTORE", payload), "-ERR Library lib2 already exists\r\n"},
		{a("FUNCTION", "DELETE", "lib2"), "+OK\r\n"},
		{a("FUNCTION", "LOAD", "#!lua name=lib3\nredis.register_function('f2', function() return 3 end)"), "$4\r\nlib3\r\n"},
		{a("FUNCTION", "RESTORE", payload, "REPLACE"), "-ERR Function f2 already exists\r\n"},
		{a("FCALL", "f2", "0"), ":3\r\n"},
		{a("FUNCTION", "RESTORE", payload, "FLUSH"), "+OK\r\n"},
		{a("FCALL", "f2", "0"), ":2\r\n"},
		{a("FUNCTION", "LIST", "LIBRARYNAME", "lib3"), "*0\r\n"},
		{a("FUNCTION", "RESTORE", payload, "REPLACE"), "+OK\r\n"},
		{a("FUNCTION", "STATS"), "*4\r\n$14\r\nrunning_script\r\n$-1\r\n$7\r\nengines\r\n*2\r\n$3\r\nLUA\r\n*4\r\n$15\r\nlibraries_count\r\n:2\r\n$15\r\nfunctions_count\r\n:5\r\n"},
		{a("FUNCTION", "FLUSH"), "+OK\r\n"},
		{a("FUNCTION", "RESTORE", payload, "append"), "+OK\r\n"},
		{a("FCALL", "echo", "0"), "*2\r\n*0\r\n*0\r\n"},
	})
	if got := c.Do("FUNCTION", "DUMP"); got != dump {
		t.Fatalf("dump after restore differs:\n%q\n%q", got, dump)
	}
}

// COMMAND INFO of FCALL_RO as Redis 7.0's, key spec included.
func TestFunctionCommandInfo(t *testing.T) {
	srv := Start(t)
	c := Dial(t, srv.Addr())
	got := c.Do("COMMAND", "INFO", "fcall_ro")
	want := "*1\r\n*10\r\n$8\r\nfcall_ro\r\n:-3\r\n*6\r\n+readonly\r\n+noscript\r\n+stale\r\n+skip_monitor\r\n+no_mandatory_keys\r\n+movablekeys\r\n:0\r\n:0\r\n:0\r\n*2\r\n+@slow\r\n+@scripting\r\n*0\r\n" +
		"*1\r\n*8\r\n$5\r\nnotes\r\n$78\r\nWe cannot tell how the keys will be used so we assume the worst, RO and ACCESS\r\n$5\r\nflags\r\n*2\r\n+RO\r\n+access\r\n" +
		"$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:2\r\n" +
		"$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$6\r\nkeynum\r\n$4\r\nspec\r\n*6\r\n$9\r\nkeynumidx\r\n:0\r\n$8\r\nfirstkey\r\n:1\r\n$7\r\nkeystep\r\n:1\r\n*0\r\n"
	if got != want {
		t.Fatalf("COMMAND INFO fcall_ro:\n got %q\nwant %q", got, want)
	}
}

// Over maxmemory, a function that may write is refused unless it says
// allow-oom or no-writes; INFO counts functions and libraries.
func TestFunctionFlagsAndOOM(t *testing.T) {
	srv := Start(t)
	c := Dial(t, srv.Addr())
	lib := "#!lua name=m\n" +
		"redis.register_function('w', function(keys) return redis.call('set', keys[1], 'x') end)\n" +
		"redis.register_function{function_name='r', callback=function(keys) return redis.call('get', keys[1]) end, flags={'no-writes'}}\n" +
		"redis.register_function{function_name='o', callback=function(keys) return redis.call('set', keys[1], 'y') end, flags={'allow-oom'}}\n"
	const oom = "-OOM command not allowed when used memory > 'maxmemory'.\r\n"
	runFnSteps(t, c, []fnStep{
		{a("FUNCTION", "LOAD", lib), "$1\r\nm\r\n"},
		{a("SET", "k", "v"), "+OK\r\n"},
		{a("CONFIG", "SET", "maxmemory", "1"), "+OK\r\n"},
		{a("FCALL", "w", "1", "k"), oom},
		{a("FCALL_RO", "w", "1", "k"), oom},
		{a("FCALL", "r", "1", "k"), "$1\r\nv\r\n"},
		{a("FCALL", "o", "1", "k"), "+OK\r\n"},
		{a("FUNCTION", "LOAD", "#!lua name=m2\nredis.register_function('w2', function() return 1 end)"), oom},
		{a("FUNCTION", "DELETE", "m"), "+OK\r\n"},
		{a("CONFIG", "SET", "maxmemory", "0"), "+OK\r\n"},
		{a("FUNCTION", "LOAD", lib), "$1\r\nm\r\n"},
	})
	info := c.Do("INFO", "memory")
	if !strings.Contains(info, "\r\nnumber_of_functions:3\r\n") || !strings.Contains(info, "\r\nnumber_of_libraries:1\r\n") {
		t.Fatalf("INFO memory: %q", info)
	}
}

// A function that wrote cannot be killed; closing the server ends it.
func TestFunctionUnkillableUntilClose(t *testing.T) {
	srv := Start(t)
	a1 := Dial(t, srv.Addr())
	b := Dial(t, srv.Addr())
	runFnSteps(t, b, []fnStep{
		{a("CONFIG", "SET", "busy-reply-threshold", "50"), "+OK\r\n"},
		{a("FUNCTION", "LOAD", "#!lua name=w\nredis.register_function('wspin', function() redis.call('set', 'x', 'y') while true do end end)"), "$1\r\nw\r\n"},
	})
	a1.Send("FCALL", "wspin", "0")
	time.Sleep(150 * time.Millisecond)
	if got := b.Do("FUNCTION", "KILL"); !strings.HasPrefix(got, "-UNKILLABLE ") {
		t.Fatalf("FUNCTION KILL after a write: %q", got)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Close() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not stop the running function")
	}
}
