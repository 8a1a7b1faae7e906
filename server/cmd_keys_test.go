package server_test

import (
	"strings"
	"testing"
	"time"

	"github.com/cairn-db/cairn/server/servertest"
	. "github.com/cairn-db/cairn/server/servertest"
)

func TestKeyspaceCommands(t *testing.T) {
	runSteps(t, []step{
		{"MSET a 1 b 2 c 3", OK},
		{"EXISTS a a missing", Int(2)},
		{"DEL a missing", Int(1)},
		{"UNLINK b", Int(1)},
		{"TYPE c", Status("string")},
		{"TYPE a", Status("none")},
		{"TOUCH c missing", Int(1)},
		{"KEYS c*", Bulks("c")},
		{"SCAN 0 COUNT 100", Array(Bulk("0"), Bulks("c"))},
		{"SCAN 0 TYPE list", Array(Bulk("0"), Array())},
		{"SCAN 0 TYPE nosuch", Err("ERR unknown type name 'nosuch'")},
		{"SCAN x", Err("ERR invalid cursor")},
		{"SCAN 0 COUNT 0", Err("ERR syntax error")},
		{"RANDOMKEY", Bulk("c")},
		{"RENAME c d", OK},
		{"RENAME c d", Err("ERR no such key")},
		{"SET e 5", OK},
		{"RENAMENX d e", Int(0)},
		{"RENAMENX d f", Int(1)},
		{"COPY f g", Int(1)},
		{"COPY f g", Int(0)},
		{"COPY f g REPLACE", Int(1)},
		{"COPY f f", Err("ERR source and destination objects are the same")},
		{"COPY f g DB 16", Err("ERR DB index is out of range")},
		{"MOVE g 1", Int(1)},
		{"MOVE g 0", Err("ERR source and destination objects are the same")},
		{"SELECT 1", OK},
		{"GET g", Bulk("3")},
		{"DBSIZE", Int(1)},
		{"SELECT 0", OK},
		{"DBSIZE", Int(2)},
	})
}

// TestScanCursorResumes walks a keyspace a few keys at a time.
func TestScanCursorResumes(t *testing.T) {
	srv := Start(t)
	c := Dial(t, srv.Addr())
	for _, k := range []string{"a", "b", "c", "d", "e"} {
		c.Do("SET", k, "v")
	}
	if got := c.Do("SCAN", "0", "COUNT", "2"); got != Array(Bulk("3"), Bulks("e", "d")) {
		t.Fatalf("first page %q", got)
	}
	if got := c.Do("SCAN", "3", "COUNT", "2"); got != Array(Bulk("1"), Bulks("c", "b")) {
		t.Fatalf("second page %q", got)
	}
	if got := c.Do("SCAN", "1", "COUNT", "2"); got != Array(Bulk("0"), Bulks("a")) {
		t.Fatalf("last page %q", got)
	}
}

func TestExpireCommands(t *testing.T) {
	clock := servertest.NewClock()
	c := runSteps(t, []step{
		{"SET k v", OK},
		{"TTL k", Int(-1)},
		{"TTL missing", Int(-2)},
		{"EXPIRE k 100", Int(1)},
		{"TTL k", Int(100)},
		{"PTTL k", Int(100000)},
		{"EXPIRE k 50 GT", Int(0)},
		{"EXPIRE k 50 LT", Int(1)},
		{"EXPIRE k 10 NX", Int(0)},
		{"EXPIRE k 10 NX GT", Err("ERR NX and XX, GT or LT options at the same time are not compatible")},
		{"EXPIRE k 10 GT LT", Err("ERR GT and LT options at the same time are not compatible")},
		{"EXPIRE k 10 BOGUS", Err("ERR Unsupported option BOGUS")},
		{"EXPIRE k 9223372036854775807", Err("ERR invalid expire time in 'expire' command")},
		{"PERSIST k", Int(1)},
		{"PERSIST k", Int(0)},
		{"SET gone v", OK},
		{"EXPIRE gone -1", Int(1)},
		{"EXISTS gone", Int(0)},
		{"SET soon v PX 1500", OK},
	}, WithClock(clock))
	clock.FastForward(1499 * time.Millisecond)
	if got := c.Do("PTTL", "soon"); got != Int(1) {
		t.Fatalf("PTTL after 1499ms = %q", got)
	}
	clock.FastForward(time.Millisecond)
	if got := c.Do("GET", "soon"); got != Nil {
		t.Fatalf("GET after expiry = %q", got)
	}
	if got := c.Do("EXPIRETIME", "k"); got != Int(-1) {
		t.Fatalf("EXPIRETIME = %q", got)
	}
}

// TTL, PTTL, EXPIRETIME, TYPE and EXISTS look at a key without touching
// its access time (Redis's LOOKUP_NOTOUCH); TOUCH and GET do touch it.
func TestKeyPeeksDoNotTouch(t *testing.T) {
	clock := NewClock()
	srv := Start(t, WithClock(clock))
	c := Dial(t, srv.Addr())
	c.Do("SET", "foo", "bar")
	clock.FastForward(3 * time.Second)
	for _, cmd := range [][]string{{"TTL", "foo"}, {"PTTL", "foo"}, {"EXPIRETIME", "foo"}, {"TYPE", "foo"}, {"EXISTS", "foo"}} {
		c.Do(cmd...)
	}
	if got := c.Do("OBJECT", "IDLETIME", "foo"); got != Int(3) {
		t.Fatalf("OBJECT IDLETIME after TTL/TYPE/EXISTS = %q, want 3", got)
	}
	c.Do("TOUCH", "foo")
	if got := c.Do("OBJECT", "IDLETIME", "foo"); got != Int(0) {
		t.Fatalf("OBJECT IDLETIME after TOUCH = %q, want 0", got)
	}
	// The peeks, both OBJECTs and TOUCH count as hits, as in Redis.
	if got := c.Do("INFO", "stats"); !strings.Contains(got, "keyspace_hits:8\r\n") {
		t.Errorf("keyspace_hits after 5 peeks, 2 OBJECTs and TOUCH: %q", got)
	}
}
