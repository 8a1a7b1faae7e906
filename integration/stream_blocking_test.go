package integration

import (
	"testing"
	"time"

	"github.com/cairn-db/cairn/server/servertest"
)

// readAsync reads c's next reply on another goroutine.
func readAsync(c *servertest.Conn) <-chan string {
	ch := make(chan string, 1)
	go func() { ch <- c.Read() }()
	return ch
}

func want(t *testing.T, ch <-chan string, reply string) {
	t.Helper()
	select {
	case got := <-ch:
		if got != reply {
			t.Fatalf("got %q\nwant %q", got, reply)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("blocked client was not answered")
	}
}

func entryReply(key, id, f, v string) string {
	return servertest.Array(servertest.Array(servertest.Bulk(key),
		servertest.Array(servertest.Array(servertest.Bulk(id), servertest.Bulks(f, v)))))
}

// XREAD and XREADGROUP BLOCK: woken by XADD (also from EXEC), in the
// order they blocked, timing out on the server clock, never blocking in
// MULTI, and answering as Redis 7.0 does when the stream or group goes.
func TestStreamBlocking(t *testing.T) {
	clock := servertest.NewClock()
	srv := servertest.Start(t, servertest.WithClock(clock))
	ctl := servertest.Dial(t, srv.Addr())
	c1, c2 := servertest.Dial(t, srv.Addr()), servertest.Dial(t, srv.Addr())

	// XREAD BLOCK 0 with $ waits for the next entry.
	ctl.Do("XADD", "s", "1-1", "a", "1")
	c1.Send("XREAD", "BLOCK", "0", "STREAMS", "s", "$")
	r1 := readAsync(c1)
	waitBlocked(t, srv, 1)
	ctl.Do("XADD", "s", "2-1", "b", "2")
	want(t, r1, entryReply("s", "2-1", "b", "2"))

	// A timeout runs on the server clock.
	c1.Send("XREAD", "BLOCK", "1000", "STREAMS", "s", "$")
	r1 = readAsync(c1)
	waitBlocked(t, srv, 1)
	clock.FastForward(999 * time.Millisecond)
	waitBlocked(t, srv, 1)
	clock.FastForward(time.Millisecond)
	want(t, r1, "*-1\r\n")

	// Group readers are served first come, first served.
	ctl.Do("XGROUP", "CREATE", "s", "g", "$")
	c1.Send("XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">")
	r1 = readAsync(c1)
	waitBlocked(t, srv, 1)
	c2.Send("XREADGROUP", "GROUP", "g", "bob", "BLOCK", "0", "STREAMS", "s", ">")
	r2 := readAsync(c2)
	waitBlocked(t, srv, 2)
	ctl.Do("XADD", "s", "3-1", "c", "3")
	want(t, r1, entryReply("s", "3-1", "c", "3"))
	waitBlocked(t, srv, 1)
	ctl.Do("XADD", "s", "4-1", "d", "4")
	want(t, r2, entryReply("s", "4-1", "d", "4"))
	if got := ctl.Do("XPENDING", "s", "g", "-", "+", "10"); got != servertest.Array(
		servertest.Array(servertest.Bulk("3-1"), servertest.Bulk("alice"), servertest.Int(0), servertest.Int(1)),
		servertest.Array(servertest.Bulk("4-1"), servertest.Bulk("bob"), servertest.Int(0), servertest.Int(1))) {
		t.Fatalf("XPENDING after blocked reads: %q", got)
	}

	// A client that disconnects while blocked leaves no PEL entry.
	c3 := servertest.Dial(t, srv.Addr())
	c3.Send("XREADGROUP", "GROUP", "g", "carol", "BLOCK", "0", "STREAMS", "s", ">")
	waitBlocked(t, srv, 1)
	c3.Close()
	waitBlocked(t, srv, 0)
	ctl.Do("XADD", "s", "5-1", "e", "5")
	if got := ctl.Do("XPENDING", "s", "g"); got != servertest.Array(servertest.Int(2), servertest.Bulk("3-1"), servertest.Bulk("4-1"),
		servertest.Array(servertest.Array(servertest.Bulk("alice"), servertest.Bulk("1")), servertest.Array(servertest.Bulk("bob"), servertest.Bulk("1")))) {
		t.Fatalf("XPENDING after a blocked client left: %q", got)
	}
	if got := c2.Do("XREADGROUP", "GROUP", "g", "bob", "STREAMS", "s", ">"); got != entryReply("s", "5-1", "e", "5") {
		t.Fatalf("entry 5-1 was not left for others: %q", got)
	}

	// Destroying the group, or deleting the stream, ends the wait with
	// Redis 7.0's errors.
	c1.Send("XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">")
	r1 = readAsync(c1)
	waitBlocked(t, srv, 1)
	ctl.Do("XGROUP", "DESTROY", "s", "g")
	want(t, r1, "-NOGROUP the consumer group this client was blocked on no longer exists\r\n")
	ctl.Do("XGROUP", "CREATE", "s", "g", "$")
	c1.Send("XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">")
	r1 = readAsync(c1)
	waitBlocked(t, srv, 1)
	ctl.Do("DEL", "s")
	want(t, r1, "-UNBLOCKED the stream key no longer exists\r\n")
	waitBlocked(t, srv, 0)
}

// Inside MULTI, XREADGROUP BLOCK answers at once; an XADD inside EXEC
// wakes a blocked reader.
func TestStreamBlockingMulti(t *testing.T) {
	srv := servertest.Start(t)
	ctl, c1 := servertest.Dial(t, srv.Addr()), servertest.Dial(t, srv.Addr())
	if got := ctl.Do("MULTI"); got != servertest.OK {
		t.Skipf("MULTI is not implemented yet: %q", got)
	}
	ctl.Do("DISCARD")
	ctl.Do("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
	c1.Do("MULTI")
	c1.Do("XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">")
	if got := c1.Do("EXEC"); got != "*1\r\n*-1\r\n" {
		t.Fatalf("EXEC: %q", got)
	}
	c1.Send("XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">")
	r1 := readAsync(c1)
	waitBlocked(t, srv, 1)
	ctl.Do("MULTI")
	ctl.Do("XADD", "s", "1-1", "a", "1")
	ctl.Do("EXEC")
	want(t, r1, entryReply("s", "1-1", "a", "1"))
}
