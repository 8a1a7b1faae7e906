package servertest_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cairn-db/cairn/server"
	"github.com/cairn-db/cairn/server/servertest"
)

// TestInjectedLoadingThenRecover: a go-redis client sees LOADING twice,
// then its command goes through once the fault is spent; READONLY on
// writes to matching keys until the fault is removed.
func TestInjectedLoadingThenRecover(t *testing.T) {
	ctx := context.Background()
	srv := servertest.Start(t)
	rdb := newClient(t, srv)
	rdb.Set(ctx, "k", "v", 0)
	srv.InjectFault(server.Fault{Command: "GET", Err: "LOADING Redis is loading the dataset in memory", Times: 2})
	for i := range 2 {
		if err := rdb.Get(ctx, "k").Err(); err == nil || err.Error() != "LOADING Redis is loading the dataset in memory" {
			t.Fatalf("GET %d: %v", i, err)
		}
	}
	if v, err := rdb.Get(ctx, "k").Result(); v != "v" || err != nil {
		t.Fatalf("after the fault: %q %v", v, err)
	}

	remove := srv.InjectFault(server.Fault{Key: "user:*", Err: "READONLY You can't write against a read only replica."})
	err := rdb.Set(ctx, "user:1", "x", 0).Err()
	if err == nil || !strings.HasPrefix(err.Error(), "READONLY ") {
		t.Fatalf("SET user:1: %v", err)
	}
	if err := rdb.Set(ctx, "other", "x", 0).Err(); err != nil {
		t.Fatalf("SET other (no match): %v", err)
	}
	if err := rdb.Ping(ctx).Err(); err != nil { // no key: no match
		t.Fatalf("PING: %v", err)
	}
	remove()
	remove() // harmless
	if err := rdb.Set(ctx, "user:1", "x", 0).Err(); err != nil {
		t.Fatalf("after remove: %v", err)
	}
}

// TestInjectedSkipTimes: the first Skip calls pass, the next Times fail,
// the rest pass; only matching calls count.
func TestInjectedSkipTimes(t *testing.T) {
	srv := servertest.Start(t)
	c := servertest.Dial(t, srv.Addr())
	srv.InjectFault(server.Fault{Command: "incr", Err: "ERR boom", Skip: 2, Times: 3})
	var got []string
	for range 7 {
		got = append(got, c.Do("INCR", "n"))
		c.Do("GET", "n") // not counted
	}
	want := []string{
		servertest.Int(1), servertest.Int(2),
		servertest.Err("ERR boom"), servertest.Err("ERR boom"), servertest.Err("ERR boom"),
		servertest.Int(3), servertest.Int(4),
	}
	if strings.Join(got, "") != strings.Join(want, "") {
		t.Errorf("got %q\nwant %q", got, want)
	}
	// Rejected calls count as Redis counts refused commands.
	stats := c.Do("INFO", "commandstats")
	if !strings.Contains(stats, "cmdstat_incr:calls=4,") || !strings.Contains(stats, "rejected_calls=3") {
		t.Errorf("commandstats: %s", stats)
	}
}

// TestInjectedSubcommand: "client|setname" strikes that subcommand only;
// "config" every CONFIG subcommand.
func TestInjectedSubcommand(t *testing.T) {
	srv := servertest.Start(t)
	c := servertest.Dial(t, srv.Addr())
	srv.InjectFault(server.Fault{Command: "CLIENT|SETNAME", Err: "ERR no names"})
	srv.InjectFault(server.Fault{Command: "config", Err: "ERR no config"})
	for _, tc := range []struct{ args, want string }{
		{"CLIENT SETNAME x", servertest.Err("ERR no names")},
		{"CLIENT GETNAME", servertest.Nil},
		{"CONFIG GET hz", servertest.Err("ERR no config")},
		{"CONFIG RESETSTAT", servertest.Err("ERR no config")},
		{"CLIENT NOSUCH", servertest.Err("ERR unknown subcommand 'NOSUCH'. Try CLIENT HELP.")},
	} {
		if got := c.Do(strings.Fields(tc.args)...); got != tc.want {
			t.Errorf("%s: got %q want %q", tc.args, got, tc.want)
		}
	}
}

// TestInjectedDrop: Drop closes the connection instead of replying; the
// replies before it in a pipeline still arrive, and go-redis sees a
// network error, then reconnects.
func TestInjectedDrop(t *testing.T) {
	ctx := context.Background()
	srv := servertest.Start(t)
	remove := srv.InjectFault(server.Fault{Command: "get", Drop: true, Times: 1})
	c := servertest.Dial(t, srv.Addr())
	c.Send("SET", "k", "v")
	c.Send("GET", "k")
	c.Send("PING")
	if got := c.Read(); got != servertest.OK {
		t.Fatalf("SET before the drop: %q", got)
	}
	if got, err := c.ReadErr(5 * time.Second); err == nil {
		t.Fatalf("read after drop: %q, want EOF", got)
	}
	remove()

	srv.InjectFault(server.Fault{Command: "get", Drop: true, Times: 1})
	rdb := newClient(t, srv)
	if err := rdb.Get(ctx, "k").Err(); err == nil || errors.Is(err, redis.Nil) {
		t.Fatalf("GET through a drop: %v", err)
	}
	if v, err := rdb.Get(ctx, "k").Result(); v != "v" {
		t.Fatalf("GET after: %q %v", v, err)
	}
	// A Session dropped is closed.
	srv.InjectFault(server.Fault{Command: "echo", Drop: true})
	se := srv.Session()
	defer se.Close()
	if _, err := se.Do("ECHO", "x"); err != server.ErrSessionClosed {
		t.Fatalf("Session ECHO: %v", err)
	}
}

// TestInjectedDelay: a delayed command answers late, a delayed one with
// Err answers its error late, and other clients (on the event loop) are
// not held up meanwhile.
func TestInjectedDelay(t *testing.T) {
	srv := servertest.Start(t)
	const d = 500 * time.Millisecond
	srv.InjectFault(server.Fault{Command: "get", Delay: d})
	srv.InjectFault(server.Fault{Command: "incr", Delay: d, Err: "BUSY slow"})
	slow := servertest.Dial(t, srv.Addr())
	fast := servertest.Dial(t, srv.Addr())
	start := time.Now()
	slow.Send("GET", "k")
	if got := fast.Do("PING"); got != servertest.Status("PONG") || time.Since(start) > d/2 {
		t.Errorf("PING meanwhile: %q after %v", got, time.Since(start))
	}
	if got := slow.Read(); got != servertest.Nil || time.Since(start) < d {
		t.Errorf("GET: %q after %v", got, time.Since(start))
	}
	start = time.Now()
	if got := slow.Do("INCR", "n"); got != servertest.Err("BUSY slow") || time.Since(start) < d {
		t.Errorf("INCR: %q after %v", got, time.Since(start))
	}
}

// TestInjectedInMulti: a faulted command is refused when queued, so EXEC
// aborts; a faulted EXEC discards the transaction.
func TestInjectedInMulti(t *testing.T) {
	srv := servertest.Start(t)
	c := servertest.Dial(t, srv.Addr())
	remove := srv.InjectFault(server.Fault{Command: "set", Err: "READONLY no"})
	for _, st := range []struct{ args, want string }{
		{"MULTI", servertest.OK},
		{"INCR n", servertest.Status("QUEUED")},
		{"SET k v", servertest.Err("READONLY no")},
		{"EXEC", servertest.Err("EXECABORT Transaction discarded because of previous errors.")},
		{"GET n", servertest.Nil},
	} {
		if got := c.Do(strings.Fields(st.args)...); got != st.want {
			t.Errorf("%s: got %q want %q", st.args, got, st.want)
		}
	}
	remove()
	srv.InjectFault(server.Fault{Command: "exec", Err: "LOADING wait"})
	for _, st := range []struct{ args, want string }{
		{"MULTI", servertest.OK},
		{"INCR n", servertest.Status("QUEUED")},
		{"EXEC", servertest.Err("EXECABORT Transaction discarded because of: wait")},
		{"GET n", servertest.Nil},
	} {
		if got := c.Do(strings.Fields(st.args)...); got != st.want {
			t.Errorf("%s: got %q want %q", st.args, got, st.want)
		}
	}
}

// TestInjectedFaultsRace installs and removes faults while clients run
// pipelines and single commands; with -race this checks the dispatcher's
// lock-free read of the fault list.
func TestInjectedFaultsRace(t *testing.T) {
	ctx := context.Background()
	srv := servertest.Start(t)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rdb := redis.NewClient(&redis.Options{Addr: srv.Addr(), MaxRetries: -1, PoolSize: 1})
			defer rdb.Close()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if i%2 == 0 {
					rdb.Incr(ctx, "n")
				} else {
					pipe := rdb.Pipeline()
					pipe.Set(ctx, "k", "v", 0)
					pipe.Get(ctx, "k")
					pipe.Exec(ctx)
				}
				srv.Do("INCR", "m")
			}
		}()
	}
	for i := range 200 {
		remove := srv.InjectFault(server.Fault{Command: []string{"", "incr", "get"}[i%3], Err: "LOADING x", Times: i % 4})
		if i%5 == 0 {
			r2 := srv.InjectFault(server.Fault{Key: "k", Delay: time.Microsecond})
			defer r2()
		}
		time.Sleep(100 * time.Microsecond)
		remove()
	}
	close(stop)
	wg.Wait()
	if got, err := srv.Do("PING"); got != "PONG" {
		t.Fatalf("PING after: %v %v", got, err)
	}
}

// TestInjectFaultUnknownCommand: a misspelt command panics rather than
// never striking.
func TestInjectFaultUnknownCommand(t *testing.T) {
	srv := servertest.Start(t)
	for _, name := range []string{"gett", "client|nosuch"} {
		func() {
			defer func() {
				if r := recover(); r == nil {
					t.Errorf("InjectFault(%q) did not panic", name)
				}
			}()
			srv.InjectFault(server.Fault{Command: name, Err: "ERR x"})
		}()
	}
}

// TestInjectedReadOnly: Writes limits a fault to write commands, which
// makes the server a read-only replica to its clients.
func TestInjectedReadOnly(t *testing.T) {
	srv := servertest.Start(t)
	c := servertest.Dial(t, srv.Addr())
	c.Do("SET", "k", "v")
	remove := srv.InjectFault(server.Fault{Writes: true, Err: "READONLY You can't write against a read only replica."})
	for _, tc := range []struct{ args, want string }{
		{"GET k", servertest.Bulk("v")},
		{"SET k w", servertest.Err("READONLY You can't write against a read only replica.")},
		{"DEL k", servertest.Err("READONLY You can't write against a read only replica.")},
		{"EXISTS k", servertest.Int(1)},
	} {
		if got := c.Do(strings.Fields(tc.args)...); got != tc.want {
			t.Errorf("%s: got %q want %q", tc.args, got, tc.want)
		}
	}
	remove()
	if got := c.Do("DEL", "k"); got != servertest.Int(1) {
		t.Errorf("DEL after remove: %q", got)
	}
}
