package server

import (
	"io"
	"net"
	"testing"

	"github.com/tidwall/redcon"

	"github.com/cairn-db/cairn/protocol"
	"github.com/cairn-db/cairn/store"
)

// fakeWaiter registers a waiter on key whose ServeFunc answers serve and
// counts its calls.
func fakeWaiter(t *testing.T, s *Server, id int64, key string, serve bool, calls *int) *waiter {
	a, b := net.Pipe()
	t.Cleanup(func() { a.Close(); b.Close() })
	w := &waiter{
		client: &Client{ID: id, netConn: a},
		keys:   []string{key},
		serve: func(tx *store.Tx, k []byte, out *protocol.Writer) bool {
			*calls++
			if serve {
				out.Int(id)
			}
			return serve
		},
		done: make(chan struct{}),
	}
	w.raw = redcon.NewWriter(io.Discard)
	w.out = protocol.NewWriter(w.raw)
	s.blocking.add(w, s.clock, 0)
	return w
}

// A waiter that declines does not hold up the ones behind it while the
// key exists; once the key is gone the round stops.
func TestServeKeySkipsDecliners(t *testing.T) {
	s, err := Start(Config{Port: 0})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var c1, c2, c3 int
	w1 := fakeWaiter(t, s, 1001, "k", false, &c1)
	w2 := fakeWaiter(t, s, 1002, "k", true, &c2)
	w3 := fakeWaiter(t, s, 1003, "k", true, &c3)
	s.store.Update(0, func(tx *store.Tx) error {
		tx.Set([]byte("k"), []byte("v"), store.SetOptions{})
		tx.MarkReady(0, "k")
		return nil
	})
	if w1.state != waitWaiting || w2.state != waitServed || w3.state != waitServed {
		t.Fatalf("states %d %d %d, want waiting, served, served", w1.state, w2.state, w3.state)
	}
	if string(w2.raw.Buffer()) != ":1002\r\n" {
		t.Fatalf("w2 reply %q", w2.raw.Buffer())
	}
	var c4 int
	w4 := fakeWaiter(t, s, 1004, "k", true, &c4)
	s.store.Update(0, func(tx *store.Tx) error {
		tx.Del([]byte("k"))
		tx.MarkReady(0, "k")
		return nil
	})
	if c1 != 2 || c4 != 0 || w4.state != waitWaiting {
		t.Fatalf("after the key went: decliner called %d times, next waiter %d times", c1, c4)
	}
	if n := s.blockedClients(); n != 2 {
		t.Fatalf("blocked clients = %d, want 2", n)
	}
	s.blocking.finish(w1, waitGone)
	s.blocking.finish(w4, waitGone)
}
