package server_test

import (
	"strings"
	"testing"

	. "github.com/cairn-db/cairn/server/servertest"
)

// TestBlockedXReadGroupErrorsCount: an XREADGROUP whose wait ends with an
// error (its group destroyed, its stream deleted) is a failed call with
// that error in errorstats, as Redis's updateStatsOnUnblock counts it; so
// is a wait ended by CLIENT UNBLOCK … ERROR.
func TestBlockedXReadGroupErrorsCount(t *testing.T) {
	srv := Start(t)
	c, rd := Dial(t, srv.Addr()), Dial(t, srv.Addr())
	c.Do("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
	rd.Send("XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">")
	waitBlockedClients(t, c, 1)
	c.Do("XGROUP", "DESTROY", "s", "g")
	if got := rd.Read(); !strings.HasPrefix(got, "-NOGROUP") {
		t.Fatalf("blocked XREADGROUP after XGROUP DESTROY = %q", got)
	}
	c.Do("XGROUP", "CREATE", "s", "g", "$")
	rd.Send("XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">")
	waitBlockedClients(t, c, 1)
	c.Do("DEL", "s")
	if got := rd.Read(); got != Err("UNBLOCKED the stream key no longer exists") {
		t.Fatalf("blocked XREADGROUP after DEL = %q", got)
	}
	info := c.Do("INFO", "errorstats")
	for _, want := range []string{"errorstat_NOGROUP:count=1\r\n", "errorstat_UNBLOCKED:count=1\r\n"} {
		if !strings.Contains(info, want) {
			t.Errorf("INFO errorstats lacks %q:\n%s", want, info)
		}
	}
	if info := c.Do("INFO", "commandstats"); !strings.Contains(info, "rejected_calls=0,failed_calls=2\r\n") {
		t.Errorf("xreadgroup's failed_calls is not 2:\n%s", info)
	}
}

// TestHandOffKeepsArrivalOrder: a blocking command and a write sent right
// after it on another connection run in that order, as in Redis, so the
// XREADGROUP is blocked when DEL comes and ends with Redis's error (not
// NOGROUP, which it would get running after the DEL). The writer blocked
// once before (as the test suite's client does), so it must have come
// back from its goroutine to the event loop.
func TestHandOffKeepsArrivalOrder(t *testing.T) {
	srv := Start(t)
	c := Dial(t, srv.Addr())
	if got := c.Do("BLPOP", "nolist", "0.01"); got != "*-1\r\n" {
		t.Fatalf("BLPOP = %q", got)
	}
	for i := 0; i < 20; i++ {
		rd := Dial(t, srv.Addr())
		rd.Do("PING") // in the event loop, as the test suite's deferring clients
		c.Do("XADD", "s", "*", "f", "v")
		c.Do("XGROUP", "CREATE", "s", "g", "$")
		rd.Send("XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">")
		c.Do("DEL", "s")
		if got := rd.Read(); got != Err("UNBLOCKED the stream key no longer exists") {
			t.Fatalf("round %d: XREADGROUP BLOCK then DEL from another client: %q", i, got)
		}
		rd.Close()
	}
}
