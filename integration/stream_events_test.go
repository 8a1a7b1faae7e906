package integration

import (
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cairn-db/cairn/server/servertest"
)

// TestStreamKeyspaceEvents runs the same stream commands on redis-server
// and Cairn and compares the keyspace events each raised, in order.
func TestStreamKeyspaceEvents(t *testing.T) {
	rs := requireRedis(t)
	cmds := [][]any{
		{"XADD", "ev", "1-1", "a", "1"},
		{"XADD", "ev", "MAXLEN", "1", "2-1", "b", "2"},
		{"XGROUP", "CREATE", "ev", "g", "0"},
		{"XREADGROUP", "GROUP", "g", "alice", "STREAMS", "ev", ">"},
		{"XCLAIM", "ev", "g", "bob", "0", "2-1"},
		{"XAUTOCLAIM", "ev", "g", "carol", "0", "0"},
		{"XACK", "ev", "g", "2-1"},
		{"XGROUP", "CREATECONSUMER", "ev", "g", "dave"},
		{"XGROUP", "DELCONSUMER", "ev", "g", "dave"},
		{"XGROUP", "SETID", "ev", "g", "0"},
		{"XDEL", "ev", "2-1"},
		{"XTRIM", "ev", "MAXLEN", "0"},
		{"XSETID", "ev", "5-1"},
		{"XGROUP", "DESTROY", "ev", "g"},
		{"DEL", "ev"},
		{"SET", "done", "1"},
	}
	events := func(addr string) string {
		rdb := redis.NewClient(&redis.Options{Addr: addr})
		defer rdb.Close()
		rdb.ConfigSet(ctx, "notify-keyspace-events", "KEA")
		defer rdb.ConfigSet(ctx, "notify-keyspace-events", "")
		rdb.Del(ctx, "ev", "done")
		sub := rdb.PSubscribe(ctx, "__keyevent@0__:*")
		defer sub.Close()
		if _, err := sub.Receive(ctx); err != nil {
			t.Fatal(err)
		}
		for _, c := range cmds {
			rdb.Do(ctx, c...)
		}
		var got []string
		timeout := time.After(5 * time.Second)
		for {
			select {
			case m := <-sub.Channel():
				ev := strings.TrimPrefix(m.Channel, "__keyevent@0__:")
				if m.Payload == "done" {
					return strings.Join(got, " ")
				}
				got = append(got, ev)
			case <-timeout:
				t.Fatalf("%s: events stopped at %v", addr, got)
			}
		}
	}
	want := events(rs.addr)
	if !strings.Contains(want, "xgroup-createconsumer") {
		t.Fatalf("redis-server raised unexpected events: %s", want)
	}
	if got := events(servertest.Start(t).Addr()); got != want {
		t.Fatalf("keyspace events\n cairn: %s\n redis: %s", got, want)
	}
}
