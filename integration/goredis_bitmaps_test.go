package integration

import (
	"reflect"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/cairn-db/cairn/server/servertest"
)

// TestGoRedisBitmaps runs every bitmap command through go-redis's typed
// API, then restarts the Pebble-backed server and reads the bitmaps back.
func TestGoRedisBitmaps(t *testing.T) {
	dir := t.TempDir()
	srv := servertest.Start(t, servertest.WithDir(dir))
	rdb := newClient(t, srv.Addr())
	check := func(name string, got, want any, err error) {
		t.Helper()
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("%s = %v, %v; want %v", name, got, err, want)
		}
	}
	n, err := rdb.SetBit(ctx, "bm", 7, 1).Result()
	check("SETBIT bm 7 1", n, int64(0), err)
	n, err = rdb.SetBit(ctx, "bm", 7, 1).Result()
	check("SETBIT bm 7 1 again", n, int64(1), err)
	rdb.SetBit(ctx, "bm", 100_000, 1)
	n, err = rdb.GetBit(ctx, "bm", 100_000).Result()
	check("GETBIT bm 100000", n, int64(1), err)
	n, err = rdb.BitCount(ctx, "bm", nil).Result()
	check("BITCOUNT bm", n, int64(2), err)
	n, err = rdb.BitCount(ctx, "bm", &redis.BitCount{Start: 8, End: -1, Unit: redis.BitCountIndexBit}).Result()
	check("BITCOUNT bm 8 -1 BIT", n, int64(1), err)
	n, err = rdb.BitPos(ctx, "bm", 1, 1).Result()
	check("BITPOS bm 1 1", n, int64(100_000), err)
	n, err = rdb.BitPosSpan(ctx, "bm", 0, 0, 7, "bit").Result()
	check("BITPOS bm 0 0 7 BIT", n, int64(0), err)

	rdb.Set(ctx, "a", "\xf0", 0)
	rdb.Set(ctx, "b", "\x0f\xff", 0)
	n, err = rdb.BitOpOr(ctx, "or", "a", "b").Result()
	check("BITOP OR", n, int64(2), err)
	s, err := rdb.Get(ctx, "or").Result()
	check("GET or", s, "\xff\xff", err)
	n, err = rdb.BitOpNot(ctx, "not", "a").Result()
	check("BITOP NOT", n, int64(1), err)
	rdb.BitOpAnd(ctx, "and", "a", "b")
	rdb.BitOpXor(ctx, "xor", "a", "b")
	s, err = rdb.Get(ctx, "xor").Result()
	check("GET xor", s, "\xff\xff", err)

	vals, err := rdb.BitField(ctx, "bf", "SET", "i8", "#1", -5, "INCRBY", "u4", 0, 20, "GET", "i8", 8).Result()
	check("BITFIELD", vals, []int64{0, 4, -5}, err)
	vals, err = rdb.BitFieldRO(ctx, "bf", "u4", 0, "i8", "#1").Result()
	check("BITFIELD_RO", vals, []int64{4, -5}, err)
	res, err := rdb.Do(ctx, "BITFIELD", "bf", "OVERFLOW", "FAIL", "INCRBY", "i8", "#1", -200).Slice()
	check("BITFIELD OVERFLOW FAIL", res, []any{nil}, err)

	before := srv.Store().Dump()
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	srv = servertest.Start(t, servertest.WithDir(dir))
	if after := srv.Store().Dump(); after != before {
		t.Fatalf("bitmaps changed across restart\nbefore:\n%s\nafter:\n%s", before, after)
	}
	rdb = newClient(t, srv.Addr())
	n, err = rdb.BitCount(ctx, "bm", nil).Result()
	check("BITCOUNT bm after restart", n, int64(2), err)
	vals, err = rdb.BitFieldRO(ctx, "bf", "i8", "#1").Result()
	check("BITFIELD_RO after restart", vals, []int64{-5}, err)
}

// TestBitmapCommandInfoMatchesRedis compares the arity, flags and key
// positions COMMAND INFO gives for the bitmap commands with redis-server's.
func TestBitmapCommandInfoMatchesRedis(t *testing.T) {
	r := requireRedis(t)
	cairn := redis.NewClient(&redis.Options{Addr: servertest.Start(t).Addr(), Protocol: 2})
	defer cairn.Close()
	real := redis.NewClient(&redis.Options{Addr: r.addr, Protocol: 2})
	defer real.Close()
	args := []any{"command", "info", "setbit", "getbit", "bitcount", "bitpos", "bitop", "bitfield", "bitfield_ro"}
	ours, err := cairn.Do(ctx, args...).Slice()
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := real.Do(ctx, args...).Slice()
	if err != nil {
		t.Fatal(err)
	}
	for i := range theirs {
		o, w := ours[i].([]any), theirs[i].([]any)
		if !reflect.DeepEqual(o[:6], w[:6]) {
			t.Errorf("COMMAND INFO %v: cairn %v, redis-server %v", args[i+2], o[:6], w[:6])
		}
	}
}
