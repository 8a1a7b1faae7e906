package server_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	. "github.com/cairn-db/cairn/server/servertest"
)

// bulkValue is the payload of a bulk-string reply.
func bulkValue(t *testing.T, reply string) string {
	t.Helper()
	i := strings.Index(reply, "\r\n")
	if !strings.HasPrefix(reply, "$") || i < 0 || !strings.HasSuffix(reply, "\r\n") {
		t.Fatalf("not a bulk string: %q", reply)
	}
	return reply[i+2 : len(reply)-2]
}

// TestDumpRestore moves values of every type through DUMP and RESTORE on
// one server and checks TTLs, REPLACE, watchers and keyspace events.
func TestDumpRestore(t *testing.T) {
	clock := NewClock()
	srv := Start(t, WithClock(clock))
	c := Dial(t, srv.Addr())
	sub := Dial(t, srv.Addr())
	c.Do("CONFIG", "SET", "notify-keyspace-events", "KEA")
	sub.Do("PSUBSCRIBE", "__keyevent@0__:restore")
	for _, cmd := range [][]string{
		{"SET", "s", "value"},
		{"RPUSH", "l", "a", "b", "1"},
		{"SADD", "set", "x", "2"},
		{"HSET", "h", "f", "v"},
		{"ZADD", "z", "1.5", "m"},
		{"XADD", "x", "1-1", "f", "v"},
	} {
		c.Do(cmd...)
		p := bulkValue(t, c.Do("DUMP", cmd[1]))
		if got := c.Do("RESTORE", cmd[1], "0", p); got != Err("BUSYKEY Target key name already exists.") {
			t.Fatalf("RESTORE onto %s: %q", cmd[1], got)
		}
		if got := c.Do("RESTORE", cmd[1]+"2", "5000", p); got != OK {
			t.Fatalf("RESTORE %s2: %q", cmd[1], got)
		}
		if got, want := c.Do("DUMP", cmd[1]+"2"), Bulk(p); got != want {
			t.Fatalf("DUMP %s2 = %q, want %q", cmd[1], got, want)
		}
		if got := c.Do("PTTL", cmd[1]+"2"); got != Int(5000) {
			t.Fatalf("PTTL %s2 = %q", cmd[1], got)
		}
		if got := sub.Read(); !strings.Contains(got, cmd[1]+"2") {
			t.Fatalf("restore event: %q", got)
		}
	}
	clock.FastForward(5 * time.Second)
	if got := c.Do("EXISTS", "s2", "l2", "set2", "h2", "z2", "x2"); got != Int(0) {
		t.Fatalf("after the TTL: EXISTS = %q", got)
	}
	// RESTORE … REPLACE is a write a WATCH sees.
	p := bulkValue(t, c.Do("DUMP", "s"))
	w := Dial(t, srv.Addr())
	w.Do("WATCH", "l")
	c.Do("RESTORE", "l", "0", p, "REPLACE")
	w.Do("MULTI")
	w.Do("GET", "l")
	if got := w.Do("EXEC"); got != "*-1\r\n" {
		t.Fatalf("EXEC after RESTORE of a watched key = %q", got)
	}
	if got := c.Do("GET", "l"); got != Bulk("value") {
		t.Fatalf("GET l = %q", got)
	}
}

// TestRestoreServesBlockedClient: a list RESTOREd under a key a BLPOP
// waits on hands it an element, as any push would.
func TestRestoreServesBlockedClient(t *testing.T) {
	srv := Start(t)
	c := Dial(t, srv.Addr())
	c.Do("RPUSH", "src", "a", "b")
	p := bulkValue(t, c.Do("DUMP", "src"))
	b := Dial(t, srv.Addr())
	b.Send("BLPOP", "q", "0")
	waitBlockedClients(t, c, 1)
	if got := c.Do("RESTORE", "q", "0", p); got != OK {
		t.Fatalf("RESTORE = %q", got)
	}
	if got := b.Read(); got != Bulks("q", "a") {
		t.Fatalf("BLPOP = %q", got)
	}
	if got := c.Do("LRANGE", "q", "0", "-1"); got != Bulks("b") {
		t.Fatalf("LRANGE = %q", got)
	}
}

// waitBlockedClients waits until INFO counts n blocked clients.
func waitBlockedClients(t *testing.T, c *Conn, n int) {
	t.Helper()
	want := "blocked_clients:" + strconv.Itoa(n) + "\r\n"
	for i := 0; i < 500; i++ {
		if strings.Contains(c.Do("INFO", "clients"), want) {
			return
		}
		time.Sleep(2 * time.Millisecond)
	}
	t.Fatalf("never saw %q", want)
}
