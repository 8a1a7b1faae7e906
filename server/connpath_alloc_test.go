//go:build linux

package server_test

import (
	"io"
	"net"
	"runtime"
	"strings"
	"testing"

	. "github.com/cairn-db/cairn/server/servertest"
)

// TestConnectionPathAllocations: once a connection has warmed up, a
// pipelined SET or GET allocates nothing anywhere in the server — the
// event loop's read, the request reader, the dispatcher, the store and the
// reply's write. (TestHotPathAllocations covers the dispatcher alone.) The
// race detector's build, the suite's, makes the reader allocate its two
// buffers afresh for every other batch (see protocol's poisonReused), so
// there a batch may cost one of them on average.
func TestConnectionPathAllocations(t *testing.T) {
	s := Start(t)
	nc, err := net.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	const pairs = 8 // a batch of 16 commands
	batch := []byte(strings.Repeat(EncodeCommand("SET", "key:000001", "value")+EncodeCommand("GET", "key:000001"), pairs))
	want := strings.Repeat("+OK\r\n$5\r\nvalue\r\n", pairs)
	got := make([]byte, len(want))
	roundTrip := func() {
		if _, err := nc.Write(batch); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(nc, got); err != nil {
			t.Fatal(err)
		}
	}
	for range 500 {
		roundTrip()
	}
	if string(got) != want {
		t.Fatalf("replies %q, want %q", got, want)
	}
	const rounds = 2000
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range rounds {
		roundTrip()
	}
	runtime.ReadMemStats(&after)
	// The server's timers and the test's own goroutine allocate now and
	// then; a tenth of an allocation per batch leaves room for them, and
	// one allocation per command would be sixteen.
	allowed := 0.1
	if raceEnabled {
		allowed++
	}
	if perBatch := float64(after.Mallocs-before.Mallocs) / rounds; perBatch > allowed {
		t.Errorf("%.2f allocations per batch of %d commands, want at most %.1f", perBatch, 2*pairs, allowed)
	}
}
