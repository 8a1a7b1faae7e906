package servertest

import (
	"testing"
	"time"

	"github.com/cairn-db/cairn/server"
)

// WaitTimeout is how long the Wait helpers poll before failing the test.
const WaitTimeout = 5 * time.Second

// WaitBlocked waits until exactly n clients are blocked (BLPOP, XREAD
// BLOCK, WAIT, CLIENT PAUSE…: INFO's blocked_clients), as Redis's own
// suite uses wait_for_blocked_clients_count, and fails the test after
// WaitTimeout. Once it returns, a write serves the blocked clients: no
// sleep is needed between starting a consumer and producing for it.
func WaitBlocked(t testing.TB, srv *server.Server, n int) {
	t.Helper()
	waitFor(t, "blocked clients", n, srv.BlockedClients, WaitTimeout)
}

// WaitConnected waits until exactly n clients are connected (INFO's
// connected_clients), and fails the test after WaitTimeout.
func WaitConnected(t testing.TB, srv *server.Server, n int) {
	t.Helper()
	waitFor(t, "connected clients", n, srv.ConnectedClients, WaitTimeout)
}

// Do runs one command in process (server.Server.Do) and returns its
// reply, failing the test on an error reply: for seeding data and
// checking it in one line.
func Do(t testing.TB, srv *server.Server, args ...string) any {
	t.Helper()
	v, err := srv.Do(args...)
	if err != nil {
		t.Fatalf("servertest: %q: %v", args, err)
	}
	return v
}

// waitFor polls get until it returns want, for at most timeout.
func waitFor(t testing.TB, what string, want int, get func() int, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for wait := 100 * time.Microsecond; ; wait = min(2*wait, 10*time.Millisecond) {
		got := get()
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("servertest: %d %s after %v, want %d", got, what, timeout, want)
		}
		time.Sleep(wait)
	}
}
