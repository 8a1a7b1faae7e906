package server_test

import (
	"strings"
	"testing"

	"github.com/cairn-db/cairn/server"
	. "github.com/cairn-db/cairn/server/servertest"
)

func TestConnectionCommands(t *testing.T) {
	runSteps(t, []step{
		{"PING", Status("PONG")},
		{"PING hi", Bulk("hi")},
		{"PING a b", Err("ERR wrong number of arguments for 'ping' command")},
		{"ECHO x", Bulk("x")},
		{"SELECT 15", OK},
		{"SELECT 16", Err("ERR DB index is out of range")},
		{"SELECT x", Err("ERR value is not an integer or out of range")},
		{"AUTH pass", Err("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?")},
		{"AUTH default anything", OK},
		{"AUTH other pass", Err("WRONGPASS invalid username-password pair or user is disabled.")},
		{"HELLO 4", Err("NOPROTO unsupported protocol version")},
		{"HELLO x", Err("ERR Protocol version is not an integer or out of range")},
		{"HELLO 2 BOGUS", Err("ERR Syntax error in HELLO option 'BOGUS'")},
		{"RESET", Status("RESET")},
		{"NOSUCH a b", Err("ERR unknown command 'NOSUCH', with args beginning with: 'a' 'b' ")},
	})
}

func TestHelloReply(t *testing.T) {
	srv := Start(t)
	c := Dial(t, srv.Addr())
	got := c.Do("HELLO", "2", "SETNAME", "worker")
	want := Array(Bulk("server"), Bulk("redis"), Bulk("version"), Bulk(server.Version), Bulk("proto"), Int(2),
		Bulk("id"), Int(1), Bulk("mode"), Bulk("standalone"), Bulk("role"), Bulk("master"), Bulk("modules"), Array())
	if got != want {
		t.Fatalf("HELLO 2\n got %q\nwant %q", got, want)
	}
	if got := c.Do("CLIENT", "GETNAME"); got != Bulk("worker") {
		t.Fatalf("name after HELLO SETNAME = %q", got)
	}
}

func TestRequirePass(t *testing.T) {
	runSteps(t, []step{
		{"GET k", Err("NOAUTH Authentication required.")},
		{"NOSUCH", Err("ERR unknown command 'NOSUCH', with args beginning with: ")},
		{"HELLO 2", Err("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time")},
		{"AUTH wrong", Err("WRONGPASS invalid username-password pair or user is disabled.")},
		{"AUTH secret", OK},
		{"GET k", Nil},
		{"RESET", Status("RESET")},
		{"GET k", Err("NOAUTH Authentication required.")},
		{"HELLO 2 AUTH default secret", strings.Replace(Array(Bulk("server"), Bulk("redis"), Bulk("version"), Bulk(server.Version), Bulk("proto"), Int(2),
			Bulk("id"), Int(1), Bulk("mode"), Bulk("standalone"), Bulk("role"), Bulk("master"), Bulk("modules"), Array()), "", "", 1)},
		{"GET k", Nil},
	}, WithConfig(func(c *server.Config) { c.RequirePass = "secret" }))
}

func TestQuitClosesAfterReply(t *testing.T) {
	srv := Start(t)
	c := Dial(t, srv.Addr())
	c.Write(EncodeCommand("QUIT") + EncodeCommand("SET", "k", "v"))
	if got := c.Read(); got != OK {
		t.Fatalf("QUIT = %q", got)
	}
	if _, err := c.ReadErr(2e9); err == nil {
		t.Fatal("connection open after QUIT")
	}
	if got := Dial(t, srv.Addr()).Do("EXISTS", "k"); got != Int(0) {
		t.Fatal("command pipelined after QUIT ran")
	}
}
