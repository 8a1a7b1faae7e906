//go:build linux

package server_test

import (
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cairn-db/cairn/server"
	. "github.com/cairn-db/cairn/server/servertest"
)

// A client that pipelines more replies than its socket buffers hold and
// reads none of them must not hold up the event loop's other clients;
// when it reads, every reply is there, in order.
func TestEventLoopSlowReader(t *testing.T) {
	s := Start(t)
	value := strings.Repeat("x", 1<<20)
	setup := Dial(t, s.Addr())
	if got := setup.Do("SET", "big", value); got != Status("OK") {
		t.Fatalf("SET: %q", got)
	}
	slow := Dial(t, s.Addr())
	const n = 64 // 64 MiB of replies: more than loopback's socket buffers can hold (4 + 32 MiB here)
	var pipeline strings.Builder
	for i := 0; i < n; i++ {
		pipeline.WriteString(EncodeCommand("GET", "big"))
		pipeline.WriteString(EncodeCommand("ECHO", strconv.Itoa(i)))
	}
	slow.Write(pipeline.String())

	other := Dial(t, s.Addr())
	for i := 0; i < 20; i++ {
		k := "k" + strconv.Itoa(i)
		// A loop that waited on the slow client's write would never
		// answer; the bound only has to outlast building its 64 MiB of
		// replies, which under the race detector on a loaded CI machine
		// once took more than 5 s.
		if got, err := replyWithin(other, 30*time.Second, "SET", k, "v"); err != nil || got != Status("OK") {
			t.Fatalf("another client, while one is not reading: %q, %v", got, err)
		}
	}
	for i := 0; i < n; i++ {
		if got := slow.Read(); got != Bulk(value) {
			t.Fatalf("reply %d: %d bytes, want the 1 MiB value", 2*i, len(got))
		}
		if got := slow.Read(); got != Bulk(strconv.Itoa(i)) {
			t.Fatalf("reply %d: %q", 2*i+1, got)
		}
	}
	if got := slow.Do("PING"); got != Status("PONG") {
		t.Fatalf("after the backlog: %q", got)
	}
}

// replyWithin sends one command and waits at most d for its reply.
func replyWithin(c *Conn, d time.Duration, args ...string) (string, error) {
	c.Send(args...)
	return c.ReadErr(d)
}

// Requests that arrive a byte at a time are framed across the loop's
// reads, and answered in order.
func TestEventLoopSplitRequests(t *testing.T) {
	s := Start(t)
	r := Dial(t, s.Addr())
	c := Dial(t, s.Addr())
	raw := EncodeCommand("SET", "split", "a b c") + "ECHO inline\r\n" + EncodeCommand("GET", "split")
	for i := 0; i < len(raw); i++ {
		r.Write(raw[i : i+1])
		time.Sleep(200 * time.Microsecond)
	}
	for _, want := range []string{Status("OK"), Bulk("inline"), Bulk("a b c")} {
		if got := r.Read(); got != want {
			t.Fatalf("got %q, want %q", got, want)
		}
	}
	if got := c.Do("GET", "split"); got != Bulk("a b c") {
		t.Fatalf("another client reads %q", got)
	}
}

// A blocking command in the middle of a pipeline moves its client out of
// the loop: the commands before it are answered, it waits without
// stalling anyone, and the client goes on after it.
func TestEventLoopBlockingHandOff(t *testing.T) {
	s := Start(t)
	worker := Dial(t, s.Addr())
	worker.Write(EncodeCommand("SET", "before", "1") + EncodeCommand("BLPOP", "jobs", "0") + EncodeCommand("GET", "before"))
	if got := worker.Read(); got != Status("OK") {
		t.Fatalf("SET before BLPOP: %q", got)
	}
	producer := Dial(t, s.Addr())
	for i := 0; i < 10; i++ { // the loop still serves others
		if got, err := replyWithin(producer, time.Second, "INCR", "n"); err != nil || got != Int(int64(i+1)) {
			t.Fatalf("INCR while a client blocks: %q, %v", got, err)
		}
	}
	if got := producer.Do("RPUSH", "jobs", "job1"); got != Int(1) {
		t.Fatalf("RPUSH: %q", got)
	}
	if got := worker.Read(); got != Bulks("jobs", "job1") {
		t.Fatalf("BLPOP: %q", got)
	}
	if got := worker.Read(); got != Bulk("1") {
		t.Fatalf("GET after BLPOP: %q", got)
	}
	if got := worker.Do("BLPOP", "jobs", "0.05"); got != "*-1\r\n" {
		t.Fatalf("BLPOP timing out: %q", got)
	}
}

// CLIENT KILL ends a loop client's connection at once, and the server
// forgets it.
func TestEventLoopKill(t *testing.T) {
	s := Start(t)
	victim := Dial(t, s.Addr())
	id := strings.TrimSuffix(strings.TrimPrefix(victim.Do("CLIENT", "ID"), ":"), "\r\n")
	admin := Dial(t, s.Addr())
	if got := admin.Do("CLIENT", "KILL", "ID", id); got != Int(1) {
		t.Fatalf("CLIENT KILL: %q", got)
	}
	if _, err := victim.ReadErr(2 * time.Second); err == nil || isTimeout(err) {
		t.Fatalf("killed client's read: %v, want end of stream", err)
	}
	deadline := time.Now().Add(2 * time.Second)
	for strings.Contains(admin.Do("CLIENT", "LIST"), "id="+id+" ") {
		if time.Now().After(deadline) {
			t.Fatal("CLIENT LIST still shows the killed client")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}

// Close returns while loop clients are connected, idle or halfway
// through a request, and they see the connection end.
func TestEventLoopCloseWithClients(t *testing.T) {
	s := Start(t)
	idle := Dial(t, s.Addr())
	idle.Do("PING")
	partial := Dial(t, s.Addr())
	partial.Write("*2\r\n$3\r\nGET\r\n$10\r\nabc")
	done := make(chan error, 1)
	go func() { done <- s.Close() }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close hangs with event loop clients connected")
	}
	for _, c := range []*Conn{idle, partial} {
		if _, err := c.ReadErr(2 * time.Second); err == nil || isTimeout(err) {
			t.Fatalf("client of a closed server: %v, want end of stream", err)
		}
	}
}

// With io-threads 3 the clients are spread over three loops sharing one
// keyspace: concurrent increments from all of them add up, and a client
// of one loop wakes a blocked client that came from another.
func TestEventLoopsShareTheKeyspace(t *testing.T) {
	s := Start(t, WithConfig(func(c *server.Config) { c.IOThreads = 3 }))
	const clients, incrs = 12, 200
	waiter := Dial(t, s.Addr())
	waiter.Send("BRPOP", "done", "10")
	var wg sync.WaitGroup
	for i := 0; i < clients; i++ {
		c := Dial(t, s.Addr())
		wg.Add(1)
		go func() {
			defer wg.Done()
			var pipeline strings.Builder
			for j := 0; j < incrs; j++ {
				pipeline.WriteString(EncodeCommand("INCR", "n"))
			}
			c.Write(pipeline.String())
			for j := 0; j < incrs; j++ {
				if got := c.Read(); !strings.HasPrefix(got, ":") {
					t.Errorf("INCR: %q", got)
					return
				}
			}
		}()
	}
	wg.Wait()
	last := Dial(t, s.Addr())
	if got := last.Do("GET", "n"); got != Bulk(strconv.Itoa(clients*incrs)) {
		t.Fatalf("GET n = %q, want %d", got, clients*incrs)
	}
	last.Do("LPUSH", "done", "yes")
	if got := waiter.Read(); got != Bulks("done", "yes") {
		t.Fatalf("BRPOP = %q", got)
	}
}

// A loop client that pipelines SSUBSCRIBE (which hands it off the loop,
// as SUBSCRIBE does): the replies before and after it come in order,
// messages arrive while it idles, and its later commands still run.
func TestEventLoopShardSubscriber(t *testing.T) {
	s := Start(t)
	sub := Dial(t, s.Addr())
	sub.Write(EncodeCommand("SET", "k", "v") + EncodeCommand("SSUBSCRIBE", "ch") + EncodeCommand("PING"))
	for _, want := range []string{Status("OK"), "*3\r\n" + Bulk("ssubscribe") + Bulk("ch") + Int(1), Bulks("pong", "")} {
		if got := sub.Read(); got != want {
			t.Fatalf("got %q, want %q", got, want)
		}
	}
	pub := Dial(t, s.Addr())
	for i := range 5 {
		if got, err := replyWithin(pub, time.Second, "SPUBLISH", "ch", strconv.Itoa(i)); err != nil || got != Int(1) {
			t.Fatalf("SPUBLISH: %q, %v", got, err)
		}
		if got, err := sub.ReadErr(time.Second); err != nil || got != Bulks("smessage", "ch", strconv.Itoa(i)) {
			t.Fatalf("message %d: %q, %v", i, got, err)
		}
	}
	if got, err := replyWithin(sub, time.Second, "SUNSUBSCRIBE"); err != nil || got != "*3\r\n"+Bulk("sunsubscribe")+Bulk("ch")+Int(0) {
		t.Fatalf("SUNSUBSCRIBE: %q, %v", got, err)
	}
	if got, err := replyWithin(sub, time.Second, "GET", "k"); err != nil || got != Bulk("v") {
		t.Fatalf("GET after SUNSUBSCRIBE: %q, %v", got, err)
	}
}
