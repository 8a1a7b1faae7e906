package server_test

import (
	"errors"
	"math"
	"reflect"
	"sync"
	"testing"

	"github.com/cairn-db/cairn/server"
	. "github.com/cairn-db/cairn/server/servertest"
)

// TestDoReplies checks Do's Go values for each reply type, under RESP2
// and, in a Session after HELLO 3, RESP3.
func TestDoReplies(t *testing.T) {
	srv := Start(t)
	for _, tc := range []struct {
		args []string
		want any
	}{
		{[]string{"SET", "s", "v"}, "OK"},
		{[]string{"GET", "s"}, "v"},
		{[]string{"GET", "missing"}, nil},
		{[]string{"INCR", "n"}, int64(1)},
		{[]string{"RPUSH", "l", "a", "b"}, int64(2)},
		{[]string{"LRANGE", "l", "0", "-1"}, []any{"a", "b"}},
		{[]string{"HSET", "h", "f", "x"}, int64(1)},
		{[]string{"HGETALL", "h"}, []any{"f", "x"}}, // RESP2: flat
		{[]string{"ZADD", "z", "1.5", "m"}, int64(1)},
		{[]string{"ZSCORE", "z", "m"}, "1.5"}, // RESP2: a bulk string
		{[]string{"BLPOP", "nothing", "0"}, nil},
		{[]string{"PING"}, "PONG"},
	} {
		got, err := srv.Do(tc.args...)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Do(%q) = %#v, %v; want %#v", tc.args, got, err, tc.want)
		}
	}

	se := srv.Session()
	defer se.Close()
	if _, err := se.Do("HELLO", "3"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want any
	}{
		{[]string{"HGETALL", "h"}, map[string]any{"f": "x"}},
		{[]string{"ZSCORE", "z", "m"}, 1.5},
		{[]string{"SMEMBERS", "nothing"}, []any{}},
		{[]string{"GET", "missing"}, nil},
		{[]string{"EXISTS", "s"}, int64(1)},
	} {
		got, err := se.Do(tc.args...)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("RESP3 Do(%q) = %#v, %v; want %#v", tc.args, got, err, tc.want)
		}
	}
	if got, _ := se.Do("ZADD", "inf", "inf", "m"); got != int64(1) {
		t.Fatalf("ZADD: %#v", got)
	}
	if got, _ := se.Do("ZSCORE", "inf", "m"); got != math.Inf(1) {
		t.Errorf("ZSCORE inf = %#v", got)
	}
}

// TestDoErrors: error replies are ReplyErrors with Redis's line, and the
// dispatcher's checks (arity, unknown command, ACL) apply.
func TestDoErrors(t *testing.T) {
	srv := Start(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"GET"}, "ERR wrong number of arguments for 'get' command"},
		{[]string{"NOSUCH"}, "ERR unknown command 'NOSUCH', with args beginning with: "},
		{[]string{"SUBSCRIBE", "ch"}, "ERR subscribe needs a connection: it is not available to an in-process Session"},
		{[]string{"EXEC"}, "ERR EXEC without MULTI"},
	} {
		_, err := srv.Do(tc.args...)
		var re server.ReplyError
		if !errors.As(err, &re) || err.Error() != tc.want {
			t.Errorf("Do(%q) error %#v; want %q", tc.args, err, tc.want)
		}
	}
	srv.Do("SET", "k", "v")
	if _, err := srv.Do("LPUSH", "k", "x"); err == nil || err.Error() != "WRONGTYPE Operation against a key holding the wrong kind of value" {
		t.Errorf("LPUSH on a string: %v", err)
	}
	// ACL applies: a restricted user cannot write.
	if _, err := srv.Do("ACL", "SETUSER", "ro", "on", ">pw", "~*", "+get"); err != nil {
		t.Fatal(err)
	}
	se := srv.Session()
	defer se.Close()
	if got, err := se.Do("AUTH", "ro", "pw"); got != "OK" {
		t.Fatal(got, err)
	}
	if got, err := se.Do("GET", "k"); got != "v" {
		t.Errorf("GET as ro: %v %v", got, err)
	}
	if _, err := se.Do("SET", "k", "w"); err == nil || err.Error() != "NOPERM this user has no permissions to run the 'set' command" {
		t.Errorf("SET as ro: %v", err)
	}
}

// TestSessionState: a Session keeps its database, transaction and
// reply mode from one command to the next; Do does not.
func TestSessionState(t *testing.T) {
	srv := Start(t)
	se := srv.Session()
	defer se.Close()
	for _, st := range []struct {
		args []string
		want any
	}{
		{[]string{"SELECT", "2"}, "OK"},
		{[]string{"SET", "k", "two"}, "OK"},
		{[]string{"MULTI"}, "OK"},
		{[]string{"INCR", "c"}, "QUEUED"},
		{[]string{"GET", "k"}, "QUEUED"},
		{[]string{"EXEC"}, []any{int64(1), "two"}},
		{[]string{"MULTI"}, "OK"},
		{[]string{"INCR", "k"}, "QUEUED"},
		{[]string{"EXEC"}, []any{server.ReplyError("ERR value is not an integer or out of range")}},
		{[]string{"MULTI"}, "OK"},
		{[]string{"BLPOP", "l", "0"}, "QUEUED"},
		{[]string{"EXEC"}, []any{nil}},
		{[]string{"BLPOP", "l", "0"}, nil}, // still non-blocking after EXEC
		{[]string{"CLIENT", "REPLY", "OFF"}, nil},
		{[]string{"SET", "x", "y"}, nil},
		{[]string{"CLIENT", "REPLY", "ON"}, "OK"},
		{[]string{"GET", "x"}, "y"},
	} {
		got, err := se.Do(st.args...)
		if err != nil || !reflect.DeepEqual(got, st.want) {
			t.Errorf("%q = %#v, %v; want %#v", st.args, got, err, st.want)
		}
	}
	if got, _ := srv.Do("GET", "k"); got != nil {
		t.Errorf("Do sees db 0, got %#v", got)
	}
	if got, _ := se.Do("QUIT"); got != "OK" {
		t.Errorf("QUIT = %#v", got)
	}
	if _, err := se.Do("PING"); err != server.ErrSessionClosed {
		t.Errorf("after QUIT: %v", err)
	}
}

// TestDoConcurrent runs Do from many goroutines, with a network-free
// counter as the check.
func TestDoConcurrent(t *testing.T) {
	srv := Start(t)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 200 {
				if _, err := srv.Do("INCR", "n"); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if got, _ := srv.Do("GET", "n"); got != "1600" {
		t.Errorf("n = %#v, want 1600", got)
	}
}

// TestDoMaxmemory: OOM applies to in-process commands as to clients.
func TestDoMaxmemory(t *testing.T) {
	srv := Start(t)
	srv.Do("SET", "big", string(make([]byte, 1<<20)))
	if _, err := srv.Do("CONFIG", "SET", "maxmemory", "1"); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Do("SET", "k", "v"); err == nil || err.Error() != "OOM command not allowed when used memory > 'maxmemory'." {
		t.Errorf("SET over maxmemory: %v", err)
	}
}

// TestDoClientPause: a Session's write waits out CLIENT PAUSE WRITE like
// a network client's, counted in blocked_clients meanwhile.
func TestDoClientPause(t *testing.T) {
	srv := Start(t)
	if _, err := srv.Do("CLIENT", "PAUSE", "10000", "WRITE"); err != nil {
		t.Fatal(err)
	}
	if got, _ := srv.Do("GET", "k"); got != nil { // reads go on
		t.Fatalf("GET: %#v", got)
	}
	done := make(chan any)
	go func() {
		v, _ := srv.Do("SET", "k", "v")
		done <- v
	}()
	WaitBlocked(t, srv, 1)
	select {
	case v := <-done:
		t.Fatalf("SET ran during the pause: %#v", v)
	default:
	}
	srv.Do("CLIENT", "UNPAUSE")
	if v := <-done; v != "OK" {
		t.Fatalf("SET after the pause: %#v", v)
	}
	WaitBlocked(t, srv, 0)
}

// TestDoAfterClose: a closed server's Do reports ErrSessionClosed.
func TestDoAfterClose(t *testing.T) {
	srv, err := server.Start(server.Config{})
	if err != nil {
		t.Fatal(err)
	}
	se := srv.Session()
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Do("PING"); err != server.ErrSessionClosed {
		t.Errorf("Do after Close: %v", err)
	}
	if _, err := se.Do("PING"); err != server.ErrSessionClosed {
		t.Errorf("Session.Do after Close: %v", err)
	}
}
