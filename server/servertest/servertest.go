// Package servertest starts Cairn servers inside Go tests, in the manner
// of net/http/httptest:
//
//	func TestCache(t *testing.T) {
//		clock := servertest.NewClock()
//		srv := servertest.Start(t, servertest.WithClock(clock))
//		rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
//		rdb.Set(ctx, "k", "v", time.Minute)
//		clock.FastForward(2 * time.Minute) // "k" has expired
//	}
//
// The server listens on a free loopback port, is the production server
// with the in-memory engine, and is closed by t.Cleanup.
package servertest

import (
	"testing"
	"time"

	"github.com/cairn-db/cairn/server"
	"github.com/cairn-db/cairn/store"
)

// Option configures a test server.
type Option func(*server.Config)

// Clock is a manual clock for TTL tests: time stands still until the test
// calls FastForward, which fires due timeouts and expires due keys before
// it returns.
type Clock = store.ManualClock

// NewClock returns a manual clock stopped at the current wall time.
func NewClock() *Clock { return store.NewManualClock(time.Now()) }

// WithClock makes the server read time from c.
func WithClock(c *Clock) Option {
	return func(cfg *server.Config) { cfg.Clock = c }
}

// WithConfig lets a test set any server setting.
func WithConfig(f func(*server.Config)) Option {
	return func(cfg *server.Config) { f(cfg) }
}

// Start starts a server on a free loopback port and registers its Close
// with t.Cleanup.
func Start(t testing.TB, opts ...Option) *server.Server {
	t.Helper()
	var cfg server.Config
	for _, o := range opts {
		o(&cfg)
	}
	srv, err := server.Start(cfg)
	if err != nil {
		t.Fatalf("servertest: start: %v", err)
	}
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Errorf("servertest: close: %v", err)
		}
	})
	return srv
}
