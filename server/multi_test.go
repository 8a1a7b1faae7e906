package server_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	. "github.com/cairn-db/cairn/server/servertest"
)

func TestMultiReplies(t *testing.T) {
	runSteps(t, []step{
		{"EXEC", "-ERR EXEC without MULTI\r\n"},
		{"DISCARD", "-ERR DISCARD without MULTI\r\n"},
		{"MULTI", "+OK\r\n"},
		{"SET k v", "+QUEUED\r\n"},
		{"INCR k", "+QUEUED\r\n"},
		{"GET k", "+QUEUED\r\n"},
		{"EXEC", "*3\r\n+OK\r\n-ERR value is not an integer or out of range\r\n$1\r\nv\r\n"},
		{"MULTI", "+OK\r\n"},
		{"SET k", "-ERR wrong number of arguments for 'set' command\r\n"},
		{"EXEC", "-EXECABORT Transaction discarded because of previous errors.\r\n"},
		{"MULTI", "+OK\r\n"},
		{"EXEC x", "-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command\r\n"},
		{"EXEC", "-ERR EXEC without MULTI\r\n"},
	})
}

// TestExecCountsItsCommands: the commands EXEC runs count in INFO
// commandstats and errorstats and reach the slow log, and EXEC itself
// stays out of the slow log, as in redis-server.
func TestExecCountsItsCommands(t *testing.T) {
	c := Dial(t, Start(t).Addr())
	for _, cmd := range []string{"CONFIG SET slowlog-log-slower-than 0", "SLOWLOG RESET", "SET k v", "MULTI", "SET a 1", "INCR k", "EXEC"} {
		c.Do(strings.Fields(cmd)...)
	}
	stats := c.Do("INFO", "commandstats")
	for _, want := range []string{"cmdstat_set:calls=2,", "cmdstat_incr:calls=1,", "failed_calls=1"} {
		if !strings.Contains(stats, want) {
			t.Errorf("INFO commandstats lacks %q:\n%s", want, stats)
		}
	}
	if got := c.Do("INFO", "errorstats"); !strings.Contains(got, "errorstat_ERR:count=1") {
		t.Errorf("INFO errorstats = %q", got)
	}
	slow := c.Do("SLOWLOG", "GET", "10")
	if !strings.Contains(slow, "$4\r\nINCR\r\n") || strings.Contains(slow, "$4\r\nEXEC\r\n") {
		t.Errorf("SLOWLOG GET after MULTI/EXEC: want INCR and no EXEC:\n%q", slow)
	}
}

// A watched key that expires before EXEC fails the transaction, whether or
// not the active cycle reclaimed it first.
func TestWatchExpiry(t *testing.T) {
	clock := NewClock()
	srv := Start(t, WithClock(clock))
	c := Dial(t, srv.Addr())
	c.Do("SET", "k", "v", "PX", "100")
	c.Do("WATCH", "k")
	clock.FastForward(200 * time.Millisecond)
	c.Do("MULTI")
	c.Do("SET", "k", "new")
	if got := c.Do("EXEC"); got != "*-1\r\n" {
		t.Fatalf("EXEC after watched key expired: %q", got)
	}
	// A key that expired before WATCH: its reclaiming is no change.
	c.Do("SET", "k2", "v", "PX", "100")
	clock.FastForward(200 * time.Millisecond)
	c.Do("WATCH", "k2")
	c.Do("MULTI")
	c.Do("PING")
	if got := c.Do("EXEC"); got != "*1\r\n+PONG\r\n" {
		t.Fatalf("EXEC with an already expired watched key: %q", got)
	}
}

// EXEC is atomic: a reader never sees half of a transaction.
func TestExecAtomic(t *testing.T) {
	srv := Start(t)
	w := Dial(t, srv.Addr())
	r := Dial(t, srv.Addr())
	w.Do("MSET", "a", "0", "b", "0")
	var wg sync.WaitGroup
	done := make(chan struct{})
	var bad string
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-done:
				return
			default:
			}
			got := r.Do("MGET", "a", "b")
			p := strings.Split(got, "\r\n")
			if len(p) < 5 || p[2] != p[4] {
				bad = got
				return
			}
		}
	}()
	for i := 1; i <= 300; i++ {
		v := fmt.Sprint(i)
		w.Send("MULTI")
		w.Send("SET", "a", v)
		w.Send("SET", "b", v)
		w.Send("EXEC")
		for j := 0; j < 4; j++ {
			w.Read()
		}
	}
	close(done)
	wg.Wait()
	if bad != "" {
		t.Fatalf("reader saw a half-applied transaction: %q", bad)
	}
}
