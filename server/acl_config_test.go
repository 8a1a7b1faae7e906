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

// Users from "user" directives; "user default …" resets the default user
// first, so without &* it may not use channels (acl-pubsub-default is
// resetchannels).
func TestACLUserDirective(t *testing.T) {
	srv := Start(t, WithConfig(func(c *server.Config) {
		if err := c.Set("user", "default on nopass ~* +@all -flushdb"); err != nil {
			t.Fatal(err)
		}
		if err := c.Set("user", "bob on >pw (+get ~b*)"); err != nil {
			t.Fatal(err)
		}
		if err := c.Set("user", "bob on"); err == nil || !strings.Contains(err.Error(), "Duplicate user") {
			t.Errorf("duplicate user directive: %v", err)
		}
	}))
	c := Dial(t, srv.Addr())
	for _, s := range []step{
		{"FLUSHDB", Err("NOPERM this user has no permissions to run the 'flushdb' command")},
		{"SUBSCRIBE ch", Err("NOPERM this user has no permissions to access one of the channels used as arguments")},
		{"ACL DRYRUN bob GET bar", OK},
		{"ACL DRYRUN bob GET foo", Bulk("This user has no permissions to access the 'foo' key")},
	} {
		if got := c.Do(strings.Fields(s.args)...); got != s.want {
			t.Errorf("%s: got %q want %q", s.args, got, s.want)
		}
	}
	if got := c.Do("ACL", "LIST"); !strings.Contains(got, "user bob on #") || !strings.Contains(got, " (~b* resetchannels -@all +get)") {
		t.Errorf("ACL LIST = %q", got)
	}
}

// acl-pubsub-default decides the channels of new users, not existing
// ones; a relative aclfile is relative to dir; acllog-max-len trims.
func TestACLPubsubDefaultAndFile(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "u.acl"), []byte("user alice on nopass ~* +@all\n"), 0o600)
	srv := Start(t, WithConfig(func(c *server.Config) {
		c.Set("dir", dir)
		c.Set("aclfile", "u.acl")
	}))
	c := Dial(t, srv.Addr())
	for _, s := range []step{
		{"ACL GETUSER default", ""},
		{"CONFIG GET acl-pubsub-default", Array(Bulk("acl-pubsub-default"), Bulk("resetchannels"))},
		{"CONFIG SET acl-pubsub-default allchannels", OK},
		{"ACL SETUSER new", OK},
		{"ACL SETUSER new &x", Err("ERR Error in ACL SETUSER modifier '&x': Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels")},
		{"CONFIG SET acl-pubsub-default resetchannels", OK},
		{"ACL SETUSER alice &x", OK},
		{"CONFIG SET acl-pubsub-default nosuch", Err("ERR CONFIG SET failed (possibly related to argument 'acl-pubsub-default') - argument(s) must be one of the following: allchannels, resetchannels")},
		{"CONFIG SET acllog-max-len 2", OK},
		{"AUTH nobody a", Err("WRONGPASS invalid username-password pair or user is disabled.")},
		{"AUTH nobody2 a", Err("WRONGPASS invalid username-password pair or user is disabled.")},
		{"AUTH nobody3 a", Err("WRONGPASS invalid username-password pair or user is disabled.")},
	} {
		if s.want == "" {
			c.Do(strings.Fields(s.args)...)
			continue
		}
		if got := c.Do(strings.Fields(s.args)...); got != s.want {
			t.Errorf("%s: got %q want %q", s.args, got, s.want)
		}
	}
	if got := c.Do("ACL", "GETUSER", "new"); !strings.Contains(got, "channels\r\n$2\r\n&*\r\n") {
		t.Errorf("new user under allchannels: %q", got)
	}
	if got := c.Do("ACL", "LOG"); !strings.HasPrefix(got, "*2\r\n") {
		t.Errorf("ACL LOG with acllog-max-len 2: %q", got)
	}
	// ACL LOAD reads dir/u.acl; a duplicate user refuses the whole file.
	os.WriteFile(filepath.Join(dir, "u.acl"), []byte("user alice on nopass ~* +@all\nuser alice off\n"), 0o600)
	if got := c.Do("ACL", "LOAD"); got != Err("ERR WARNING: Duplicate user 'alice' found on line 2. WARNING: ACL errors detected, no change to the previously active ACL rules was performed") {
		t.Errorf("ACL LOAD duplicate = %q", got)
	}
	if got := c.Do("ACL", "SAVE"); got != OK {
		t.Fatal(got)
	}
	data, _ := os.ReadFile(filepath.Join(dir, "u.acl"))
	if !strings.Contains(string(data), "user alice on nopass ~* resetchannels &x +@all") {
		t.Errorf("saved file: %q", data)
	}
	os.Remove(filepath.Join(dir, "u.acl"))
	if got := c.Do("ACL", "LOAD"); got != Err("ERR Error loading ACLs, opening file 'u.acl': No such file or directory") {
		t.Errorf("ACL LOAD of a missing file = %q", got)
	}
}

// ACL DELUSER of the client's own user and ACL LOAD close the client
// after the reply, as Redis does; a subscriber too.
func TestACLCloseOwnClient(t *testing.T) {
	path := filepath.Join(t.TempDir(), "users.acl")
	os.WriteFile(path, []byte("user bob on nopass ~* &* +@all\n"), 0o600)
	srv := Start(t, WithConfig(func(c *server.Config) { c.ACLFile = path }))
	c := Dial(t, srv.Addr())
	c.Do("SUBSCRIBE", "x")
	c.Do("UNSUBSCRIBE")
	if got := c.Do("AUTH", "bob", "x"); got != OK {
		t.Fatal(got)
	}
	if got := c.Do("ACL", "LOAD"); got != OK {
		t.Errorf("ACL LOAD = %q", got)
	}
	if _, err := c.ReadErr(2 * time.Second); err == nil {
		t.Error("client of a reloaded user still connected")
	}
	d := Dial(t, srv.Addr())
	d.Do("ACL", "SETUSER", "using", "on", "nopass", "+acl")
	d.Do("AUTH", "using", "x")
	if got := d.Do("ACL", "DELUSER", "using"); got != Int(1) {
		t.Errorf("ACL DELUSER own user = %q", got)
	}
	if _, err := d.ReadErr(2 * time.Second); err == nil {
		t.Error("client of its deleted user still connected")
	}
}

// A command queued in MULTI is checked again at EXEC, and its denial is
// logged with context multi.
func TestACLExecRecheck(t *testing.T) {
	srv := Start(t)
	admin := Dial(t, srv.Addr())
	admin.Do("ACL", "SETUSER", "u", "on", "nopass", "~*", "+multi", "+exec", "+incr")
	c := Dial(t, srv.Addr())
	c.Do("AUTH", "u", "x")
	c.Do("MULTI")
	c.Do("INCR", "k")
	admin.Do("ACL", "SETUSER", "u", "-incr")
	if got := c.Do("EXEC"); got != Array(Err("NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. This command is no longer allowed for the following reason: no permission to execute the command or subcommand")) {
		t.Errorf("EXEC = %q", got)
	}
	c.Do("MULTI")
	if got := c.Do("INCR", "k"); !strings.HasPrefix(got, "-NOPERM") {
		t.Errorf("queued INCR = %q", got)
	}
	if got := admin.Do("ACL", "LOG", "1"); !strings.Contains(got, "context\r\n$5\r\nmulti\r\n") {
		t.Errorf("ACL LOG context = %q", got)
	}
	// A failed AUTH run by EXEC is logged in context multi too.
	d := Dial(t, srv.Addr())
	d.Do("MULTI")
	d.Do("AUTH", "nouser", "x")
	d.Do("EXEC")
	if got := admin.Do("ACL", "LOG", "1"); !strings.Contains(got, "reason\r\n$4\r\nauth\r\n$7\r\ncontext\r\n$5\r\nmulti\r\n") {
		t.Errorf("ACL LOG of AUTH in EXEC = %q", got)
	}
}

// Without an aclfile, CONFIG REWRITE writes the users as user lines, and
// a server started from that file has them again.
func TestACLConfigRewriteUsers(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cairn.conf")
	os.WriteFile(path, []byte("user default on nopass ~* &* +@all -flushdb\n"), 0o644)
	var cfg server.Config
	if err := server.ParseArgs(&cfg, []string{path}); err != nil {
		t.Fatal(err)
	}
	srv := Start(t, WithConfig(func(c *server.Config) {
		c.ConfigFile = cfg.ConfigFile
		c.Users = cfg.Users
	}))
	c := Dial(t, srv.Addr())
	c.Do("ACL", "SETUSER", "bob", "on", ">pw", "(+get ~b*)")
	if got := c.Do("CONFIG", "REWRITE"); got != OK {
		t.Fatal(got)
	}
	data, _ := os.ReadFile(path)
	for _, want := range []string{
		"user default on nopass sanitize-payload ~* &* +@all -flushdb\n",
		"user bob on #", " resetchannels -@all (~b* resetchannels -@all +get)\n",
	} {
		if !strings.Contains(string(data), want) {
			t.Errorf("rewritten config lacks %q:\n%s", want, data)
		}
	}
	var again server.Config
	if err := server.ParseArgs(&again, []string{path}); err != nil {
		t.Fatal(err)
	}
	srv2 := Start(t, WithConfig(func(c *server.Config) { c.Users = again.Users }))
	d := Dial(t, srv2.Addr())
	if got := d.Do("FLUSHDB"); got != Err("NOPERM this user has no permissions to run the 'flushdb' command") {
		t.Errorf("FLUSHDB after restart = %q", got)
	}
	if got := d.Do("ACL", "DRYRUN", "bob", "GET", "bar"); got != OK {
		t.Errorf("bob after restart = %q", got)
	}
}

// ACL LOG counts a repeat in its entry only within a minute of the last
// one, moving it to the head, and age-seconds counts from that last time.
func TestACLLogGrouping(t *testing.T) {
	clock := NewClock()
	srv := Start(t, WithClock(clock))
	c := Dial(t, srv.Addr())
	c.Do("ACL", "SETUSER", "u", "on", "nopass", "+get", "~a*")
	u := Dial(t, srv.Addr())
	u.Do("AUTH", "u", "x")
	u.Do("SET", "a", "1") // command set
	u.Do("GET", "b")      // key b
	clock.FastForward(30 * time.Second)
	u.Do("SET", "a", "1") // counts in the first entry, now the head
	got := c.Do("ACL", "LOG")
	if !strings.HasPrefix(got, "*2\r\n*14\r\n$5\r\ncount\r\n:2\r\n$6\r\nreason\r\n$7\r\ncommand\r\n") ||
		!strings.Contains(got, "age-seconds\r\n$1\r\n0\r\n") {
		t.Errorf("ACL LOG after a repeat = %q", got)
	}
	clock.FastForward(61 * time.Second)
	u.Do("SET", "a", "1") // too late: a new entry
	if got := c.Do("ACL", "LOG"); !strings.HasPrefix(got, "*3\r\n*14\r\n$5\r\ncount\r\n:1\r\n") {
		t.Errorf("ACL LOG after a minute = %q", got)
	}
}
