package server_test

import (
	"strings"
	"testing"
	"time"

	. "github.com/cairn-db/cairn/server/servertest"
)

func TestPubSubReplies(t *testing.T) {
	srv := Start(t)
	sub := Dial(t, srv.Addr())
	pub := Dial(t, srv.Addr())
	if got := sub.Do("SUBSCRIBE", "ch"); got != "*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n" {
		t.Fatalf("SUBSCRIBE: %q", got)
	}
	if got := sub.Do("PSUBSCRIBE", "c*"); got != "*3\r\n$10\r\npsubscribe\r\n$2\r\nc*\r\n:2\r\n" {
		t.Fatalf("PSUBSCRIBE: %q", got)
	}
	if got := pub.Do("PUBLISH", "ch", "hi"); got != ":2\r\n" {
		t.Fatalf("PUBLISH: %q", got)
	}
	if got := sub.Read(); got != "*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n" {
		t.Fatalf("message: %q", got)
	}
	if got := sub.Read(); got != "*4\r\n$8\r\npmessage\r\n$2\r\nc*\r\n$2\r\nch\r\n$2\r\nhi\r\n" {
		t.Fatalf("pmessage: %q", got)
	}
	if got := sub.Do("GET", "k"); !strings.HasPrefix(got, "-ERR Can't execute 'get'") {
		t.Fatalf("GET in subscribed mode: %q", got)
	}
	// QUIT answers before the connection closes.
	if got := sub.Do("QUIT"); got != "+OK\r\n" {
		t.Fatalf("QUIT: %q", got)
	}
	// The server forgets the subscriber once the connection is gone.
	want, got := "*2\r\n$2\r\nch\r\n:0\r\n", ""
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if got = pub.Do("PUBSUB", "NUMSUB", "ch"); got == want {
			break
		}
	}
	if got != want {
		t.Fatalf("NUMSUB after QUIT: %q", got)
	}
}

// A subscriber that does not read never stalls PUBLISH or the other
// subscribers, and is disconnected once its queue passes the pubsub
// output limit.
func TestSlowSubscriberDisconnected(t *testing.T) {
	srv := Start(t)
	admin := Dial(t, srv.Addr())
	if got := admin.Do("CONFIG", "SET", "client-output-buffer-limit", "pubsub 4mb 1mb 60"); got != "+OK\r\n" {
		t.Fatalf("CONFIG SET: %q", got)
	}
	slow := Dial(t, srv.Addr())
	slow.Do("SUBSCRIBE", "ch")
	fast := Dial(t, srv.Addr())
	fast.Do("SUBSCRIBE", "ch")
	msg := strings.Repeat("x", 64<<10)
	pub := Dial(t, srv.Addr())
	// Were PUBLISH to wait on the stalled subscriber, these reads would
	// time out (servertest's 10 s deadline) and fail the test. The fast
	// subscriber reads each message before the next is published: one
	// that fell 4 MB behind would rightly be cut off too.
	for i := 0; i < 200; i++ { // 12.5 MB in all
		pub.Do("PUBLISH", "ch", msg)
		if _, err := fast.ReadErr(5 * time.Second); err != nil {
			t.Fatalf("fast subscriber, message %d: %v", i, err)
		}
	}
	// The slow one was cut off: draining it ends in an error, well before
	// all 12.5 MB arrive.
	for i := 0; ; i++ {
		if _, err := slow.ReadErr(5 * time.Second); err != nil {
			if i >= 200 {
				t.Fatalf("slow subscriber got all %d messages", i)
			}
			break
		}
	}
	want := "*2\r\n$2\r\nch\r\n:1\r\n"
	got := ""
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if got = admin.Do("PUBSUB", "NUMSUB", "ch"); got == want {
			break
		}
	}
	if got != want {
		t.Errorf("NUMSUB after disconnect: %q", got)
	}
}

// A RESP3 subscriber gets push messages and may run any command.
func TestPubSubRESP3(t *testing.T) {
	srv := Start(t)
	sub := Dial(t, srv.Addr())
	pub := Dial(t, srv.Addr())
	sub.Do("HELLO", "3")
	sub.Do("SUBSCRIBE", "ch")
	if got := sub.Do("GET", "k"); got != "_\r\n" {
		t.Fatalf("GET in RESP3 subscribed mode: %q", got)
	}
	pub.Do("PUBLISH", "ch", "hi")
	if got := sub.Read(); got != ">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n" {
		t.Fatalf("RESP3 message: %q", got)
	}
	// Back to RESP2 while subscribed: messages follow the protocol.
	sub.Do("HELLO", "2")
	pub.Do("PUBLISH", "ch", "hi")
	if got := sub.Read(); got != "*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n" {
		t.Fatalf("RESP2 message after HELLO 2: %q", got)
	}
}

// Under CLIENT REPLY OFF a subscriber still gets its (un)subscribe
// confirmations and messages, as Redis sends every pub/sub push
// (CLIENT_PUSHING) whatever the reply mode; other replies stay silent.
func TestSubscribeConfirmedUnderClientReplyOff(t *testing.T) {
	srv := Start(t)
	for _, proto := range []string{"2", "3"} {
		sub := Dial(t, srv.Addr())
		pub := Dial(t, srv.Addr())
		sub.Do("HELLO", proto)
		sub.Send("CLIENT", "REPLY", "OFF")
		sub.Send("SUBSCRIBE", "ch")
		kind := "*"
		if proto == "3" {
			kind = ">"
		}
		if got, want := sub.Read(), kind+"3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n"; got != want {
			t.Fatalf("RESP%s SUBSCRIBE under REPLY OFF: %q, want %q", proto, got, want)
		}
		sub.Send("PING") // silenced
		if got := pub.Do("PUBLISH", "ch", "hi"); got != Int(1) {
			t.Fatalf("PUBLISH: %q", got)
		}
		if got, want := sub.Read(), kind+"3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n"; got != want {
			t.Fatalf("RESP%s message: %q, want %q", proto, got, want)
		}
		sub.Send("CLIENT", "REPLY", "SKIP")
		sub.Send("UNSUBSCRIBE")
		if got, want := sub.Read(), kind+"3\r\n$11\r\nunsubscribe\r\n$2\r\nch\r\n:0\r\n"; got != want {
			t.Fatalf("RESP%s UNSUBSCRIBE under REPLY SKIP: %q, want %q", proto, got, want)
		}
	}
}
