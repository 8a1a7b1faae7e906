package server

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cairn-db/cairn/store/pebblestore"
)

// TestLoadInBackground: a server that loads in the background listens at
// once and answers LOADING, as redis-server does, to every command that
// needs data — alone, pipelined, in MULTI — and to CONFIG SET appendonly,
// while INFO (loading:1), HELLO, CLIENT, CONFIG GET and the like run; once
// loaded it serves the data it was given.
func TestLoadInBackground(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	first, err := Start(Config{Engine: "pebble", Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	seed := redis.NewClient(&redis.Options{Addr: first.Addr()})
	if err := seed.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	seed.Close()
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}

	gate := make(chan struct{})
	s, err := Start(Config{Engine: "pebble", Dir: dir, LoadInBackground: true, loadGate: gate})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// MaxRetries -1: go-redis would otherwise retry a LOADING reply.
	rdb := redis.NewClient(&redis.Options{Addr: s.Addr(), MaxRetries: -1})
	defer rdb.Close()

	loading := func(what string, err error) {
		t.Helper()
		if err == nil || err.Error() != string(errLoading) {
			t.Errorf("%s while loading: %v, want %q", what, err, errLoading)
		}
	}
	loading("GET", rdb.Get(ctx, "k").Err())
	loading("PING", rdb.Ping(ctx).Err())
	loading("MULTI", rdb.Do(ctx, "multi").Err())
	loading("WATCH", rdb.Do(ctx, "watch", "k").Err())
	loading("CONFIG SET appendonly", rdb.ConfigSet(ctx, "appendonly", "yes").Err())
	cmds, _ := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.Get(ctx, "k")
		p.Set(ctx, "k2", "v2", 0)
		p.Incr(ctx, "n")
		return nil
	})
	for _, c := range cmds {
		loading("pipelined "+c.Name(), c.Err())
	}
	info, err := rdb.Info(ctx, "persistence", "keyspace").Result()
	if err != nil || !strings.Contains(info, "loading:1\r\n") || strings.Contains(info, "db0:") {
		t.Errorf("INFO while loading = %q, %v; want loading:1 and no keys", info, err)
	}
	for _, args := range [][]any{
		{"client", "setname", "loader"}, {"client", "id"}, {"command", "count"}, {"config", "get", "maxmemory"},
		{"select", "0"}, {"time"}, {"role"}, {"slowlog", "get"}, {"pubsub", "channels"}, {"lastsave"},
		{"acl", "whoami"}, {"info"}, {"hello", "2"},
	} {
		if err := rdb.Do(ctx, args...).Err(); err != nil {
			t.Errorf("%v while loading: %v", args, err)
		}
	}

	close(gate)
	deadline := time.Now().Add(10 * time.Second)
	for rdb.Ping(ctx).Err() != nil && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if v, err := rdb.Do(ctx, "get", "k").Text(); err != nil || v != "v" {
		t.Fatalf("GET k after loading = %q, %v; want v", v, err)
	}
	if info, _ := rdb.Info(ctx, "persistence").Result(); !strings.Contains(info, "loading:0\r\n") {
		t.Errorf("INFO after loading = %q, want loading:0", info)
	}
}

// TestLoadInBackgroundFailure: a data directory that cannot be loaded
// shuts a server loading in the background down, with the error as
// Close's, as Start would have returned it.
func TestLoadInBackgroundFailure(t *testing.T) {
	dir := t.TempDir()
	eng, err := pebblestore.Open(dir, pebblestore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	b := eng.NewBatch()
	b.Set([]byte("Xnot-cairn"), []byte("someone else's data"))
	if err := eng.Commit(b); err != nil {
		t.Fatal(err)
	}
	if err := eng.Close(); err != nil {
		t.Fatal(err)
	}
	s, err := Start(Config{Engine: "pebble", Dir: dir, LoadInBackground: true})
	if err != nil {
		t.Fatalf("Start: %v (a background load fails later)", err)
	}
	select {
	case <-s.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the server did not shut down after its load failed")
	}
	if err := s.Close(); err == nil || !strings.Contains(err.Error(), "unknown format") {
		t.Errorf("Close = %v, want the load's error", err)
	}
}
