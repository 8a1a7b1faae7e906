package server_test

import (
	"net"
	"strconv"
	"strings"
	"testing"

	"github.com/cairn-db/cairn/server"
	. "github.com/cairn-db/cairn/server/servertest"
)

// MIGRATE keeps its connection to a target, as Redis does: INFO counts it,
// a second MIGRATE to the same database sends no SELECT, and when the
// target restarts behind the cached connection, MIGRATE retries on a new
// one instead of failing.
func TestMigrateCachesItsConnection(t *testing.T) {
	src := Dial(t, Start(t).Addr())
	target := Start(t)
	host, port, _ := net.SplitHostPort(target.Addr())
	info := func(c *Conn, field string) string {
		for _, line := range strings.Split(c.Do("INFO", "everything"), "\r\n") {
			if v, ok := strings.CutPrefix(line, field+":"); ok {
				return v
			}
		}
		return ""
	}
	if got := info(src, "migrate_cached_sockets"); got != "0" {
		t.Fatalf("migrate_cached_sockets before any MIGRATE = %q", got)
	}
	for _, k := range []string{"a", "b"} {
		src.Do("SET", k, "v")
		if got := src.Do("MIGRATE", host, port, k, "0", "1000"); got != OK {
			t.Fatalf("MIGRATE %s = %q", k, got)
		}
	}
	if got := info(src, "migrate_cached_sockets"); got != "1" {
		t.Fatalf("migrate_cached_sockets after two MIGRATEs = %q", got)
	}
	dst := Dial(t, target.Addr())
	if got := info(dst, "cmdstat_select"); !strings.HasPrefix(got, "calls=1,") {
		t.Fatalf("the target's SELECTs after two MIGRATEs to db 0: %q", got)
	}
	if got := dst.Do("MGET", "a", "b"); got != Bulks("v", "v") {
		t.Fatalf("the target holds %q", got)
	}

	// The target restarts on its port: the cached connection is dead.
	dst.Close()
	target.Close()
	p, _ := strconv.Atoi(port)
	restarted := Start(t, WithConfig(func(c *server.Config) { c.Port = p }))
	src.Do("SET", "c", "v")
	if got := src.Do("MIGRATE", host, port, "c", "3", "1000"); got != OK {
		t.Fatalf("MIGRATE after the target restarted = %q", got)
	}
	again := Dial(t, restarted.Addr())
	again.Do("SELECT", "3")
	if got := again.Do("GET", "c"); got != Bulk("v") {
		t.Fatalf("the restarted target holds %q", got)
	}
}
