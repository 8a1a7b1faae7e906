package server_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cairn-db/cairn/server"
	. "github.com/cairn-db/cairn/server/servertest"
)

// "expired" fires when the active cycle reclaims a key, not only when a
// command finds it expired.
func TestNotifyExpiredActive(t *testing.T) {
	clock := NewClock()
	srv := Start(t, WithClock(clock), WithConfig(func(c *server.Config) { c.NotifyKeyspaceEvents = "Ex" }))
	sub := Dial(t, srv.Addr())
	sub.Do("SUBSCRIBE", "__keyevent@0__:expired")
	c := Dial(t, srv.Addr())
	c.Do("SET", "k", "v", "PX", "50")
	clock.FastForward(100 * time.Millisecond)
	if got := sub.Read(); got != "*3\r\n$7\r\nmessage\r\n$22\r\n__keyevent@0__:expired\r\n$1\r\nk\r\n" {
		t.Fatalf("expired event: %q", got)
	}
}

// Eviction raises "evicted" (class e).
func TestNotifyEvicted(t *testing.T) {
	srv := Start(t, WithConfig(func(c *server.Config) { c.NotifyKeyspaceEvents = "Ee" }))
	sub := Dial(t, srv.Addr())
	sub.Do("SUBSCRIBE", "__keyevent@0__:evicted")
	c := Dial(t, srv.Addr())
	for _, kv := range [][2]string{{"maxmemory-policy", "allkeys-random"}, {"maxmemory", "2mb"}} {
		if got := c.Do("CONFIG", "SET", kv[0], kv[1]); got != "+OK\r\n" {
			t.Fatalf("CONFIG SET %s: %q", kv[0], got)
		}
	}
	big := strings.Repeat("x", 100<<10)
	for i := 0; i < 100; i++ {
		c.Do("SET", "k"+strconv.Itoa(i), big)
	}
	got := sub.Read()
	if !strings.HasPrefix(got, "*3\r\n$7\r\nmessage\r\n$22\r\n__keyevent@0__:evicted\r\n") {
		t.Fatalf("evicted event: %q", got)
	}
}
