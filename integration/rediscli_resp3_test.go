package integration

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/cairn-db/cairn/server/servertest"
)

// TestRedisCLIRESP3 runs one redis-cli -3 session against redis-server and
// one against Cairn and compares what a user sees: redis-cli prints each
// RESP3 type its own way ("1# f => v" for a map, "(double) 1.5"), so a
// wrong type shows up as different text.
func TestRedisCLIRESP3(t *testing.T) {
	cli, err := exec.LookPath("redis-cli")
	if err != nil {
		t.Skip("redis-cli not installed (Debian package redis-tools)")
	}
	redis := requireRedis(t)
	cairn := servertest.Start(t)
	script := strings.Join([]string{
		"FLUSHALL",
		"HSET h f v",
		"HGETALL h",
		"ZADD z 1.5 a 2 b",
		"ZRANGE z 0 -1 WITHSCORES",
		"ZSCORE z a",
		"ZINCRBY z 1 a",
		"ZPOPMIN z",
		"SADD s x",
		"SMEMBERS s",
		"GET nope",
		"CONFIG GET maxmemory",
		"EXPIRE h 100",
		"SETNX h x",
		"RPUSH l a",
		"LPOP l 3",
		"LPOP l 3",
		"SET a hello",
		"SET b hallo",
		"LCS a b IDX WITHMATCHLEN",
	}, "\n") + "\n"
	run := func(addr string) string {
		host, port, _ := strings.Cut(addr, ":")
		cmd := exec.Command(cli, "-3", "--no-raw", "-h", host, "-p", port)
		cmd.Stdin = strings.NewReader(script)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("redis-cli -3 against %s: %v\n%s", addr, err, out)
		}
		return string(out)
	}
	want, got := run(redis.addr), run(cairn.Addr())
	if got != want {
		t.Fatalf("redis-cli -3 output differs\nredis-server:\n%s\ncairn:\n%s", want, got)
	}
	if !strings.Contains(got, `1# "f" => "v"`) || !strings.Contains(got, "(double) 1.5") {
		t.Fatalf("redis-cli did not see RESP3 types:\n%s", got)
	}
}
