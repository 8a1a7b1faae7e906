package server_test

import (
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
