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
// with the in-memory engine (WithPebble for the durable one), and is
// closed by t.Cleanup.
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

// WithPebble runs the server on the durable Pebble engine in a fresh
// temporary directory (removed after the test) with the given
// appendfsync policy ("" for everysec). Use WithDir to reopen a
// directory across servers.
func WithPebble(appendfsync string) Option {
	return func(cfg *server.Config) {
		cfg.Engine = "pebble"
		cfg.AppendFsync = appendfsync
		if cfg.Dir == "" {
			cfg.Dir = tempDir()
		}
	}
}

// WithDir runs the server on the Pebble engine in dir, so that a test can
// stop a server and start another on the same data.
func WithDir(dir string) Option {
	return func(cfg *server.Config) {
		cfg.Engine = "pebble"
		cfg.Dir = dir
	}
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
	if cfg.Dir == tempMarker || cfg.Dir == "" {
		// Also for the memory engine, whose SAVE writes dump.rdb there:
		// never into the package's directory.
		cfg.Dir = t.TempDir()
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

// tempMarker stands for "a t.TempDir()" until Start has the test at hand.
const tempMarker = "\x00servertest-temp"

func tempDir() string { return tempMarker }
