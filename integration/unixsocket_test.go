package integration

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/cairn-db/cairn/server"
	"github.com/cairn-db/cairn/server/servertest"
)

// A server with unixsocket (and unixsocketperm) serves clients there as
// on TCP: go-redis and redis-cli -s work, the socket file has the mode
// asked for and goes away on Close, and CLIENT INFO names the client as
// redis-server does (addr and laddr = path:0, flag U).
func TestUnixSocket(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cairn.sock")
	srv := servertest.Start(t, servertest.WithConfig(func(c *server.Config) {
		c.UnixSocket, c.UnixSocketPerm = path, 0o700
	}))
	fi, err := os.Stat(path)
	if err != nil || fi.Mode()&os.ModeSocket == 0 || fi.Mode().Perm() != 0o700 {
		t.Fatalf("socket file: %v, %v", fi, err)
	}
	rdb := redis.NewClient(&redis.Options{Network: "unix", Addr: path})
	defer rdb.Close()
	if err := rdb.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if v := newClient(t, srv.Addr()).Get(ctx, "k").Val(); v != "v" {
		t.Fatalf("the TCP client sees %q", v)
	}
	info := rdb.ClientInfo(ctx).Val()
	if info == nil || info.Addr != path+":0" || info.LAddr != path+":0" || !strings.Contains(rdb.Do(ctx, "CLIENT", "INFO").String(), " flags=U ") {
		t.Fatalf("CLIENT INFO over the socket: %+v / %s", info, rdb.Do(ctx, "CLIENT", "INFO").String())
	}
	if cli, err := exec.LookPath("redis-cli"); err == nil {
		out, err := exec.Command(cli, "-s", path, "GET", "k").CombinedOutput()
		if err != nil || strings.TrimSpace(string(out)) != "v" {
			t.Fatalf("redis-cli -s: %q, %v", out, err)
		}
	}
	srv.Close()
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("socket file left after Close: %v", err)
	}
}

// CLIENT INFO over a Unix socket reads as redis-server's: the same fields
// with the same address and flags, whatever the values.
func TestUnixSocketClientInfoMatchesRedis(t *testing.T) {
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("redis-server not installed (Debian package redis-server)")
	}
	dir := t.TempDir()
	rpath, cpath := filepath.Join(dir, "redis.sock"), filepath.Join(dir, "cairn.sock")
	rs, err := startRedis("--unixsocket", rpath, "--unixsocketperm", "700")
	if err != nil {
		t.Skipf("redis-server: %v", err)
	}
	defer rs.stop()
	servertest.Start(t, servertest.WithConfig(func(c *server.Config) { c.UnixSocket = cpath }))
	// Values vary; the shape (names, addresses, flags, events) must not.
	shape := regexp.MustCompile(`=[0-9]+`)
	line := func(path string) string {
		c, err := net.Dial("unix", path)
		if err != nil {
			t.Fatal(err)
		}
		c.Close()
		rdb := redis.NewClient(&redis.Options{Network: "unix", Addr: path, Protocol: 2, DisableIdentity: true})
		defer rdb.Close()
		s, err := rdb.Do(context.Background(), "CLIENT", "INFO").Text()
		if err != nil {
			t.Fatal(err)
		}
		s = strings.ReplaceAll(s, path, "PATH")
		s, _, _ = strings.Cut(s, " lib-name=") // 7.2's fields, after resp=
		return shape.ReplaceAllString(strings.TrimSpace(s), "=N")
	}
	if r, c := line(rpath), line(cpath); r != c {
		t.Fatalf("CLIENT INFO over a Unix socket:\nredis: %s\ncairn: %s", r, c)
	}
}
