package integration

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cairn-db/cairn/server"
	"github.com/cairn-db/cairn/server/servertest"
)

// infoInt reads one integer field of INFO.
func infoInt(t *testing.T, rdb *redis.Client, field string) int64 {
	t.Helper()
	info, err := rdb.Info(ctx, "all").Result()
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range splitLines(info) {
		if v, ok := strings.CutPrefix(trimCR(line), field+":"); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				t.Fatalf("INFO %s = %q", field, v)
			}
			return n
		}
	}
	t.Fatalf("INFO has no %s", field)
	return 0
}

func withMaxMemory(max int64, policy string) servertest.Option {
	return servertest.WithConfig(func(c *server.Config) {
		c.MaxMemory = max
		c.MaxMemoryPolicy = policy
	})
}

// TestMaxMemoryEvictsAndStaysUnderCap writes ten times maxmemory with
// go-redis: used_memory stays at the cap and keys are evicted.
func TestMaxMemoryEvictsAndStaysUnderCap(t *testing.T) {
	const max = 1 << 20
	for _, policy := range []string{"allkeys-lru", "allkeys-lfu", "allkeys-random"} {
		t.Run(policy, func(t *testing.T) {
			rdb := newClient(t, servertest.Start(t, withMaxMemory(max, policy)).Addr())
			val := strings.Repeat("v", 200)
			peak := int64(0)
			for i := 0; i < 10*max/300; i++ {
				if err := rdb.Set(ctx, fmt.Sprintf("key:%d", i), val, 0).Err(); err != nil {
					t.Fatalf("SET %d: %v", i, err)
				}
				if i%1000 == 0 {
					peak = max64(peak, infoInt(t, rdb, "used_memory"))
				}
			}
			used := infoInt(t, rdb, "used_memory")
			// Eviction runs before each command, so one command's growth
			// may be over the cap until the next one.
			if limit := int64(max + 1024); used > limit || peak > limit {
				t.Fatalf("used_memory %d (peak sampled %d) over maxmemory %d", used, peak, max)
			}
			if used < max*8/10 {
				t.Fatalf("used_memory %d: eviction freed far more than needed", used)
			}
			if n := infoInt(t, rdb, "evicted_keys"); n < 20000 {
				t.Fatalf("evicted_keys = %d after writing 10x maxmemory", n)
			}
			if n := rdb.DBSize(ctx).Val(); n > max/300 {
				t.Fatalf("DBSIZE %d: more keys than fit", n)
			}
		})
	}
}

// TestMaxMemoryLRUKeepsRecentlyRead: with allkeys-lru, keys read while
// others are written survive.
func TestMaxMemoryLRUKeepsRecentlyRead(t *testing.T) {
	clock := servertest.NewClock()
	srv := servertest.Start(t, servertest.WithClock(clock), withMaxMemory(1<<20, "allkeys-lru"),
		servertest.WithConfig(func(c *server.Config) { c.MaxMemorySamples = 10 }))
	rdb := newClient(t, srv.Addr())
	val := strings.Repeat("v", 200)
	for i := 0; i < 3000; i++ {
		rdb.Set(ctx, fmt.Sprintf("cold:%d", i), val, 0)
	}
	for round := 0; round < 5; round++ {
		clock.FastForward(5 * time.Second)
		for i := 0; i < 100; i++ {
			if err := rdb.Get(ctx, fmt.Sprintf("hot:%d", i)).Err(); err != nil && round > 0 {
				t.Fatalf("round %d: hot:%d: %v", round, i, err)
			}
			if round == 0 {
				rdb.Set(ctx, fmt.Sprintf("hot:%d", i), val, 0)
			}
		}
		clock.FastForward(time.Second)
		for i := 0; i < 1500; i++ {
			rdb.Set(ctx, fmt.Sprintf("new:%d:%d", round, i), val, 0)
		}
	}
	if infoInt(t, rdb, "evicted_keys") < 5000 {
		t.Fatal("too few evictions for the test to mean anything")
	}
}

// TestMaxMemoryVolatileEvictsOnlyTTLKeys: volatile-lru never evicts keys
// without a TTL; once only those are left, writes get OOM.
func TestMaxMemoryVolatileEvictsOnlyTTLKeys(t *testing.T) {
	rdb := newClient(t, servertest.Start(t, withMaxMemory(1<<20, "volatile-lru")).Addr())
	val := strings.Repeat("v", 200)
	for i := 0; i < 2000; i++ {
		rdb.Set(ctx, fmt.Sprintf("keep:%d", i), val, 0)
	}
	var oom error
	for i := 0; i < 5000 && oom == nil; i++ {
		oom = rdb.Set(ctx, fmt.Sprintf("ttl:%d", i), val, time.Hour).Err()
	}
	for i := 0; i < 5000 && oom == nil; i++ {
		oom = rdb.Set(ctx, fmt.Sprintf("plain:%d", i), val, 0).Err()
	}
	if oom == nil || oom.Error() != "OOM command not allowed when used memory > 'maxmemory'." {
		t.Fatalf("writing past maxmemory with no TTL keys left: %v, want OOM", oom)
	}
	for i := 0; i < 2000; i++ {
		if rdb.Exists(ctx, fmt.Sprintf("keep:%d", i)).Val() != 1 {
			t.Fatalf("keep:%d has no TTL but was evicted", i)
		}
	}
	if n := infoInt(t, rdb, "evicted_keys"); n == 0 {
		t.Fatal("no TTL key was evicted")
	}
	// Reads and deletes still work when over the limit.
	if err := rdb.Get(ctx, "keep:1").Err(); err != nil {
		t.Fatalf("GET over maxmemory: %v", err)
	}
	if err := rdb.Del(ctx, "keep:1").Err(); err != nil {
		t.Fatalf("DEL over maxmemory: %v", err)
	}
}

// TestMaxMemoryNoEviction: writes that grow memory are refused with OOM,
// until CONFIG SET raises the limit.
func TestMaxMemoryNoEviction(t *testing.T) {
	rdb := newClient(t, servertest.Start(t, withMaxMemory(100<<10, "noeviction")).Addr())
	val := strings.Repeat("v", 200)
	var err error
	i := 0
	for ; i < 10000 && err == nil; i++ {
		err = rdb.Set(ctx, fmt.Sprintf("key:%d", i), val, 0).Err()
	}
	if err == nil || err.Error() != "OOM command not allowed when used memory > 'maxmemory'." {
		t.Fatalf("SET past maxmemory under noeviction: %v", err)
	}
	if infoInt(t, rdb, "evicted_keys") != 0 {
		t.Fatal("noeviction evicted keys")
	}
	if err := rdb.Get(ctx, "key:0").Err(); err != nil {
		t.Fatalf("GET under OOM: %v", err)
	}
	if err := rdb.ConfigSet(ctx, "maxmemory", "10mb").Err(); err != nil {
		t.Fatal(err)
	}
	if err := rdb.Set(ctx, "after", val, 0).Err(); err != nil {
		t.Fatalf("SET after raising maxmemory: %v", err)
	}
}

// TestMaxMemoryConfigAndObjectFreq: the settings round-trip through
// CONFIG, OBJECT FREQ answers under LFU, OBJECT IDLETIME does not.
func TestMaxMemoryConfigAndObjectFreq(t *testing.T) {
	rdb := newClient(t, servertest.Start(t).Addr())
	for _, kv := range [][2]string{{"maxmemory", "100mb"}, {"maxmemory-policy", "allkeys-lfu"}, {"maxmemory-samples", "10"}, {"lfu-log-factor", "0"}, {"lfu-decay-time", "0"}} {
		if err := rdb.ConfigSet(ctx, kv[0], kv[1]).Err(); err != nil {
			t.Fatalf("CONFIG SET %s %s: %v", kv[0], kv[1], err)
		}
	}
	if v := rdb.ConfigGet(ctx, "maxmemory").Val()["maxmemory"]; v != "104857600" {
		t.Fatalf("CONFIG GET maxmemory = %q", v)
	}
	if infoInt(t, rdb, "maxmemory") != 100<<20 {
		t.Fatal("INFO maxmemory does not follow CONFIG SET")
	}
	rdb.Set(ctx, "k", "v", 0)
	if f := rdb.ObjectFreq(ctx, "k").Val(); f != 5 {
		t.Fatalf("OBJECT FREQ of a new key = %d, want 5", f)
	}
	for range 10 {
		rdb.Get(ctx, "k")
	}
	// lfu-log-factor 0: every access increments.
	if f := rdb.ObjectFreq(ctx, "k").Val(); f != 15 {
		t.Fatalf("OBJECT FREQ after 10 reads with lfu-log-factor 0 = %d, want 15", f)
	}
	if err := rdb.ObjectIdleTime(ctx, "k").Err(); err == nil || !strings.HasPrefix(err.Error(), "ERR An LFU maxmemory policy is selected") {
		t.Fatalf("OBJECT IDLETIME under LFU: %v", err)
	}
	err := rdb.ConfigSet(ctx, "maxmemory-policy", "bogus").Err()
	if err == nil || !strings.Contains(err.Error(), "argument(s) must be one of the following") {
		t.Fatalf("CONFIG SET maxmemory-policy bogus: %v", err)
	}
}

func max64(a, b int64) int64 {
	if a > b {
		return a
	}
	return b
}

// TestMaxMemoryInMulti: under noeviction any command queued while over
// maxmemory is refused and EXEC aborts, reads too, as redis-server 7.0
// does (queueing takes memory); outside MULTI reads still run.
func TestMaxMemoryInMulti(t *testing.T) {
	rdb := newClient(t, servertest.Start(t, withMaxMemory(100<<10, "noeviction")).Addr())
	val := strings.Repeat("v", 200)
	for i := 0; i < 10000; i++ {
		if rdb.Set(ctx, fmt.Sprintf("key:%d", i), val, 0).Err() != nil {
			break
		}
	}
	_, err := rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Get(ctx, "key:0")
		p.Set(ctx, "more", val, 0)
		return nil
	})
	if err == nil || !strings.HasPrefix(err.Error(), "EXECABORT") {
		t.Fatalf("MULTI with a SET over maxmemory: %v, want EXECABORT", err)
	}
	_, err = rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Get(ctx, "key:0")
		return nil
	})
	if err == nil || !strings.HasPrefix(err.Error(), "EXECABORT") {
		t.Fatalf("read-only MULTI over maxmemory: %v, want EXECABORT", err)
	}
	if got, err := rdb.Get(ctx, "key:0").Result(); err != nil || got != val {
		t.Fatalf("GET over maxmemory: %q, %v", got, err)
	}
}
