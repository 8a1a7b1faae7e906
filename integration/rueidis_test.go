package integration

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/rueidis"

	"github.com/cairn-db/cairn/server/servertest"
)

// TestRueidisClientSideCache drives the server with rueidis, whose
// connections send CLIENT TRACKING ON OPTIN (RESP3) unless caching is
// disabled: a cached GET is served from the client's memory until a write
// by another client invalidates it, and the next DoCache GET fetches the
// new value.
func TestRueidisClientSideCache(t *testing.T) {
	srv := servertest.Start(t)
	client, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: []string{srv.Addr()}, DisableRetry: true})
	if err != nil {
		t.Fatalf("rueidis: %v", err)
	}
	t.Cleanup(client.Close)
	other := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	t.Cleanup(func() { other.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	if err := other.Set(ctx, "k", "v1", 0).Err(); err != nil {
		t.Fatal(err)
	}
	get := func() rueidis.RedisResult {
		return client.DoCache(ctx, client.B().Get().Key("k").Cache(), time.Minute)
	}
	first := get()
	if v, err := first.ToString(); err != nil || v != "v1" {
		t.Fatalf("first DoCache GET: %q %v", v, err)
	}
	if first.IsCacheHit() {
		t.Fatal("first GET was a cache hit")
	}
	second := get()
	if v, _ := second.ToString(); v != "v1" || !second.IsCacheHit() {
		t.Fatalf("second GET: %q, cache hit %v; want v1 from the cache", v, second.IsCacheHit())
	}

	if err := other.Set(ctx, "k", "v2", 0).Err(); err != nil {
		t.Fatal(err)
	}
	// The invalidation is a push on rueidis's connection: it arrives
	// shortly after the write's reply.
	deadline := time.Now().Add(5 * time.Second)
	for {
		r := get()
		v, err := r.ToString()
		if err != nil {
			t.Fatalf("GET after write: %v", err)
		}
		if v == "v2" {
			if r.IsCacheHit() {
				// Fetched after the invalidation, then cached: only a
				// second call could hit, so this one must be a miss.
				t.Fatal("new value reported as a cache hit on first read")
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("DoCache still returns %q after the write", v)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if r := get(); !r.IsCacheHit() {
		t.Fatal("value not cached again after the invalidation")
	}

	// Deleting the key invalidates too; a missing key is cached as nil.
	if err := other.Del(ctx, "k").Err(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if rueidis.IsRedisNil(get().Error()) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("DoCache still returns a value after DEL")
		}
	}
}
