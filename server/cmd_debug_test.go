package server_test

import (
	"strings"
	"testing"
	"time"

	"github.com/cairn-db/cairn/server"
	. "github.com/cairn-db/cairn/server/servertest"
)

// withDebug enables DEBUG as enable-debug-command value does. It sets the
// defaults of the settings not yet given (Config.Set), the data directory
// among them: put it after WithPebble.
func withDebug(value string) Option {
	return WithConfig(func(c *server.Config) { c.Set("enable-debug-command", value) })
}

// DEBUG is refused, before MULTI queues it, unless enable-debug-command
// allows it; "local" allows loopback clients, which the tests are.
func TestDebugIsGuardedByEnableDebugCommand(t *testing.T) {
	refused := Dial(t, Start(t).Addr())
	if got := refused.Do("DEBUG", "DIGEST"); !strings.HasPrefix(got, "-ERR DEBUG command not allowed") {
		t.Fatalf("DEBUG DIGEST by default = %q", got)
	}
	refused.Do("MULTI")
	if got := refused.Do("DEBUG", "DIGEST"); !strings.HasPrefix(got, "-ERR DEBUG command not allowed") {
		t.Fatalf("DEBUG DIGEST in MULTI = %q", got)
	}
	for _, value := range []string{"yes", "local"} {
		c := Dial(t, Start(t, withDebug(value)).Addr())
		if got := c.Do("DEBUG", "DIGEST"); got != Status(strings.Repeat("0", 40)) {
			t.Fatalf("enable-debug-command %s: DEBUG DIGEST of nothing = %q", value, got)
		}
		if got := c.Do("CONFIG", "SET", "enable-debug-command", "no"); !strings.Contains(got, "immutable") {
			t.Fatalf("CONFIG SET enable-debug-command = %q", got)
		}
	}
}

// fillEveryType writes a key of each type, in two databases, with and
// without TTLs, and a function library.
func fillEveryType(t *testing.T, c *Conn) {
	t.Helper()
	for _, cmd := range [][]string{
		{"SET", "s", "v"}, {"SET", "n", "12345", "EX", "1000"},
		{"RPUSH", "l", "a", "b", "c"}, {"SADD", "set", "x", "y", "1"},
		{"ZADD", "z", "1", "a", "2.5", "b"}, {"HSET", "h", "f", "v", "g", "w"},
		{"XADD", "st", "1-1", "f", "v"}, {"XGROUP", "CREATE", "st", "g", "0"},
		{"XREADGROUP", "GROUP", "g", "alice", "STREAMS", "st", ">"},
		{"PFADD", "hll", "a", "b"}, {"SELECT", "3"}, {"SET", "other", "db"}, {"SELECT", "0"},
		{"FUNCTION", "LOAD", "#!lua name=lib\nredis.register_function('f', function() return 1 end)"},
	} {
		if got := c.Do(cmd...); strings.HasPrefix(got, "-") {
			t.Fatalf("%v: %q", cmd, got)
		}
	}
}

// DEBUG RELOAD saves the RDB file, empties the dataset and loads the file
// back: on both engines the dataset, its digest and the functions come
// back as they were. Its options are Redis's.
func TestDebugReload(t *testing.T) {
	for _, engine := range []string{"memory", "pebble"} {
		t.Run(engine, func(t *testing.T) {
			opts := []Option{WithConfig(func(c *server.Config) { c.Dir = t.TempDir() })}
			if engine == "pebble" {
				opts = append(opts, WithPebble(""))
			}
			opts = append(opts, withDebug("yes"))
			srv := Start(t, opts...)
			c := Dial(t, srv.Addr())
			fillEveryType(t, c)
			before, digest := srv.Store().Dump(), c.Do("DEBUG", "DIGEST")
			if got := c.Do("DEBUG", "RELOAD"); got != OK {
				t.Fatalf("DEBUG RELOAD = %q", got)
			}
			if after := srv.Store().Dump(); after != before {
				t.Fatalf("dataset changed by DEBUG RELOAD\nbefore:\n%s\nafter:\n%s", before, after)
			}
			if got := c.Do("DEBUG", "DIGEST"); got != digest {
				t.Fatalf("digest %q after DEBUG RELOAD, %q before", got, digest)
			}
			if got := c.Do("FCALL", "f", "0"); got != Int(1) {
				t.Fatalf("FCALL after DEBUG RELOAD = %q", got)
			}
			// NOFLUSH without MERGE: the file's library and keys are there.
			if got := c.Do("DEBUG", "RELOAD", "NOSAVE", "NOFLUSH"); got != Err("ERR Error trying to load the RDB dump") {
				t.Fatalf("DEBUG RELOAD NOSAVE NOFLUSH over the same keys = %q", got)
			}
			c.Do("FLUSHALL")
			c.Do("FUNCTION", "FLUSH")
			c.Do("SET", "extra", "1")
			if got := c.Do("DEBUG", "RELOAD", "NOSAVE", "NOFLUSH", "MERGE"); got != OK {
				t.Fatalf("DEBUG RELOAD NOSAVE NOFLUSH MERGE = %q", got)
			}
			if got := c.Do("EXISTS", "extra", "s", "l"); got != Int(3) {
				t.Fatalf("after a merge, EXISTS extra s l = %q", got)
			}
			if got := c.Do("DEBUG", "RELOAD", "SOON"); got != Err("ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.") {
				t.Fatalf("DEBUG RELOAD SOON = %q", got)
			}
		})
	}
}

// DEBUG LOADAOF reads the dataset back from the Pebble engine's records;
// the memory engine has none to read.
func TestDebugLoadAOF(t *testing.T) {
	srv := Start(t, WithPebble(""), withDebug("yes"))
	c := Dial(t, srv.Addr())
	fillEveryType(t, c)
	before := srv.Store().Dump()
	// A write pipelined just before it is read back too.
	c.Write("*3\r\n$3\r\nSET\r\n$4\r\nlate\r\n$1\r\n1\r\n" +
		"*2\r\n$5\r\nDEBUG\r\n$7\r\nLOADAOF\r\n*2\r\n$3\r\nGET\r\n$4\r\nlate\r\n")
	if got := []string{c.Read(), c.Read(), c.Read()}; got[0] != OK || got[1] != OK || got[2] != Bulk("1") {
		t.Fatalf("SET, DEBUG LOADAOF, GET = %q", got)
	}
	c.Do("DEL", "late")
	if after := srv.Store().Dump(); after != before {
		t.Fatalf("dataset changed by DEBUG LOADAOF\nbefore:\n%s\nafter:\n%s", before, after)
	}
	if got := c.Do("FCALL", "f", "0"); got != Int(1) {
		t.Fatalf("FCALL after DEBUG LOADAOF = %q", got)
	}
	mem := Dial(t, Start(t, withDebug("yes")).Addr())
	if got := mem.Do("DEBUG", "LOADAOF"); !strings.Contains(got, "needs the pebble engine") {
		t.Fatalf("DEBUG LOADAOF on the memory engine = %q", got)
	}
}

// DEBUG DIGEST and DIGEST-VALUE change with the data, not with the order
// in which it was written; an expiry counts by its presence.
func TestDebugDigest(t *testing.T) {
	c := Dial(t, Start(t, withDebug("yes")).Addr())
	c.Do("SADD", "a", "1", "2", "3")
	c.Do("HSET", "h", "f", "v", "g", "w")
	first := c.Do("DEBUG", "DIGEST")
	one := c.Do("DEBUG", "DIGEST-VALUE", "a", "h", "missing")
	c.Do("DEL", "a", "h")
	c.Do("HSET", "h", "g", "w", "f", "v")
	c.Do("SADD", "a", "3", "2", "1")
	if got := c.Do("DEBUG", "DIGEST"); got != first {
		t.Fatalf("digest %q after rewriting the same data, %q before", got, first)
	}
	if got := c.Do("DEBUG", "DIGEST-VALUE", "a", "h", "missing"); got != one {
		t.Fatalf("DIGEST-VALUE %q, was %q", got, one)
	}
	if !strings.HasSuffix(one, "+"+strings.Repeat("0", 40)+"\r\n") {
		t.Fatalf("DIGEST-VALUE of a missing key is not zeros: %q", one)
	}
	c.Do("EXPIRE", "a", "100")
	if got := c.Do("DEBUG", "DIGEST"); got == first {
		t.Fatal("digest unchanged by an expiry")
	}
	c.Do("PERSIST", "a")
	c.Do("SADD", "a", "4")
	if got := c.Do("DEBUG", "DIGEST"); got == first {
		t.Fatal("digest unchanged by SADD")
	}
}

// DEBUG SLEEP stops the whole server, as Redis's does; DEBUG OBJECT keeps
// the value's address across INCR, which changes it in place.
func TestDebugSleepAndObject(t *testing.T) {
	srv := Start(t, withDebug("yes"))
	a, b := Dial(t, srv.Addr()), Dial(t, srv.Addr())
	done := make(chan time.Duration)
	go func() {
		time.Sleep(50 * time.Millisecond) // while a sleeps
		start := time.Now()
		b.Do("PING")
		done <- time.Since(start)
	}()
	if got := a.Do("DEBUG", "SLEEP", "0.3"); got != OK {
		t.Fatalf("DEBUG SLEEP = %q", got)
	}
	if waited := <-done; waited < 150*time.Millisecond {
		t.Fatalf("another client's PING waited %v during DEBUG SLEEP 0.3", waited)
	}
	a.Do("SET", "n", "20000")
	at := func() string {
		got := a.Do("DEBUG", "OBJECT", "n")
		if !strings.Contains(got, " encoding:int serializedlength:") {
			t.Fatalf("DEBUG OBJECT n = %q", got)
		}
		return strings.Fields(got)[1]
	}
	before := at()
	a.Do("INCR", "n")
	if after := at(); after != before {
		t.Fatalf("INCR moved the value: %s, then %s", before, after)
	}
	if got := a.Do("DEBUG", "OBJECT", "missing"); got != Err("ERR no such key") {
		t.Fatalf("DEBUG OBJECT missing = %q", got)
	}
}

// A watched key that SWAPDB replaces with one whose TTL has passed is no
// change, as in Redis; the key coming to life is one. DEBUG
// SET-ACTIVE-EXPIRE 0 keeps the expired key in place.
func TestWatchSwapDBWithExpiredKey(t *testing.T) {
	clock := NewClock()
	c := Dial(t, Start(t, WithClock(clock), withDebug("yes")).Addr())
	exec := func() string {
		c.Do("MULTI")
		c.Do("PING")
		return c.Do("EXEC")
	}
	c.Do("DEBUG", "SET-ACTIVE-EXPIRE", "0")
	c.Do("SET", "x", "foo", "PX", "1")
	clock.FastForward(10 * time.Millisecond)
	c.Do("SELECT", "1")
	c.Do("WATCH", "x")
	c.Do("SWAPDB", "0", "1")
	if got := exec(); got != "*1\r\n+PONG\r\n" {
		t.Fatalf("EXEC after SWAPDB brought an expired key = %q", got)
	}
	c.Do("WATCH", "x")
	c.Do("SWAPDB", "0", "1") // the expired key goes back: still no change
	c.Do("SWAPDB", "0", "1")
	c.Do("SET", "x", "live")
	if got := exec(); got != "*-1\r\n" {
		t.Fatalf("EXEC after the watched key was set = %q", got)
	}
}
