package integration

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cairn-db/cairn/server"
	"github.com/cairn-db/cairn/server/servertest"
)

var ctx = context.Background()

// newClient returns a go-redis client with its default options (RESP3,
// negotiated with HELLO 3), closed at the end of the test.
func newClient(t *testing.T, addr string) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: addr})
	t.Cleanup(func() { c.Close() })
	return c
}

func TestGoRedisStrings(t *testing.T) {
	rdb := newClient(t, servertest.Start(t).Addr())
	if err := rdb.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if v, err := rdb.Get(ctx, "k").Result(); err != nil || v != "v" {
		t.Fatalf("GET = %q, %v", v, err)
	}
	if _, err := rdb.Get(ctx, "missing").Result(); err != redis.Nil {
		t.Fatalf("GET missing: err = %v, want redis.Nil", err)
	}
	if n, err := rdb.Incr(ctx, "n").Result(); err != nil || n != 1 {
		t.Fatalf("INCR = %d, %v", n, err)
	}
	if f, err := rdb.IncrByFloat(ctx, "f", 0.1).Result(); err != nil || f != 0.1 {
		t.Fatalf("INCRBYFLOAT = %v, %v", f, err)
	}
	ok, err := rdb.SetNX(ctx, "k", "other", 0).Result()
	if err != nil || ok {
		t.Fatalf("SETNX on existing key = %v, %v", ok, err)
	}
	err = rdb.Do(ctx, "INCR", "k").Err()
	if err == nil || err.Error() != "ERR value is not an integer or out of range" {
		t.Fatalf("INCR on text: %v", err)
	}
}

func TestGoRedisTTLWithManualClock(t *testing.T) {
	clock := servertest.NewClock()
	srv := servertest.Start(t, servertest.WithClock(clock))
	rdb := newClient(t, srv.Addr())
	rdb.Set(ctx, "session", "x", 10*time.Second)
	rdb.Set(ctx, "forever", "y", 0)
	if ttl := rdb.TTL(ctx, "session").Val(); ttl != 10*time.Second {
		t.Fatalf("TTL = %v, want 10s", ttl)
	}
	clock.FastForward(9 * time.Second)
	if v := rdb.Get(ctx, "session").Val(); v != "x" {
		t.Fatalf("after 9s GET = %q, want x", v)
	}
	clock.FastForward(time.Second)
	if err := rdb.Get(ctx, "session").Err(); err != redis.Nil {
		t.Fatalf("after 10s GET err = %v, want redis.Nil", err)
	}
	// Active expiry reclaims keys nobody reads again: DBSIZE drops too.
	for i := 0; i < 100; i++ {
		rdb.Set(ctx, fmt.Sprintf("tmp:%d", i), "v", time.Minute)
	}
	if n := rdb.DBSize(ctx).Val(); n != 101 {
		t.Fatalf("DBSIZE = %d, want 101", n)
	}
	clock.FastForward(time.Minute)
	if n := rdb.DBSize(ctx).Val(); n != 1 {
		t.Fatalf("DBSIZE after expiry = %d, want 1", n)
	}
	if v, _ := rdb.Info(ctx, "stats").Result(); !containsLine(v, "expired_keys:101") {
		t.Fatalf("INFO stats does not count 101 expired keys:\n%s", v)
	}
}

func TestGoRedisPipelineAndBulkSeed(t *testing.T) {
	rdb := newClient(t, servertest.Start(t).Addr())
	const n = 20000
	pipe := rdb.Pipeline()
	for i := 0; i < n; i += 500 {
		args := make([]any, 0, 1000)
		for j := i; j < i+500; j++ {
			args = append(args, fmt.Sprintf("rate:%05d", j), fmt.Sprintf("value-%d", j))
		}
		pipe.MSet(ctx, args...)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if got := rdb.DBSize(ctx).Val(); got != n {
		t.Fatalf("DBSIZE = %d, want %d", got, n)
	}
	keys := make([]string, 0, n)
	for i := 0; i < n; i++ {
		keys = append(keys, fmt.Sprintf("rate:%05d", i))
	}
	vals, err := rdb.MGet(ctx, keys...).Result()
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range vals {
		if v != fmt.Sprintf("value-%d", i) {
			t.Fatalf("MGET[%d] = %v", i, v)
		}
	}
}

// TestScanGuarantee checks SCAN's promise: a key present for the whole
// iteration is returned, however many keys are added and deleted meanwhile.
func TestScanGuarantee(t *testing.T) {
	rdb := newClient(t, servertest.Start(t).Addr())
	const stable = 5000
	for i := 0; i < stable; i++ {
		rdb.Set(ctx, fmt.Sprintf("stable:%d", i), "v", 0)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		w := newClient(t, rdb.Options().Addr)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			w.Set(ctx, fmt.Sprintf("churn:%d", i), "v", 0)
			if i%2 == 1 {
				w.Del(ctx, fmt.Sprintf("churn:%d", i-1))
			}
		}
	}()
	seen := map[string]bool{}
	var cursor uint64
	for {
		keys, next, err := rdb.Scan(ctx, cursor, "", 50).Result()
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range keys {
			seen[k] = true
		}
		if cursor = next; cursor == 0 {
			break
		}
	}
	close(stop)
	wg.Wait()
	for i := 0; i < stable; i++ {
		if k := fmt.Sprintf("stable:%d", i); !seen[k] {
			t.Fatalf("SCAN missed %s, present for the whole iteration", k)
		}
	}
}

// TestTwoServersInOneProcess: no global state, so servers are independent.
func TestTwoServersInOneProcess(t *testing.T) {
	a := newClient(t, servertest.Start(t).Addr())
	b := newClient(t, servertest.Start(t).Addr())
	a.Set(ctx, "k", "a", 0)
	b.Set(ctx, "k", "b", 0)
	if a.Get(ctx, "k").Val() != "a" || b.Get(ctx, "k").Val() != "b" {
		t.Fatal("servers share data")
	}
}

// TestCloseWithClientsConnected: Close returns promptly with busy clients.
func TestCloseWithClientsConnected(t *testing.T) {
	srv, err := server.Start(server.Config{})
	if err != nil {
		t.Fatal(err)
	}
	var clients []*redis.Client
	for i := 0; i < 10; i++ {
		c := redis.NewClient(&redis.Options{Addr: srv.Addr(), MaxRetries: -1})
		defer c.Close()
		c.Ping(ctx)
		clients = append(clients, c)
	}
	done := make(chan error)
	go func() { done <- srv.Close() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return within 5s")
	}
	if err := clients[0].Ping(ctx).Err(); err == nil {
		t.Fatal("PING succeeded after Close")
	}
}

func containsLine(text, line string) bool {
	for _, l := range splitLines(text) {
		if l == line {
			return true
		}
	}
	return false
}

func splitLines(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			out = append(out, trimCR(s[start:i]))
			start = i + 1
		}
	}
	return append(out, trimCR(s[start:]))
}

func trimCR(s string) string {
	if len(s) > 0 && s[len(s)-1] == '\r' {
		return s[:len(s)-1]
	}
	return s
}
