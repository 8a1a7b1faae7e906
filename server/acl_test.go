package server_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cairn-db/cairn/server"
	. "github.com/cairn-db/cairn/server/servertest"
)

func TestRequirePassNoAuth(t *testing.T) {
	srv := Start(t, WithConfig(func(c *server.Config) { c.RequirePass = "s3cret" }))
	c := Dial(t, srv.Addr())
	steps := []step{
		{"GET k", Err("NOAUTH Authentication required.")},
		{"PING", Err("NOAUTH Authentication required.")},
		{"AUTH wrong", Err("WRONGPASS invalid username-password pair or user is disabled.")},
		{"AUTH s3cret", OK},
		{"GET k", Nil},
		{"ACL WHOAMI", Bulk("default")},
		{"AUTH default s3cret", OK},
	}
	for _, s := range steps {
		if got := c.Do(strings.Fields(s.args)...); got != s.want {
			t.Errorf("%s: got %q want %q", s.args, got, s.want)
		}
	}
	// QUIT needs no authentication.
	c2 := Dial(t, srv.Addr())
	if got := c2.Do("QUIT"); got != OK {
		t.Errorf("QUIT before AUTH = %q", got)
	}
}

func TestACLUsers(t *testing.T) {
	srv := Start(t)
	admin := Dial(t, srv.Addr())
	for _, s := range []step{
		{"ACL SETUSER app on >apppw ~cache:* +@all -@dangerous", OK},
		{"ACL SETUSER ro on >ropw ~* -@all +@read", OK},
		{"ACL SETUSER off1 off >p", OK},
		{"ACL SETUSER bad bogus", Err("ERR Error in ACL SETUSER modifier 'bogus': Syntax error")},
		{"ACL SETUSER bad +nosuch", Err("ERR Error in ACL SETUSER modifier '+nosuch': Unknown command or category name in ACL")},
		{"ACL SETUSER bad ~* ~x", Err("ERR Error in ACL SETUSER modifier '~x': Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns")},
		{"ACL USERS", Bulks("app", "default", "off1", "ro")},
		{"ACL DELUSER default", Err("ERR The 'default' user cannot be removed")},
		{"ACL DELUSER nobody", Int(0)},
		{"ACL GETUSER nobody", Nil},
		{"ACL CAT nosuch", Err("ERR Unknown category 'nosuch'")},
		{"ACL DRYRUN ro set a b", Bulk("This user has no permissions to run the 'set' command")},
		{"ACL DRYRUN ro get a", OK},
		{"SET plain 1", OK},
	} {
		if got := admin.Do(strings.Fields(s.args)...); got != s.want {
			t.Errorf("%s: got %q want %q", s.args, got, s.want)
		}
	}
	list := admin.Do("ACL", "LIST")
	for _, want := range []string{
		"user default on nopass ~* &* +@all",
		"user app on #", " ~cache:* resetchannels +@all -@dangerous",
		"user off1 off #",
		"user ro on #", " ~* resetchannels -@all +@read",
	} {
		if !strings.Contains(list, want) {
			t.Errorf("ACL LIST lacks %q:\n%s", want, list)
		}
	}

	app := Dial(t, srv.Addr())
	for _, s := range []step{
		{"AUTH app wrong", Err("WRONGPASS invalid username-password pair or user is disabled.")},
		{"AUTH off1 p", Err("WRONGPASS invalid username-password pair or user is disabled.")},
		{"AUTH app apppw", OK},
		{"ACL WHOAMI", Bulk("app")},
		{"SET cache:1 v", OK},
		{"GET cache:1", Bulk("v")},
		{"SET plain 2", Err("NOPERM this user has no permissions to access one of the keys used as arguments")},
		{"ZUNIONSTORE cache:d 2 cache:a plain", Err("NOPERM this user has no permissions to access one of the keys used as arguments")},
		{"ZUNIONSTORE plain 1 cache:a", Err("NOPERM this user has no permissions to access one of the keys used as arguments")},
		{"ZUNIONSTORE cache:d 1 cache:a", Int(0)},
		{"LMPOP 2 cache:l plain LEFT", Err("NOPERM this user has no permissions to access one of the keys used as arguments")},
		{"GEORADIUS cache:g 0 0 1 km STORE plain", Err("NOPERM this user has no permissions to access one of the keys used as arguments")},
		{"GEORADIUSBYMEMBER cache:g m 1 km STOREDIST plain", Err("NOPERM this user has no permissions to access one of the keys used as arguments")},
		{"GEORADIUS cache:g 0 0 1 km STORE cache:d", Int(0)},
		{"GEOSEARCHSTORE plain cache:g FROMLONLAT 0 0 BYRADIUS 1 km", Err("NOPERM this user has no permissions to access one of the keys used as arguments")},
		{"FLUSHALL", Err("NOPERM this user has no permissions to run the 'flushall' command")},
		{"CONFIG GET maxmemory", Err("NOPERM this user has no permissions to run the 'config|get' command")},
		{"CLIENT ID", ":" + strings.TrimPrefix(app.Do("CLIENT", "ID"), ":")},
	} {
		if got := app.Do(strings.Fields(s.args)...); got != s.want {
			t.Errorf("app %s: got %q want %q", s.args, got, s.want)
		}
	}
	ro := Dial(t, srv.Addr())
	for _, s := range []step{
		{"AUTH ro ropw", OK},
		{"GET plain", Bulk("1")},
		{"SET plain 3", Err("NOPERM this user has no permissions to run the 'set' command")},
	} {
		if got := ro.Do(strings.Fields(s.args)...); got != s.want {
			t.Errorf("ro %s: got %q want %q", s.args, got, s.want)
		}
	}
	// A rule change applies at once to connected clients.
	admin.Do("ACL", "SETUSER", "ro", "+set")
	if got := ro.Do("SET", "plain", "3"); got != OK {
		t.Errorf("after +set: %q", got)
	}
	if got := admin.Do("ACL", "LOG", "1"); !strings.Contains(got, "reason") {
		t.Errorf("ACL LOG = %q", got)
	}
	if got := admin.Do("INFO", "stats"); !strings.Contains(got, "acl_access_denied_auth:2") || !strings.Contains(got, "acl_access_denied_key:") || !strings.Contains(got, "acl_access_denied_cmd:") {
		t.Errorf("INFO stats ACL denials: %q", got)
	}
	if got := admin.Do("CLIENT", "LIST"); !strings.Contains(got, "user=ro") || !strings.Contains(got, "user=app") {
		t.Errorf("CLIENT LIST users: %q", got)
	}
	if got := admin.Do("CLIENT", "KILL", "USER", "ro"); got != Int(1) {
		t.Errorf("CLIENT KILL USER ro = %q", got)
	}
	if _, err := ro.ReadErr(2 * time.Second); err == nil {
		t.Error("killed client still connected")
	}
	// Deleting a user disconnects its clients.
	if got := admin.Do("ACL", "DELUSER", "app"); got != Int(1) {
		t.Errorf("DELUSER app = %q", got)
	}
	if _, err := app.ReadErr(2 * time.Second); err == nil {
		t.Error("client of a deleted user still connected")
	}
}

func TestACLFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "users.acl")
	os.WriteFile(path, []byte("user default on nopass ~* &* +@all\nuser reader on >pw ~r:* -@all +get\n"), 0o600)
	srv := Start(t, WithConfig(func(c *server.Config) { c.ACLFile = path }))
	c := Dial(t, srv.Addr())
	for _, s := range []step{
		{"ACL USERS", Bulks("default", "reader")},
		{"ACL SETUSER writer on >w ~w:* +set", OK},
		{"ACL SAVE", OK},
		{"ACL DELUSER writer", Int(1)},
		{"ACL LOAD", OK},
		{"ACL USERS", Bulks("default", "reader", "writer")},
		{"AUTH reader pw", OK},
		{"GET r:1", Nil},
		{"GET x", Err("NOPERM this user has no permissions to access one of the keys used as arguments")},
	} {
		if got := c.Do(strings.Fields(s.args)...); got != s.want {
			t.Errorf("%s: got %q want %q", s.args, got, s.want)
		}
	}
}

func TestRenameCommand(t *testing.T) {
	srv := Start(t, WithConfig(func(c *server.Config) {
		c.Set("rename-command", "flushall \"\"")
		c.Set("rename-command", "config cfg")
	}))
	c := Dial(t, srv.Addr())
	if got := c.Do("FLUSHALL"); !strings.HasPrefix(got, "-ERR unknown command 'FLUSHALL'") {
		t.Errorf("FLUSHALL = %q", got)
	}
	if got := c.Do("CONFIG", "GET", "hz"); !strings.HasPrefix(got, "-ERR unknown command") {
		t.Errorf("CONFIG = %q", got)
	}
	if got := c.Do("CFG", "GET", "hz"); got != Array(Bulk("hz"), Bulk("10")) {
		t.Errorf("CFG GET = %q", got)
	}
}

func TestConfigSetRequirePass(t *testing.T) {
	srv := Start(t)
	c := Dial(t, srv.Addr())
	if got := c.Do("CONFIG", "SET", "requirepass", "later"); got != OK {
		t.Fatal(got)
	}
	// The connection that was already in stays in; new ones must AUTH.
	if got := c.Do("PING"); got != "+PONG\r\n" {
		t.Errorf("existing client after requirepass: %q", got)
	}
	d := Dial(t, srv.Addr())
	if got := d.Do("PING"); got != Err("NOAUTH Authentication required.") {
		t.Errorf("new client: %q", got)
	}
	if got := d.Do("AUTH", "later"); got != OK {
		t.Errorf("AUTH later = %q", got)
	}
	if got := c.Do("ACL", "GETUSER", "default"); !strings.Contains(got, "passwords\r\n*1\r\n") {
		t.Errorf("default user after requirepass: %q", got)
	}
	c.Do("CONFIG", "SET", "requirepass", "")
	if got := Dial(t, srv.Addr()).Do("PING"); got != "+PONG\r\n" {
		t.Errorf("after clearing requirepass: %q", got)
	}
}
