package server_test

import (
	"strings"
	"testing"

	"github.com/cairn-db/cairn/server"
	. "github.com/cairn-db/cairn/server/servertest"
)

// helloReply is HELLO's server map for client id in protocol proto: a
// RESP3 map, or in RESP2 the same pairs as a flat array.
func helloReply(proto int, id int64) string {
	head := "%7\r\n"
	if proto == 2 {
		head = "*14\r\n"
	}
	return head + Bulk("server") + Bulk("redis") + Bulk("version") + Bulk(server.Version) +
		Bulk("proto") + Int(int64(proto)) + Bulk("id") + Int(id) + Bulk("mode") + Bulk("standalone") +
		Bulk("role") + Bulk("master") + Bulk("modules") + Array()
}

// TestHello: switching protocols, the options, and the errors, each
// checked against redis-server 7.0.15.
func TestHello(t *testing.T) {
	const noProto = "-NOPROTO unsupported protocol version\r\n"
	const badVer = "-ERR Protocol version is not an integer or out of range\r\n"
	runSteps(t, []step{
		{"GET missing", Nil},
		{"HELLO 3", helloReply(3, 1)},
		{"GET missing", "_\r\n"}, // every null is _ in RESP3
		{"CONFIG GET maxmemory", "%1\r\n" + Bulk("maxmemory") + Bulk("0")},
		{"HELLO", helloReply(3, 1)}, // no version: keep the current one
		{"HELLO 2", helloReply(2, 1)},
		{"GET missing", Nil},
		{"CONFIG GET maxmemory", Bulks("maxmemory", "0")},
		{"HELLO 4", noProto},
		{"HELLO 1", noProto},
		{"HELLO 0", noProto},
		{"HELLO -1", noProto},
		{"HELLO 4 AUTH a b", noProto},
		{"HELLO abc", badVer},
		{"HELLO 03", badVer},
		{"HELLO 99999999999999999999", badVer},
		{"HELLO 3 AUTH default", Err("ERR Syntax error in HELLO option 'AUTH'")},
		{"HELLO 3 SETNAME", Err("ERR Syntax error in HELLO option 'SETNAME'")},
		{"HELLO 3 FOO", Err("ERR Syntax error in HELLO option 'FOO'")},
		{"HELLO 3 AUTH nobody x", Err("WRONGPASS invalid username-password pair or user is disabled.")},
		{"GET missing", Nil}, // a failed HELLO 3 leaves RESP2 in place
		{"HELLO 3 setname a SETNAME b", helloReply(3, 1)},
		{"CLIENT GETNAME", Bulk("b")},
		{"HELLO 2 AUTH default anything", helloReply(2, 1)}, // nopass default user
		{"HELLO 3", helloReply(3, 1)},
		{"RESET", Status("RESET")},
		{"GET missing", Nil}, // RESET returns to RESP2
	})
}

// TestHelloBadNameKeepsProtocol: HELLO's SETNAME is checked before the
// protocol changes, as in Redis.
func TestHelloBadNameKeepsProtocol(t *testing.T) {
	srv := Start(t)
	c := Dial(t, srv.Addr())
	if got := c.Do("HELLO", "3", "SETNAME", "bad name"); got != Err("ERR Client names cannot contain spaces, newlines or special characters.") {
		t.Fatalf("HELLO 3 SETNAME 'bad name' = %q", got)
	}
	if got := c.Do("GET", "k"); got != Nil {
		t.Fatalf("GET after failed HELLO 3 = %q, want RESP2 null", got)
	}
}

func TestHelloAuth(t *testing.T) {
	runSteps(t, []step{
		{"HELLO 3", Err("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time")},
		{"HELLO 3 AUTH default wrong", Err("WRONGPASS invalid username-password pair or user is disabled.")},
		{"GET k", Err("NOAUTH Authentication required.")},
		{"HELLO 3 AUTH default secret SETNAME w", helloReply(3, 1)},
		{"GET k", "_\r\n"},
		{"CLIENT GETNAME", Bulk("w")},
		{"RESET", Status("RESET")},
		{"HELLO 2 AUTH default secret", helloReply(2, 1)},
		{"GET k", Nil},
	}, WithConfig(func(c *server.Config) { c.RequirePass = "secret" }))
}

// TestClientInfoReportsProtocol: CLIENT LIST's resp= field follows HELLO,
// also when another connection asks.
func TestClientInfoReportsProtocol(t *testing.T) {
	srv := Start(t)
	a, b := Dial(t, srv.Addr()), Dial(t, srv.Addr())
	a.Do("HELLO", "3")
	got := b.Do("CLIENT", "LIST", "ID", "1")
	if want := "resp=3"; !strings.Contains(got, " "+want) {
		t.Fatalf("CLIENT LIST ID 1 = %q, want a %s field", got, want)
	}
	got = a.Do("CLIENT", "INFO")
	if got[0] != '=' || !strings.Contains(got, " resp=3") {
		t.Fatalf("CLIENT INFO in RESP3 = %q, want a verbatim string with resp=3", got)
	}
	a.Do("HELLO", "2")
	if got := b.Do("CLIENT", "LIST", "ID", "1"); !strings.Contains(got, " resp=2") {
		t.Fatalf("after HELLO 2: %q", got)
	}
}

// TestRESP3CommandInfo: in RESP3 COMMAND INFO's flags, ACL categories,
// tips, key specs and (absent) subcommands are sets, as redis-server
// 7.0.15 sends them; a container's subcommands are an array.
func TestRESP3CommandInfo(t *testing.T) {
	srv := Start(t)
	c := Dial(t, srv.Addr())
	c.Do("HELLO", "3")
	got := c.Do("COMMAND", "INFO", "get", "nosuch")
	head := "*2\r\n*10\r\n" + Bulk("get") + Int(2) + "~2\r\n+readonly\r\n+fast\r\n" + Int(1) + Int(1) + Int(1) + "~"
	keySpec := "~0\r\n~1\r\n%3\r\n" + Bulk("flags") + "~2\r\n+RO\r\n+access\r\n" // tips, key specs
	if !strings.HasPrefix(got, head) || !strings.Contains(got, keySpec) || !strings.HasSuffix(got, "~0\r\n_\r\n") {
		t.Fatalf("COMMAND INFO get nosuch in RESP3 = %q", got)
	}
	got = c.Do("COMMAND", "INFO", "config")
	if !strings.Contains(got, "~0\r\n~0\r\n*5\r\n*10\r\n") {
		t.Fatalf("COMMAND INFO config in RESP3 = %q, want sets then an array of subcommands", got)
	}
}

// TestHelloAuthACLUser: HELLO's AUTH takes any ACL user, in RESP3 too.
func TestHelloAuthACLUser(t *testing.T) {
	runSteps(t, []step{
		{"ACL SETUSER alice on >pw ~* +@all", OK},
		{"HELLO 3 AUTH alice wrong", Err("WRONGPASS invalid username-password pair or user is disabled.")},
		{"ACL WHOAMI", Bulk("default")},
		{"HELLO 3 AUTH alice pw", helloReply(3, 1)},
		{"ACL WHOAMI", Bulk("alice")},
		{"GET k", "_\r\n"},
	})
}
