package server_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	. "github.com/cairn-db/cairn/server/servertest"
)

func TestClientCommands(t *testing.T) {
	c := runSteps(t, []step{
		{"CLIENT ID", Int(1)},
		{"CLIENT GETNAME", Nil},
		{"CLIENT SETNAME app", OK},
		{"CLIENT GETNAME", Bulk("app")},
		{"CLIENT SETINFO LIB-NAME go-redis", OK},
		{"CLIENT SETINFO LIB-VER 9.23.0", OK},
		{"CLIENT SETINFO FOO x", Err("ERR Unrecognized option 'FOO'")},
		{"CLIENT NO-EVICT on", OK},
		{"CLIENT NO-TOUCH on", OK},
		{"CLIENT NO-TOUCH maybe", Err("ERR syntax error")},
		{"CLIENT BOGUS", Err("ERR unknown subcommand 'BOGUS'. Try CLIENT HELP.")},
		{"CLIENT", Err("ERR wrong number of arguments for 'client' command")},
		{"CLIENT KILL 1.1.1.1:1", Err("ERR No such client")},
	})
	info := c.Do("CLIENT", "INFO")
	re := regexp.MustCompile(`^id=1 addr=127\.0\.0\.1:\d+ laddr=127\.0\.0\.1:\d+ fd=\d+ name=app age=\d+ idle=0 flags=e db=0 .* cmd=client\|info user=default redir=-1 resp=2 lib-name=go-redis lib-ver=9\.23\.0\n$`)
	body := strings.SplitN(info, "\r\n", 2)[1]
	if !re.MatchString(strings.TrimSuffix(body, "\r\n")) {
		t.Fatalf("CLIENT INFO = %q", info)
	}
}

func TestClientReplyModes(t *testing.T) {
	srv := Start(t)
	c := Dial(t, srv.Addr())
	c.Send("CLIENT", "REPLY", "OFF")
	c.Send("SET", "a", "1")
	c.Send("CLIENT", "REPLY", "ON")
	if got := c.Read(); got != OK {
		t.Fatalf("first reply after REPLY OFF…ON = %q, want the ON's +OK", got)
	}
	c.Send("CLIENT", "REPLY", "SKIP")
	c.Send("GET", "a")
	c.Send("GET", "a")
	if got := c.Read(); got != Bulk("1") {
		t.Fatalf("reply after SKIP = %q", got)
	}
}

func TestClientKill(t *testing.T) {
	srv := Start(t)
	a := Dial(t, srv.Addr())
	b := Dial(t, srv.Addr())
	b.Do("CLIENT", "SETNAME", "victim")
	id := strings.TrimSuffix(strings.TrimPrefix(b.Do("CLIENT", "ID"), ":"), "\r\n")
	if got := a.Do("CLIENT", "KILL", "ID", id); got != Int(1) {
		t.Fatalf("CLIENT KILL ID = %q", got)
	}
	b.Send("PING")
	if _, err := b.ReadErr(2e9); err == nil {
		t.Fatal("killed client still connected")
	}
	list := a.Do("CLIENT", "LIST")
	if strings.Contains(list, "name=victim") {
		t.Fatalf("killed client still listed:\n%s", list)
	}
	if got := a.Do("CLIENT", "KILL", "SKIPME", "no", "ID", "1"); got != Int(1) {
		t.Fatalf("CLIENT KILL of self = %q", got)
	}
	if _, err := a.ReadErr(2e9); err == nil {
		t.Fatal("connection open after killing itself")
	}
}

// CLIENT LIST's qbuf is the query buffer as Redis shows it: the running
// command's own bytes for the caller (26 for CLIENT INFO), the buffer's
// capacity in qbuf-free; a client idle for more than 2 seconds has its
// buffer let go (0 and 0), as Redis's clientsCronResizeQueryBuffer.
func TestClientListQueryBuffer(t *testing.T) {
	clock := NewClock()
	srv := Start(t, WithClock(clock))
	c := Dial(t, srv.Addr())
	idle := Dial(t, srv.Addr())
	idle.Do("CLIENT", "SETNAME", "idle")
	if got := c.Do("CLIENT", "INFO"); !strings.Contains(got, " qbuf=26 qbuf-free=16358 ") {
		t.Fatalf("CLIENT INFO = %q", got)
	}
	qbuf := regexp.MustCompile(`name=idle .* qbuf=(\d+) qbuf-free=(\d+) `)
	if m := qbuf.FindStringSubmatch(c.Do("CLIENT", "LIST")); m == nil || m[1] != "0" || m[2] != "16384" {
		t.Fatalf("idle client's qbuf/qbuf-free = %q", m)
	}
	clock.FastForward(3 * time.Second)
	var m []string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m = qbuf.FindStringSubmatch(c.Do("CLIENT", "LIST")); m != nil && m[2] == "0" {
			break
		}
	}
	if m == nil || m[1] != "0" || m[2] != "0" {
		t.Fatalf("after 3 s idle, qbuf/qbuf-free = %q; want the buffer let go", m)
	}
	if got := idle.Do("PING"); got != "+PONG\r\n" {
		t.Fatalf("PING after the buffer was let go = %q", got)
	}
}
