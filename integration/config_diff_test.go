package integration

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// configDifferences are the parameters whose defaults differ from
// redis-server's on purpose, each with its reason.
var configDifferences = map[string]string{
	"bind": "Cairn listens on 127.0.0.1 unless told otherwise",
	"dir":  "each server runs in a folder of its own",
	"port": "each server has a free port of its own",
	// Only where a config file gives a pid file or no save line.
	"pidfile": "each server writes a pid file of its own",
	"save": "Cairn's daemon keeps no save points unless given: Pebble, its default engine, is durable by itself, " +
		"and the memory engine saves on SAVE, BGSAVE and shutdown",
}

// configJunkSkipped are parameters the junk-value comparison leaves
// alone: setting them changes how the test itself must talk to the
// server, or touches the listeners and files of the machine.
var configJunkSkipped = map[string]bool{
	"requirepass": true, "bind": true, "port": true, "dir": true, "unixsocket": true,
	"tls-port": true, "tls-cert-file": true, "tls-key-file": true, "tls-ca-cert-file": true,
	"tls-ca-cert-dir": true, "tls-key-file-pass": true, "tls-protocols": true, "tls-ciphers": true,
	"tls-ciphersuites": true, "tls-dh-params-file": true, "tls-client-cert-file": true,
	"tls-client-key-file": true, "tls-client-key-file-pass": true, "tls-auth-clients": true,
	"tls-session-caching": true, "tls-session-cache-size": true, "tls-session-cache-timeout": true,
	"tls-prefer-server-ciphers": true, "tls-replication": true, "tls-cluster": true,
	// Redis raises its file-descriptor limit to fit: with 2147483648 it
	// spends seconds trying.
	"maxclients": true,
}

// configJunkDiffers are junk values Cairn answers differently on purpose.
var configJunkDiffers = map[string]string{
	"maxmemory 99999999999999999999":                  "Redis takes any unsigned 64-bit size; Cairn's sizes stop at 2^63-1",
	"cluster-link-sendbuf-limit 99999999999999999999": "as maxmemory",
	"maxmemory-clients 99999999999999999999":          "Redis reads 2^64-1 as -1, that is 1% of maxmemory; Cairn refuses it",
}

// TestConfigParametersMatchRedis checks that Cairn has every parameter
// redis-server 7 lists in CONFIG GET *, with the same default value, and
// that CONFIG SET answers the same to malformed and out-of-range values:
// the same error, or, where Redis takes the value, the same value shown
// afterwards. A redis.conf written for redis-server then means the same
// to Cairn, and tools that read or set configuration see what they
// expect.
func TestConfigParametersMatchRedis(t *testing.T) {
	rc, cc := redisAndCairn(t)
	ctx := context.Background()

	names := compareConfigs(t, configMap(t, rc), configMap(t, cc))

	junk := []string{"junk", "-1", "99999999999999999999", "1.5", "", "007", "+5", "1 2", "2147483648"}
	for _, name := range names {
		if configJunkSkipped[name] {
			continue
		}
		for _, v := range junk {
			if configJunkDiffers[name+" "+v] != "" {
				continue
			}
			r := configSetReply(ctx, rc, name, v)
			c := configSetReply(ctx, cc, name, v)
			if r != c {
				t.Errorf("CONFIG SET %s %q: Cairn %s, Redis %s", name, v, c, r)
				continue
			}
			if r == "OK" {
				if rv, cv := configGet(ctx, rc, name), configGet(ctx, cc, name); rv != cv {
					t.Errorf("after CONFIG SET %s %q: Cairn shows %q, Redis %q", name, v, cv, rv)
				}
			}
		}
	}
}

// compareConfigs fails the test for each of Redis's parameters that
// Cairn lacks or shows another value for (but for configDifferences), and
// returns Redis's parameter names, sorted.
func compareConfigs(t *testing.T, want, got map[string]string) []string {
	t.Helper()
	names := make([]string, 0, len(want))
	for name := range want {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		v, ok := got[name]
		switch {
		case !ok:
			t.Errorf("CONFIG GET %s: Cairn has no such parameter (Redis: %q)", name, want[name])
		case v != want[name] && configDifferences[name] == "":
			t.Errorf("CONFIG GET %s = %q, Redis %q", name, v, want[name])
		}
	}
	return names
}

// TestDebianRedisConfStartsCairn starts Cairn and redis-server from
// Debian's stock /etc/redis/redis.conf (bind 127.0.0.1 -::1, the optional
// IPv6 loopback among them), with the overrides Debian's systemd unit and
// a test need (port, folders, foreground, log to stdout), and checks that
// every parameter means the same to both.
func TestDebianRedisConfStartsCairn(t *testing.T) {
	requireRedis(t)
	const stock = "/etc/redis/redis.conf"
	if _, err := os.Stat(stock); err != nil {
		t.Skipf("%s not installed (Debian package redis-server): %v", stock, err)
	}
	dir := t.TempDir()
	overrides := func(port int) []string {
		return []string{"--port", strconv.Itoa(port), "--dir", dir, "--daemonize", "no",
			"--logfile", "", "--pidfile", filepath.Join(dir, strconv.Itoa(port)+".pid")}
	}
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	redisArgs := append([]string{stock}, overrides(port)...)
	cmd := exec.Command("redis-server", redisArgs...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	redisAddr := "127.0.0.1:" + strconv.Itoa(port)
	if err := waitReady(redisAddr, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	cport, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	cairn := exec.Command(cairnBinary(t), append(append([]string{stock}, overrides(cport)...), "--engine", "memory")...)
	out := &strings.Builder{}
	cairn.Stdout, cairn.Stderr = out, out
	if err := cairn.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cairn.Process.Kill(); cairn.Wait() })
	cairnAddr := "127.0.0.1:" + strconv.Itoa(cport)
	if err := waitReady(cairnAddr, 10*time.Second); err != nil {
		t.Fatalf("Cairn did not start from %s: %v\n%s", stock, err, out)
	}
	rc := redis.NewClient(&redis.Options{Addr: redisAddr})
	cc := redis.NewClient(&redis.Options{Addr: cairnAddr})
	defer rc.Close()
	defer cc.Close()
	compareConfigs(t, configMap(t, rc), configMap(t, cc))
}

// configMap is CONFIG GET *.
func configMap(t *testing.T, c *redis.Client) map[string]string {
	t.Helper()
	m, err := c.ConfigGet(context.Background(), "*").Result()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// configSetReply is CONFIG SET's reply, "OK" or the error's text.
func configSetReply(ctx context.Context, c *redis.Client, name, value string) string {
	if err := c.ConfigSet(ctx, name, value).Err(); err != nil {
		return err.Error()
	}
	return "OK"
}

// configGet is one parameter's value, or the error.
func configGet(ctx context.Context, c *redis.Client, name string) string {
	m, err := c.ConfigGet(ctx, name).Result()
	if err != nil {
		return err.Error()
	}
	return fmt.Sprint(m[name])
}

// TestConfigSetPairsMatchRedis sends CONFIG SET with several pairs whose
// names and values fail in different ways, and checks that Cairn reports
// the same failure as redis-server: Redis checks every name (unknown,
// immutable, duplicate; an alias is a name of its own) before it parses
// any value, and a failed CONFIG SET changes nothing.
func TestConfigSetPairsMatchRedis(t *testing.T) {
	rc, cc := redisAndCairn(t)
	ctx := context.Background()
	for _, args := range [][]any{
		{"maxmemory", "junk", "maxmemory", "5"},
		{"maxmemory", "junk", "daemonize", "yes"},
		{"maxmemory", "junk", "nosuch", "1"},
		{"MaxMemory", "1mb", "MAXMEMORY", "2mb"},
		{"hash-max-ziplist-entries", "1", "hash-max-listpack-entries", "2"},
		{"hash-max-listpack-entries", "junk", "hash-max-ziplist-entries", "2"},
		{"maxmemory", "1mb", "maxmemory-policy", "bogus"},
		{"Daemonize", "yes", "maxmemory", "1mb"},
		{"maxmemory", "3mb", "maxmemory-policy", "allkeys-lru"},
		{"maxmemory"},
		{"maxmemory", "0", "hz"},
	} {
		cmd := append([]any{"config", "set"}, args...)
		r, c := replyText(rc.Do(ctx, cmd...)), replyText(cc.Do(ctx, cmd...))
		if r != c {
			t.Errorf("CONFIG SET %q: Cairn %s, Redis %s", args, c, r)
		}
		for _, name := range []string{"maxmemory", "maxmemory-policy", "hash-max-listpack-entries"} {
			if rv, cv := configGet(ctx, rc, name), configGet(ctx, cc, name); rv != cv {
				t.Errorf("after CONFIG SET %q: Cairn shows %s %q, Redis %q", args, name, cv, rv)
			}
		}
	}
}

// redisAndCairn starts a redis-server and a Cairn on the memory engine
// (skipping the test without redis-server) and returns a client of each,
// closed when the test ends.
func redisAndCairn(t *testing.T) (rc, cc *redis.Client) {
	t.Helper()
	redisSrv := ownRedis(t)
	cairn := startCairn(t, "--engine", "memory")
	rc = redis.NewClient(&redis.Options{Addr: redisSrv.addr})
	cc = redis.NewClient(&redis.Options{Addr: cairn.addr})
	t.Cleanup(func() { rc.Close(); cc.Close() })
	return rc, cc
}

// replyText is a command's reply, or its error, as text.
func replyText(cmd *redis.Cmd) string {
	v, err := cmd.Result()
	if err != nil {
		return "error: " + err.Error()
	}
	return fmt.Sprint(v)
}
