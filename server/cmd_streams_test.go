package server_test

import (
	"testing"
	"time"

	. "github.com/cairn-db/cairn/server/servertest"
)

func entry(id string, fv ...string) string { return Array(Bulk(id), Bulks(fv...)) }

func TestStreamCommands(t *testing.T) {
	clock := NewClock()
	clock.Set(time.UnixMilli(5000))
	runSteps(t, []step{
		{"XADD s 1-1 a 1", Bulk("1-1")},
		{"XADD s * b 2", Bulk("5000-0")},
		{"XADD s * c 3", Bulk("5000-1")},
		{"XADD s 5000-* d 4", Bulk("5000-2")},
		{"XADD s 4000-* d 4", Err("ERR The ID specified in XADD is equal or smaller than the target stream top item")},
		{"XADD s 0-0 a b", Err("ERR The ID specified in XADD must be greater than 0-0")},
		{"XADD s 1-x a b", Err("ERR Invalid stream ID specified as stream command argument")},
		{"XADD s * a", Err("ERR wrong number of arguments for 'xadd' command")},
		{"XADD s MAXLEN 1 LIMIT 1 * a b", Err("ERR syntax error, LIMIT cannot be used without the special ~ option")},
		{"XADD missing NOMKSTREAM * a b", Nil},
		{"XLEN s", Int(4)},
		{"XRANGE s - + COUNT 2", Array(entry("1-1", "a", "1"), entry("5000-0", "b", "2"))},
		{"XRANGE s (5000-0 5000", Array(entry("5000-1", "c", "3"), entry("5000-2", "d", "4"))},
		{"XREVRANGE s + - COUNT 1", Array(entry("5000-2", "d", "4"))},
		{"XRANGE s - + COUNT 0", "*-1\r\n"},
		{"XRANGE missing - +", Array()},
		{"XDEL s 5000-1 7-7", Int(1)},
		{"XTRIM s MAXLEN 2", Int(1)},
		{"XRANGE s - +", Array(entry("5000-0", "b", "2"), entry("5000-2", "d", "4"))},
		{"XREAD STREAMS s 5000-0", Array(Array(Bulk("s"), Array(entry("5000-2", "d", "4"))))},
		{"XREAD STREAMS s $", "*-1\r\n"},
		{"XSETID s 5000-1", Err("ERR The ID specified in XSETID is smaller than the target stream top item")},
		{"XSETID s 9000-0 ENTRIESADDED 10 MAXDELETEDID 6000-0", OK},
		{"XINFO STREAM s", Array(Bulk("length"), Int(2), Bulk("radix-tree-keys"), Int(1), Bulk("radix-tree-nodes"), Int(2),
			Bulk("last-generated-id"), Bulk("9000-0"), Bulk("max-deleted-entry-id"), Bulk("6000-0"),
			Bulk("entries-added"), Int(10), Bulk("recorded-first-entry-id"), Bulk("5000-0"), Bulk("groups"), Int(0),
			Bulk("first-entry"), entry("5000-0", "b", "2"), Bulk("last-entry"), entry("5000-2", "d", "4"))},
		{"SET str x", OK},
		{"XADD str * a b", Err("WRONGTYPE Operation against a key holding the wrong kind of value")},
		{"XTRIM s MAXLEN 0", Int(2)},
		{"EXISTS s", Int(1)},
		{"TYPE s", Status("stream")},
	}, WithClock(clock))
}

func TestStreamGroupCommands(t *testing.T) {
	clock := NewClock()
	clock.Set(time.UnixMilli(1_000_000))
	srv := Start(t, WithClock(clock))
	c := Dial(t, srv.Addr())
	do := func(args, want string) {
		t.Helper()
		if got := c.Do(splitArgs(args)...); got != want {
			t.Errorf("%s\n got %q\nwant %q", args, got, want)
		}
	}
	do("XGROUP CREATE s g $", Err("ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically."))
	do("XGROUP CREATE s g $ MKSTREAM", OK)
	do("XGROUP CREATE s g $", Err("BUSYGROUP Consumer Group name already exists"))
	do("XREADGROUP GROUP g alice STREAMS s >", "*-1\r\n")
	do("XADD s 1-1 a 1", Bulk("1-1"))
	do("XADD s 2-1 b 2", Bulk("2-1"))
	do("XREADGROUP GROUP g alice COUNT 1 STREAMS s >", Array(Array(Bulk("s"), Array(entry("1-1", "a", "1")))))
	clock.FastForward(1500 * time.Millisecond)
	do("XREADGROUP GROUP g bob STREAMS s >", Array(Array(Bulk("s"), Array(entry("2-1", "b", "2")))))
	do("XREADGROUP GROUP nog bob STREAMS s >", Err("NOGROUP No such key 's' or consumer group 'nog' in XREADGROUP with GROUP option"))
	do("XPENDING s g", Array(Int(2), Bulk("1-1"), Bulk("2-1"), Array(Array(Bulk("alice"), Bulk("1")), Array(Bulk("bob"), Bulk("1")))))
	do("XPENDING s g IDLE 1000 - + 10", Array(Array(Bulk("1-1"), Bulk("alice"), Int(1500), Int(1))))
	do("XDEL s 2-1", Int(1))
	do("XREADGROUP GROUP g bob STREAMS s 0", Array(Array(Bulk("s"), Array(Array(Bulk("2-1"), "*-1\r\n")))))
	do("XAUTOCLAIM s g carol 1000 0", Array(Bulk("0-0"), Array(entry("1-1", "a", "1")), Array(Bulk("2-1"))))
	do("XPENDING s g - + 10", Array(Array(Bulk("1-1"), Bulk("carol"), Int(0), Int(2))))
	do("XCLAIM s g dave 0 1-1 RETRYCOUNT 5 JUSTID", Array(Bulk("1-1")))
	do("XINFO GROUPS s", Array(Array(Bulk("name"), Bulk("g"), Bulk("consumers"), Int(4), Bulk("pending"), Int(1),
		Bulk("last-delivered-id"), Bulk("2-1"), Bulk("entries-read"), Int(2), Bulk("lag"), Int(0))))
	clock.FastForward(250 * time.Millisecond)
	do("XINFO CONSUMERS s g", Array(
		Array(Bulk("name"), Bulk("alice"), Bulk("pending"), Int(0), Bulk("idle"), Int(1750)),
		Array(Bulk("name"), Bulk("bob"), Bulk("pending"), Int(0), Bulk("idle"), Int(250)),
		Array(Bulk("name"), Bulk("carol"), Bulk("pending"), Int(0), Bulk("idle"), Int(250)),
		Array(Bulk("name"), Bulk("dave"), Bulk("pending"), Int(1), Bulk("idle"), Int(250))))
	do("XACK s g 1-1 1-1", Int(1))
	do("XGROUP DELCONSUMER s g dave", Int(0))
	do("XGROUP DESTROY s g", Int(1))
	do("XINFO GROUPS s", Array())
}

// splitArgs splits on spaces (the table tests need no quoting).
func splitArgs(s string) []string {
	var out []string
	start := -1
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ' ' {
			if start >= 0 {
				out = append(out, s[start:i])
				start = -1
			}
		} else if start < 0 {
			start = i
		}
	}
	return out
}

// Auto IDs never go backwards: not when the clock does, nor after the
// last entries are deleted.
func TestStreamIDsStayMonotonic(t *testing.T) {
	clock := NewClock()
	clock.Set(time.UnixMilli(5000))
	c := Dial(t, Start(t, WithClock(clock)).Addr())
	for _, s := range []struct {
		args, want string
		setMs      int64
	}{
		{"XADD s * a 1", Bulk("5000-0"), 0},
		{"XADD s * a 1", Bulk("5000-1"), 4000},
		{"XADD s * a 1", Bulk("5000-2"), 0},
		{"XTRIM s MAXLEN 0", Int(3), 0},
		{"XADD s * a 1", Bulk("5000-3"), 6000},
		{"XADD s * a 1", Bulk("6000-0"), 0},
		{"XSETID s 18446744073709551615-18446744073709551615", OK, 0},
		{"XADD s * a 1", Err("ERR The stream has exhausted the last possible ID, unable to add more items"), 0},
	} {
		if got := c.Do(splitArgs(s.args)...); got != s.want {
			t.Errorf("%s\n got %q\nwant %q", s.args, got, s.want)
		}
		if s.setMs != 0 {
			clock.Set(time.UnixMilli(s.setMs))
		}
	}
}
