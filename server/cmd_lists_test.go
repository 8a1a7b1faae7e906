package server_test

import (
	"strings"
	"testing"

	"github.com/cairn-db/cairn/server"
	. "github.com/cairn-db/cairn/server/servertest"
)

func TestListCommands(t *testing.T) {
	runSteps(t, []step{
		{"RPUSH l a b c", Int(3)},
		{"LPUSH l z", Int(4)},
		{"LPUSHX missing x", Int(0)},
		{"LRANGE l 0 -1", Bulks("z", "a", "b", "c")},
		{"LRANGE l 2 1", Array()},
		{"LINDEX l -1", Bulk("c")},
		{"LINDEX l 9", Nil},
		{"LPOP l", Bulk("z")},
		{"RPOP l 2", Bulks("c", "b")},
		{"LPOP l 0", Array()},
		{"LPOP missing 2", NilArray},
		{"LPOP missing", Nil},
		{"LPOP l -1", Err("ERR value is out of range, must be positive")},
		{"LPOP l 1 2", Err("ERR wrong number of arguments for 'lpop' command")},
		{"LSET l 5 x", Err("ERR index out of range")},
		{"LSET missing 0 x", Err("ERR no such key")},
		{"LINSERT l BEFORE a new", Int(2)},
		{"LINSERT l AFTER nope x", Int(-1)},
		{"LINSERT l MIDDLE a x", Err("ERR syntax error")},
		{"RPUSH p a b a b a", Int(5)},
		{"LPOS p a", Int(0)},
		{"LPOS p a RANK -1", Int(4)},
		{"LPOS p a COUNT 0", Array(Int(0), Int(2), Int(4))},
		{"LPOS p a RANK 2 COUNT 1", Array(Int(2))},
		{"LPOS p a MAXLEN 1 RANK 2", Nil},
		{"LPOS p a RANK 0", Err("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list")},
		{"LPOS p a COUNT -1", Err("ERR COUNT can't be negative")},
		{"LPOS p a MAXLEN -1", Err("ERR MAXLEN can't be negative")},
		{"LREM p -2 a", Int(2)},
		{"LRANGE p 0 -1", Bulks("a", "b", "b")},
		{"LTRIM p 1 1", OK},
		{"LRANGE p 0 -1", Bulks("b")},
		{"LMOVE p q LEFT RIGHT", Bulk("b")},
		{"EXISTS p", Int(0)},
		{"RPOPLPUSH q q", Bulk("b")},
		{"LMPOP 2 p q RIGHT COUNT 5", Array(Bulk("q"), Bulks("b"))},
		{"LMPOP 1 q LEFT", NilArray},
		{"LMPOP 0 q LEFT", Err("ERR numkeys should be greater than 0")},
		{"LMPOP 1 q LEFT COUNT 0", Err("ERR count should be greater than 0")},
		{"BLPOP q -1", Err("ERR timeout is negative")},
		{"BLPOP q x", Err("ERR timeout is not a float or out of range")},
		{"SET s v", OK},
		{"LPUSH s a", Err("WRONGTYPE Operation against a key holding the wrong kind of value")},
		{"BLPOP s 0", Err("WRONGTYPE Operation against a key holding the wrong kind of value")},
		{"OBJECT ENCODING l", Bulk("quicklist")},
		{"TYPE l", Status("list")},
	})
}

// Lists written through every kind of list command come back identical
// after a restart on the Pebble engine.
func TestListsSurviveRestart(t *testing.T) {
	dir := t.TempDir()
	pebble := WithConfig(func(c *server.Config) { c.Engine, c.Dir = "pebble", dir })
	script := []string{
		"RPUSH q a b c d e f", "LPUSH q z y", "LPOP q", "RPOP q 2", "LSET q 1 B",
		"LINSERT q BEFORE c c0", "LINSERT q AFTER d d1", "LREM q 1 c0", "LTRIM q 1 -1",
		"RPUSH r 1 2 3", "LMOVE r q LEFT LEFT", "RPOPLPUSH q r", "LMPOP 1 r RIGHT COUNT 2",
		"RPUSH gone x", "LPOP gone",
	}
	srv := Start(t, pebble)
	c := Dial(t, srv.Addr())
	for _, cmd := range script {
		c.Do(strings.Fields(cmd)...)
	}
	want := c.Do("LRANGE", "q", "0", "-1") + c.Do("LRANGE", "r", "0", "-1") + c.Do("EXISTS", "gone")
	c.Close()
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	srv = Start(t, pebble)
	c = Dial(t, srv.Addr())
	got := c.Do("LRANGE", "q", "0", "-1") + c.Do("LRANGE", "r", "0", "-1") + c.Do("EXISTS", "gone")
	if got != want {
		t.Fatalf("after restart %q, before %q", got, want)
	}
}
