package server_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cairn-db/cairn/server"
)

// errLoading is Redis's reply to a command it refuses while loading.
const errLoading = "LOADING Redis is loading the dataset in memory"

// TestConfigSetWhileLoading: while the store loads (under the keyspace
// lock, slowed by key-load-delay), CONFIG SET changes settings at once,
// as in Redis, but for the ones Redis refuses while loading (dir,
// appendonly), which answer LOADING; the maxmemory settings given
// meanwhile are the ones in force once the data is loaded.
func TestConfigSetWhileLoading(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	first, err := server.Start(server.Config{Engine: "pebble", Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	seed := redis.NewClient(&redis.Options{Addr: first.Addr()})
	const keys = 1500
	value := strings.Repeat("v", 1000)
	pipe := seed.Pipeline()
	for i := range keys {
		pipe.Set(ctx, fmt.Sprint("key:", i), value, 0)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	seed.Close()
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}

	cfg := server.Config{Engine: "pebble", Dir: dir, LoadInBackground: true}
	for name, v := range map[string]string{"key-load-delay": "1000", "enable-protected-configs": "yes"} {
		if err := cfg.Set(name, v); err != nil { // the load takes 1.5 s or more
			t.Fatal(err)
		}
	}
	s, err := server.Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rdb := redis.NewClient(&redis.Options{Addr: s.Addr(), MaxRetries: -1})
	defer rdb.Close()
	stillLoading := func(when string) {
		t.Helper()
		info, err := rdb.Info(ctx, "persistence").Result()
		if err != nil || !strings.Contains(info, "loading:1\r\n") {
			t.Fatalf("%s: INFO = %q, %v; want loading:1 (the load ended too soon for the test)", when, info, err)
		}
	}
	stillLoading("before CONFIG SET")
	if err := rdb.ConfigSet(ctx, "maxmemory", "1mb").Err(); err != nil {
		t.Errorf("CONFIG SET maxmemory while loading: %v", err)
	}
	if err := rdb.Do(ctx, "config", "set", "maxmemory-policy", "allkeys-lfu", "loglevel", "debug").Err(); err != nil {
		t.Errorf("CONFIG SET maxmemory-policy loglevel while loading: %v", err)
	}
	for _, args := range [][]any{{"dir", dir}, {"appendonly", "yes"}, {"loglevel", "notice", "appendonly", "no"}} {
		err := rdb.Do(ctx, append([]any{"config", "set"}, args...)...).Err()
		if err == nil || err.Error() != errLoading {
			t.Errorf("CONFIG SET %v while loading: %v, want %q", args, err, errLoading)
		}
	}
	if err := rdb.Do(ctx, "config", "resetstat").Err(); err != nil {
		t.Errorf("CONFIG RESETSTAT while loading: %v", err)
	}
	if v, err := rdb.ConfigGet(ctx, "loglevel").Result(); err != nil || v["loglevel"] != "debug" {
		t.Errorf("CONFIG GET loglevel while loading = %v, %v; want debug (the failed CONFIG SET changes nothing)", v, err)
	}
	stillLoading("after CONFIG SET")

	deadline := time.Now().Add(30 * time.Second)
	for rdb.Ping(ctx).Err() != nil && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	// Nothing is evicted while loading; the first write evicts down to
	// the limit, under the policy set meanwhile.
	if err := rdb.Set(ctx, "after", "load", 0).Err(); err != nil {
		t.Fatalf("SET after loading: %v", err)
	}
	info, err := rdb.Info(ctx, "memory", "stats").Result()
	if err != nil {
		t.Fatal(err)
	}
	used, evicted := infoField(info, "used_memory"), infoField(info, "evicted_keys")
	if n, _ := strconv.Atoi(used); n == 0 || n > 1<<20 {
		t.Errorf("used_memory after loading = %s, want at most maxmemory 1mb", used)
	}
	if n, _ := strconv.Atoi(evicted); n == 0 {
		t.Errorf("evicted_keys after loading = %s, want the keys over 1mb evicted", evicted)
	}
	if infoField(info, "maxmemory_policy") != "allkeys-lfu" {
		t.Errorf("maxmemory_policy = %q, want allkeys-lfu", infoField(info, "maxmemory_policy"))
	}
	// OBJECT FREQ answers only under an LFU policy.
	if _, err := rdb.ObjectFreq(ctx, "after").Result(); err != nil {
		t.Errorf("OBJECT FREQ after loading: %v (the LFU policy set while loading is not in force)", err)
	}
}
