package servertest_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cairn-db/cairn/server"
	"github.com/cairn-db/cairn/server/servertest"
)

func newClient(t *testing.T, srv *server.Server) *redis.Client {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr(), MaxRetries: -1, PoolSize: 4})
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

// TestProducerConsumer: the consumer's BRPOP is known to be waiting
// (WaitBlocked) before the producer pushes, with no sleep.
func TestProducerConsumer(t *testing.T) {
	ctx := context.Background()
	srv := servertest.Start(t)
	rdb := newClient(t, srv)
	got := make(chan []string, 1)
	go func() {
		v, err := rdb.BRPop(ctx, 5*time.Second, "jobs").Result()
		if err != nil {
			t.Error(err)
		}
		got <- v
	}()
	servertest.WaitBlocked(t, srv, 1)
	servertest.Do(t, srv, "LPUSH", "jobs", "j1")
	if v := <-got; len(v) != 2 || v[1] != "j1" {
		t.Fatalf("BRPOP got %q", v)
	}
	servertest.WaitBlocked(t, srv, 0)
}

// TestSyncPointCounters: the counters move as INFO's do.
func TestSyncPointCounters(t *testing.T) {
	ctx := context.Background()
	srv := servertest.Start(t)
	if n := srv.ConnectedClients(); n != 0 {
		t.Fatalf("connected at start: %d", n)
	}
	c := servertest.Dial(t, srv.Addr())
	servertest.WaitConnected(t, srv, 1)
	before := srv.CommandCount()
	c.Do("PING")
	c.Do("SET", "a", "1")
	if d := srv.CommandCount() - before; d != 2 {
		t.Errorf("CommandCount moved by %d, want 2", d)
	}
	rdb := newClient(t, srv)
	info := rdb.Info(ctx, "clients").Val()
	if !strings.Contains(info, "connected_clients:2\r\n") || srv.ConnectedClients() != 2 {
		t.Errorf("ConnectedClients %d; INFO:\n%s", srv.ConnectedClients(), info)
	}
	c.Close()
	servertest.WaitConnected(t, srv, 1)
}
