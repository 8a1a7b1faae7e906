package server_test

import (
	"fmt"
	"strings"
	"testing"

	. "github.com/cairn-db/cairn/server/servertest"
)

// TestHyperLogLogPersists: sparse and dense HyperLogLogs, their cached
// cardinalities and a merge come back byte for byte after a restart on
// the Pebble engine.
func TestHyperLogLogPersists(t *testing.T) {
	dir := t.TempDir()
	srv := Start(t, WithDir(dir))
	c := Dial(t, srv.Addr())
	c.Do("PFADD", "sparse", "a", "b", "c")
	args := []string{"PFADD", "dense"}
	for i := 0; i < 3000; i++ {
		args = append(args, fmt.Sprint("e", i))
	}
	c.Do(args...)
	c.Do("PFCOUNT", "dense") // writes the cached cardinality
	c.Do("PFMERGE", "merged", "sparse", "dense")
	want := map[string]string{}
	for _, k := range []string{"sparse", "dense", "merged"} {
		want[k] = c.Do("GET", k)
		if !strings.Contains(want[k], "HYLL") {
			t.Fatalf("%s: %q", k, want[k])
		}
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	srv = Start(t, WithDir(dir))
	c = Dial(t, srv.Addr())
	for k, v := range want {
		if got := c.Do("GET", k); got != v {
			t.Errorf("%s changed across restart", k)
		}
	}
	if got := c.Do("PFCOUNT", "merged"); got != c.Do("PFCOUNT", "dense", "sparse") {
		t.Fatalf("PFCOUNT merged = %q", got)
	}
	srv.Close()
	srv = Start(t, WithDir(dir)) // the cache PFCOUNT wrote is durable too
	c = Dial(t, srv.Addr())
	if got, want := c.Do("GETRANGE", "merged", "15", "15"), Bulk("\x00"); got != want {
		t.Fatalf("cached cardinality's stale bit after restart: %q", got)
	}
}

// TestPFCountCacheWriteTouchesWatch: PFCOUNT that recomputes and caches the
// cardinality modifies the key, so a transaction watching it fails, as in
// Redis; a PFCOUNT served from the cache does not.
func TestPFCountCacheWriteTouchesWatch(t *testing.T) {
	srv := Start(t)
	a, b := Dial(t, srv.Addr()), Dial(t, srv.Addr())
	a.Do("PFADD", "h", "x", "y")
	a.Do("WATCH", "h")
	b.Do("PFCOUNT", "h")
	a.Do("MULTI")
	a.Do("PING")
	if got := a.Do("EXEC"); got != NilArray {
		t.Fatalf("EXEC after a caching PFCOUNT = %q, want the null array", got)
	}
	a.Do("WATCH", "h")
	b.Do("PFCOUNT", "h") // served from the cache: no write
	a.Do("MULTI")
	a.Do("PING")
	if got := a.Do("EXEC"); got != "*1\r\n+PONG\r\n" {
		t.Fatalf("EXEC after a cached PFCOUNT = %q", got)
	}
}

func TestHyperLogLogCommands(t *testing.T) {
	c := Dial(t, Start(t).Addr())
	for _, tc := range []struct{ cmd, want string }{
		{"PFADD h", Int(1)},
		{"PFADD h", Int(0)},
		{"PFADD h a", Int(1)},
		{"PFADD h a", Int(0)},
		{"PFCOUNT h", Int(1)},
		{"PFCOUNT h nokey", Int(1)},
		{"PFCOUNT nokey", Int(0)},
		{"PFMERGE d h", OK},
		{"PFCOUNT d", Int(1)},
		{"SET s hello", OK},
		{"PFADD s a", Err("WRONGTYPE Key is not a valid HyperLogLog string value.")},
		{"PFCOUNT h s", Err("WRONGTYPE Key is not a valid HyperLogLog string value.")},
		{"PFMERGE d s", Err("WRONGTYPE Key is not a valid HyperLogLog string value.")},
		{"LPUSH l a", Int(1)},
		{"PFCOUNT l", Err("WRONGTYPE Operation against a key holding the wrong kind of value")},
		{"PFADD", Err("ERR wrong number of arguments for 'pfadd' command")},
		{"PFCOUNT", Err("ERR wrong number of arguments for 'pfcount' command")},
		{"PFMERGE", Err("ERR wrong number of arguments for 'pfmerge' command")},
		{"PFSELFTEST x", Err("ERR wrong number of arguments for 'pfselftest' command")},
		{"PFDEBUG ENCODING nokey", Err("ERR The specified key does not exist")},
		{"PFDEBUG ENCODING h", Status("sparse")},
		{"PFDEBUG TODENSE h", Int(1)},
		{"PFDEBUG ENCODING h", Status("dense")},
		{"PFDEBUG DECODE h", Err("ERR HLL encoding is not sparse")},
		{"PFDEBUG NOPE h", Err("ERR Unknown PFDEBUG subcommand 'NOPE'")},
	} {
		if got := c.Do(strings.Fields(tc.cmd)...); got != tc.want {
			t.Errorf("%s = %q, want %q", tc.cmd, got, tc.want)
		}
	}
}
