package integration

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cairn-db/cairn/server"
	"github.com/cairn-db/cairn/server/servertest"
)

// TestTwemproxyShards puts three Cairn instances behind twemproxy
// (nutcracker) with consistent hashing and drives them through it with
// the commands such a proxy forwards, including the multi-key ones it
// splits across shards (MGET, MSET, DEL, EXISTS).
func TestTwemproxyShards(t *testing.T) {
	bin, err := exec.LookPath("nutcracker")
	if err != nil {
		t.Skip("nutcracker not installed (Debian package nutcracker; .ci/run installs it)")
	}
	const pass = "shard-secret"
	var shards []*server.Server
	conf := ""
	for i := 0; i < 3; i++ {
		srv := servertest.Start(t, servertest.WithConfig(func(c *server.Config) { c.RequirePass = pass }))
		shards = append(shards, srv)
		conf += fmt.Sprintf("    - %s:1 cairn%d\n", srv.Addr(), i)
	}
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	statsPort, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	listen := "127.0.0.1:" + strconv.Itoa(port)
	yml := "cairn:\n  listen: " + listen + "\n  hash: fnv1a_64\n  distribution: ketama\n" +
		"  redis: true\n  redis_auth: " + pass + "\n  auto_eject_hosts: false\n  timeout: 2000\n" +
		"  server_retry_timeout: 1000\n  servers:\n" + conf
	confPath := filepath.Join(dir, "nutcracker.yml")
	if err := os.WriteFile(confPath, []byte(yml), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-c", confPath, "-s", strconv.Itoa(statsPort), "-a", "127.0.0.1",
		"-o", filepath.Join(dir, "nutcracker.log"), "-p", filepath.Join(dir, "nutcracker.pid"))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			log, _ := os.ReadFile(filepath.Join(dir, "nutcracker.log"))
			t.Logf("nutcracker log:\n%s", log)
		}
	})
	if err := waitListening(listen, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	// go-redis opens every connection with HELLO, which twemproxy does not
	// forward and answers by closing the connection, so the proxy is
	// driven with a plain RESP connection, as twemproxy's own clients are.
	ctx := context.Background()
	px := servertest.Dial(t, listen)
	do := func(args ...string) string { return px.Do(args...) }
	if got := do("AUTH", pass); got != servertest.OK {
		t.Fatalf("AUTH through twemproxy: %q", got)
	}
	const n = 300
	keys := make([]string, n)
	for i := range keys {
		keys[i] = "key:" + strconv.Itoa(i)
		if got := do("SET", keys[i], strconv.Itoa(i)); got != servertest.OK {
			t.Fatalf("SET through twemproxy: %q", got)
		}
	}
	want := make([]string, n)
	for i := range want {
		want[i] = strconv.Itoa(i)
	}
	if got := do(append([]string{"MGET"}, keys...)...); got != servertest.Bulks(want...) {
		t.Fatalf("MGET through twemproxy: %.200q", got)
	}
	// Every shard holds part of the keyspace, and together all of it.
	total := int64(0)
	for i, srv := range shards {
		direct := redis.NewClient(&redis.Options{Addr: srv.Addr(), Password: pass})
		size, err := direct.DBSize(ctx).Result()
		direct.Close()
		if err != nil {
			t.Fatal(err)
		}
		if size == 0 {
			t.Errorf("shard %d holds no keys: hashing did not spread them", i)
		}
		total += size
	}
	if total != n {
		t.Errorf("shards hold %d keys, want %d", total, n)
	}

	Int, Bulk, OK, Nil := servertest.Int, servertest.Bulk, servertest.OK, servertest.Nil
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"MSET", "m:a", "1", "m:b", "2", "m:c", "3"}, OK},
		{[]string{"EXISTS", "m:a", "m:b", "m:c", "m:none"}, Int(3)},
		{[]string{"DEL", "m:a", "m:b", "m:none"}, Int(2)},
		{[]string{"UNLINK", "m:c"}, Int(1)},
		{[]string{"INCRBY", "counter", "5"}, Int(5)},
		{[]string{"DECR", "counter"}, Int(4)},
		{[]string{"APPEND", "s", "abc"}, Int(3)},
		{[]string{"GETRANGE", "s", "1", "2"}, Bulk("bc")},
		{[]string{"SETRANGE", "s", "3", "d"}, Int(4)},
		{[]string{"SETNX", "s", "x"}, Int(0)},
		{[]string{"EXPIRE", "s", "60"}, Int(1)},
		{[]string{"TTL", "s"}, Int(60)},
		{[]string{"PERSIST", "s"}, Int(1)},
		{[]string{"TYPE", "s"}, "+string\r\n"},
		{[]string{"STRLEN", "s"}, Int(4)},
		{[]string{"GETSET", "s", "new"}, Bulk("abcd")},
		{[]string{"GETDEL", "s"}, Bulk("new")},
		{[]string{"GET", "s"}, Nil},
		{[]string{"INCRBYFLOAT", "f", "1.5"}, Bulk("1.5")},
		{[]string{"SETEX", "ex", "100", "v"}, OK},
		{[]string{"PSETEX", "px", "100000", "v"}, OK},
		{[]string{"EXPIREAT", "ex", "4102444800"}, Int(1)},
		{[]string{"PEXPIRE", "ex", "100000"}, Int(1)},
		{[]string{"SET", "big", strings.Repeat("x", 100000)}, OK},
		{[]string{"STRLEN", "big"}, Int(100000)},
		{[]string{"GET", "missing"}, Nil},
		{[]string{"INCR", "s2"}, Int(1)},
		// Collections: twemproxy forwards every single-key command.
		{[]string{"RPUSH", "l", "a", "b", "c"}, Int(3)},
		{[]string{"LPOP", "l"}, Bulk("a")},
		{[]string{"LRANGE", "l", "0", "-1"}, servertest.Bulks("b", "c")},
		{[]string{"LLEN", "l"}, Int(2)},
		{[]string{"LINDEX", "l", "1"}, Bulk("c")},
		{[]string{"HSET", "h", "f", "v", "g", "w"}, Int(2)},
		{[]string{"HGET", "h", "f"}, Bulk("v")},
		{[]string{"HLEN", "h"}, Int(2)},
		{[]string{"HINCRBY", "h", "n", "3"}, Int(3)},
		{[]string{"HDEL", "h", "g"}, Int(1)},
		{[]string{"SADD", "set", "x", "y"}, Int(2)},
		{[]string{"SISMEMBER", "set", "x"}, Int(1)},
		{[]string{"SCARD", "set"}, Int(2)},
		{[]string{"ZADD", "z", "1", "a", "2", "b"}, Int(2)},
		{[]string{"ZSCORE", "z", "b"}, Bulk("2")},
		{[]string{"ZRANGE", "z", "0", "-1"}, servertest.Bulks("a", "b")},
		{[]string{"ZINCRBY", "z", "5", "a"}, Bulk("6")},
		{[]string{"ZCARD", "z"}, Int(2)},
		{[]string{"TYPE", "z"}, "+zset\r\n"},
	} {
		if got := do(c.args...); got != c.want {
			t.Errorf("%s through twemproxy = %q, want %q", strings.Join(c.args, " "), got, c.want)
		}
	}
}
