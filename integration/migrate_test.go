package integration

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cairn-db/cairn/server/servertest"
)

// TestMigrateWithRedis moves every generated value with MIGRATE between
// Cairn and redis-server, both ways: Cairn's MIGRATE against Redis's
// RESTORE, and Redis's MIGRATE against Cairn's AUTH, SELECT and RESTORE.
func TestMigrateWithRedis(t *testing.T) {
	requireRedis(t)
	rs, err := startRedis("--requirepass", "pw")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rs.stop)
	real := redis.NewClient(&redis.Options{Addr: rs.addr, Password: "pw", Protocol: 3})
	defer real.Close()
	cairnSrv := servertest.Start(t)
	cairn := newClient(t, cairnSrv.Addr())
	host, port, _ := strings.Cut(rs.addr, ":")
	cHost, cPort, _ := strings.Cut(cairnSrv.Addr(), ":")

	r := rand.New(rand.NewPCG(5, 6))
	var keys []string
	want := map[string]string{}
	for i, v := range dumpValues(r) {
		k := fmt.Sprintf("m%d", i)
		v.fill(cairn, k)
		if i%2 == 0 {
			cairn.Expire(ctx, k, time.Hour)
		}
		want[k] = snapshot(t, cairn, k)
		keys = append(keys, k)
	}
	// One key alone, then the rest with KEYS, into database 3.
	if err := cairn.Migrate(ctx, host, port, keys[0], 3, time.Second).Err(); err == nil || !strings.Contains(err.Error(), "NOAUTH") {
		t.Fatalf("MIGRATE without AUTH to a server with a password: %v", err)
	}
	if got := cairn.Do(ctx, "migrate", host, port, keys[0], 3, 1000, "auth", "pw").Val(); got != "OK" {
		t.Fatalf("MIGRATE AUTH: %v", got)
	}
	args := []any{"migrate", host, port, "", 3, 1000, "auth2", "default", "pw", "keys"}
	for _, k := range keys[1:] {
		args = append(args, k)
	}
	if err := cairn.Do(ctx, args...).Err(); err != nil {
		t.Fatalf("MIGRATE KEYS: %v", err)
	}
	// The three MIGRATEs went over one connection, kept for the next, as
	// Redis keeps them (10 s).
	if info := cairn.Info(ctx, "stats").Val(); !strings.Contains(info, "\r\nmigrate_cached_sockets:1\r\n") {
		t.Fatalf("INFO stats after MIGRATE:\n%s", info)
	}
	real3 := redis.NewClient(&redis.Options{Addr: rs.addr, Password: "pw", DB: 3, Protocol: 3})
	defer real3.Close()
	for _, k := range keys {
		if got := snapshot(t, real3, k); got != want[k] {
			t.Fatalf("%s on redis-server after MIGRATE:\n got %.200s\nwant %.200s", k, got, want[k])
		}
		if cairn.Exists(ctx, k).Val() != 0 {
			t.Fatalf("%s still on Cairn after MIGRATE", k)
		}
	}
	if ttl := real3.TTL(ctx, keys[0]).Val(); ttl < 59*time.Minute {
		t.Fatalf("TTL after MIGRATE: %v", ttl)
	}

	// A key the target has already: BUSYKEY, and the key stays here; COPY
	// REPLACE sends it and keeps it.
	cairn.Set(ctx, keys[0], "newer", 0)
	err = cairn.Do(ctx, "migrate", host, port, keys[0], 3, 1000, "auth", "pw").Err()
	if err == nil || !strings.Contains(err.Error(), "Target instance replied with error: BUSYKEY") {
		t.Fatalf("MIGRATE onto an existing key: %v", err)
	}
	if cairn.Get(ctx, keys[0]).Val() != "newer" {
		t.Fatal("the refused key left Cairn")
	}
	if got := cairn.Do(ctx, "migrate", host, port, keys[0], 3, 1000, "copy", "replace", "auth", "pw").Val(); got != "OK" {
		t.Fatalf("MIGRATE COPY REPLACE: %v", got)
	}
	if real3.Get(ctx, keys[0]).Val() != "newer" || cairn.Get(ctx, keys[0]).Val() != "newer" {
		t.Fatal("COPY REPLACE did not copy")
	}

	// Redis's MIGRATE into Cairn: the same values come back.
	args = []any{"migrate", cHost, cPort, "", 5, 1000, "keys"}
	for _, k := range keys[1:] {
		args = append(args, k)
	}
	if err := real3.Do(ctx, args...).Err(); err != nil {
		t.Fatalf("redis-server's MIGRATE to Cairn: %v", err)
	}
	cairn5 := redis.NewClient(&redis.Options{Addr: cairnSrv.Addr(), DB: 5, Protocol: 3})
	defer cairn5.Close()
	for _, k := range keys[1:] {
		if got := snapshot(t, cairn5, k); got != want[k] {
			t.Fatalf("%s on Cairn after redis-server's MIGRATE:\n got %.200s\nwant %.200s", k, got, want[k])
		}
	}
}
