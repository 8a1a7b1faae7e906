package server_test

import (
	"net"
	"strconv"
	"strings"
	"testing"

	. "github.com/cairn-db/cairn/server/servertest"
)

func TestServerCommands(t *testing.T) {
	c := runSteps(t, []step{
		{"SET a 1", OK},
		{"SELECT 1", OK},
		{"SET b 2", OK},
		{"SWAPDB 0 1", OK},
		{"GET a", Bulk("1")},
		{"SELECT 0", OK},
		{"GET b", Bulk("2")},
		{"SWAPDB 0 99", Err("ERR DB index is out of range")},
		{"SWAPDB x 1", Err("ERR invalid first DB index")},
		{"FLUSHDB ASYNC", OK},
		{"DBSIZE", Int(0)},
		{"FLUSHALL SYNC", OK},
		{"FLUSHALL BOGUS", Err("ERR syntax error")},
		{"SET n 12", OK},
		{"OBJECT ENCODING n", Bulk("int")},
		{"OBJECT REFCOUNT n", Int(2147483647)}, // a shared integer, as in Redis
		{"SET big 12345", OK},
		{"OBJECT REFCOUNT big", Int(1)},
		{"OBJECT IDLETIME n", Int(0)},
		{"OBJECT ENCODING missing", Nil},
		{"OBJECT FREQ n", Err("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.")},
		{"MEMORY USAGE missing", Nil},
		{"SHUTDOWN ABORT", Err("ERR No shutdown in progress.")},
	})
	if got := c.Do("MEMORY", "USAGE", "n"); !strings.HasPrefix(got, ":") || got == Int(0) {
		t.Fatalf("MEMORY USAGE = %q", got)
	}
	if got := c.Do("TIME"); !strings.HasPrefix(got, "*2\r\n$10\r\n") {
		t.Fatalf("TIME = %q", got)
	}
}

func TestConfigCommands(t *testing.T) {
	runSteps(t, []step{
		{"CONFIG GET databases", Array(Bulk("databases"), Bulk("16"))},
		{"CONFIG GET MAXMEMORY", Array(Bulk("maxmemory"), Bulk("0"))},
		{"CONFIG GET nosuch", Array()},
		{"CONFIG SET maxmemory 1mb", OK},
		{"CONFIG GET maxmemory", Array(Bulk("maxmemory"), Bulk("1048576"))},
		{"CONFIG SET hz 50 list-max-listpack-size 8", OK},
		{"CONFIG GET list-max-listpack-size", Array(Bulk("list-max-listpack-size"), Bulk("8"))},
		{"CONFIG SET hz x", Err("ERR CONFIG SET failed (possibly related to argument 'hz') - argument couldn't be parsed into an integer")},
		{"CONFIG SET daemonize no", Err("ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config")},
		{"CONFIG SET databases 16", Err("ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config")},
		{"CONFIG SET engine memory", OK}, // start-only, but unchanged: a no-op
		{"CONFIG SET rename-command \"\"", Err("ERR Unknown option or number of arguments for CONFIG SET - 'rename-command'")}, // as Redis: a file directive, not a config
		{"CONFIG SET engine pebble", Err("ERR CONFIG SET failed (possibly related to argument 'engine') - can't set immutable config")},
		{"CONFIG GET key-load-*", Array()}, // a Redis hidden config: by exact name only
		{"CONFIG GET key-load-delay", Array(Bulk("key-load-delay"), Bulk("0"))},
		{"CONFIG SET nosuch 1", Err("ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'")},
		{"CONFIG SET hz 10 hz 20", Err("ERR CONFIG SET failed (possibly related to argument 'hz') - duplicate parameter")},
		{"CONFIG SET hz", Err("ERR wrong number of arguments for 'config|set' command")},
		{"CONFIG GET hz", Array(Bulk("hz"), Bulk("50"))},
		{"CONFIG RESETSTAT", OK},
		{"CONFIG REWRITE", Err("ERR The server is running without a config file")},
	})
}

func TestInfo(t *testing.T) {
	srv := Start(t)
	c := Dial(t, srv.Addr())
	c.Do("SET", "a", "1")
	c.Do("SET", "b", "2", "EX", "100")
	c.Do("GET", "a")
	c.Do("GET", "missing")
	info := c.Do("INFO")
	for _, want := range []string{"# Server\r\n", "redis_version:7.0.15\r\n", "# Clients\r\n", "connected_clients:1\r\n",
		"# Memory\r\n", "maxmemory_policy:noeviction\r\n", "# Persistence\r\n", "# Stats\r\n", "keyspace_hits:1\r\n",
		"keyspace_misses:1\r\n", "# Replication\r\n", "role:master\r\n", "# Keyspace\r\n", "db0:keys=2,expires=1,avg_ttl=0\r\n",
		"lazyfree_pending_objects:0\r\nlazyfreed_objects:0\r\n"} {
		if !strings.Contains(info, want) {
			t.Errorf("INFO lacks %q", want)
		}
	}
	if only := c.Do("INFO", "keyspace"); strings.Contains(only, "# Server") || !strings.Contains(only, "db0:") {
		t.Errorf("INFO keyspace = %q", only)
	}
}

func TestCommandCommand(t *testing.T) {
	srv := Start(t)
	c := Dial(t, srv.Addr())
	if got := c.Do("COMMAND", "INFO", "get"); !strings.HasPrefix(got, "*1\r\n*10\r\n$3\r\nget\r\n:2\r\n") {
		t.Fatalf("COMMAND INFO get = %q", got)
	}
	if got := c.Do("COMMAND", "INFO", "nosuch"); got != "*1\r\n$-1\r\n" { // null bulk, as redis-server 7.0.15
		t.Fatalf("COMMAND INFO nosuch = %q", got)
	}
	if got := c.Do("COMMAND", "INFO", "client|setname"); !strings.Contains(got, "client|setname") {
		t.Fatalf("COMMAND INFO client|setname = %q", got)
	}
	count := c.Do("COMMAND", "COUNT")
	all := c.Do("COMMAND")
	if !strings.HasPrefix(all, "*"+strings.TrimPrefix(count, ":")) {
		t.Fatalf("COMMAND has %q entries, COUNT says %q", all[:10], count)
	}
	if got := c.Do("COMMAND", "LIST", "FILTERBY", "PATTERN", "get*"); !strings.Contains(got, "getrange") {
		t.Fatalf("COMMAND LIST FILTERBY PATTERN = %q", got)
	}
}

// CONFIG SET port and bind accept their current values (Redis applies
// nothing for an unchanged value); a port that cannot be listened on is
// refused with Redis's error, and the settings stay as they were.
func TestConfigSetPortAndBind(t *testing.T) {
	srv := Start(t)
	c := Dial(t, srv.Addr())
	host, port, _ := net.SplitHostPort(srv.Addr())
	if got := c.Do("CONFIG", "SET", "port", port, "bind", host); got != OK {
		t.Fatalf("CONFIG SET port/bind to their values = %q", got)
	}
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	_, taken, _ := net.SplitHostPort(busy.Addr().String())
	got := c.Do("CONFIG", "SET", "maxmemory", "10000001", "port", taken)
	if !strings.HasPrefix(got, "-ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this port") {
		t.Fatalf("CONFIG SET port <taken> = %q", got)
	}
	if got := c.Do("CONFIG", "GET", "port"); got != Array(Bulk("port"), Bulk(port)) {
		t.Fatalf("port after the failed CONFIG SET = %q", got)
	}
	if got := c.Do("CONFIG", "GET", "maxmemory"); got != Array(Bulk("maxmemory"), Bulk("0")) {
		t.Fatalf("maxmemory not rolled back: %q", got)
	}
}

// UNLINK and FLUSHDB ASYNC give a large value's memory back at once in
// used_memory (Go's GC reclaims it; there is no lazyfree queue), so
// lazyfree_pending_objects is always 0.
func TestUnlinkReclaimsUsedMemory(t *testing.T) {
	srv := Start(t)
	c := Dial(t, srv.Addr())
	used := func() int { // the data's part: clients' buffers count in used_memory too
		var n, clients int
		for _, l := range strings.Split(c.Do("INFO", "memory"), "\r\n") {
			if v, ok := strings.CutPrefix(l, "used_memory:"); ok {
				n, _ = strconv.Atoi(v)
			}
			if v, ok := strings.CutPrefix(l, "mem_clients_normal:"); ok {
				clients, _ = strconv.Atoi(v)
			}
		}
		if n == 0 {
			t.Fatal("no used_memory")
		}
		return n - clients
	}
	orig := used()
	for _, drop := range [][]string{{"UNLINK", "myset"}, {"FLUSHDB", "ASYNC"}} {
		args := []string{"SADD", "myset"}
		for i := range 100000 {
			args = append(args, strconv.Itoa(i))
		}
		c.Do(args...)
		if peak := used(); peak < orig+1000000 {
			t.Fatalf("used_memory with 100000 members = %d, was %d", peak, orig)
		}
		c.Do(drop...)
		if got := used(); got != orig {
			t.Fatalf("used_memory after %v = %d, want %d", drop, got, orig)
		}
	}
}
