package integration

import (
	"fmt"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/cairn-db/cairn/server/servertest"
)

// TestHyperLogLogMatchesRedis adds the same 100k distinct elements to
// Cairn and to redis-server, in batches, and checks after each batch that
// PFCOUNT and the HyperLogLog's bytes (GET) are identical: through the
// sparse encoding, its promotion to dense, and dense. PFMERGE of sparse
// and dense keys and PFCOUNT of several keys are compared the same way.
func TestHyperLogLogMatchesRedis(t *testing.T) {
	both := sideBySide(t)
	const total, batch = 100_000, 500
	var seen int
	for n := 0; n < total; n += batch {
		args := []any{"pfadd", "big"}
		if n < 2000 {
			// Small batches while the key is sparse, to check every step.
			args = append(args, fmt.Sprintf("e%d", n))
			n += 1 - batch
		} else {
			for i := n; i < n+batch; i++ {
				args = append(args, fmt.Sprintf("e%d", i))
			}
		}
		both(args...)
		both("get", "big")
		both("pfcount", "big")
		both("get", "big") // the cached cardinality
		seen++
	}
	if seen < 2000 {
		t.Fatalf("only %d steps", seen)
	}

	// A second, small key with another sparse limit, merged both ways.
	both("config", "set", "hll-sparse-max-bytes", "200")
	for i := 0; i < 300; i++ {
		both("pfadd", "small", fmt.Sprintf("s%d", i), fmt.Sprintf("t%d", i))
		both("get", "small")
	}
	both("config", "set", "hll-sparse-max-bytes", "3000")
	for i := 0; i < 50; i++ {
		both("pfadd", "tiny", fmt.Sprintf("e%d", i*7))
	}
	both("pfmerge", "m1", "tiny")
	both("get", "m1")
	both("pfmerge", "m2", "tiny", "big")
	both("get", "m2")
	both("pfmerge", "tiny", "small")
	both("get", "tiny")
	both("pfcount", "tiny", "big", "small", "absent")
	both("pfcount", "m1", "m2")
	both("pfcount", "m2")
	both("get", "m2")
}

// sideBySide starts a redis-server of the test's own (HyperLogLog tests
// change its hll-sparse-max-bytes) and an embedded Cairn, and returns a
// function that sends one command to both and fails the test unless the
// replies match.
func sideBySide(t *testing.T) func(args ...any) {
	t.Helper()
	rs := ownRedis(t)
	real := redis.NewClient(&redis.Options{Addr: rs.addr, Protocol: 2})
	t.Cleanup(func() { real.Close() })
	cairn := redis.NewClient(&redis.Options{Addr: servertest.Start(t).Addr(), Protocol: 2})
	t.Cleanup(func() { cairn.Close() })
	return func(args ...any) {
		t.Helper()
		want, werr := real.Do(ctx, args...).Result()
		got, gerr := cairn.Do(ctx, args...).Result()
		if fmt.Sprint(want, werr) != fmt.Sprint(got, gerr) {
			t.Fatalf("%q: redis %q %v, cairn %q %v", args, want, werr, got, gerr)
		}
	}
}
