package integration

import (
	"reflect"
	"sort"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/cairn-db/cairn/server/servertest"
)

// TestGoRedisCollections drives hashes, sets and sorted sets through
// go-redis's typed API, the way Celery- and RQ-style clients use them.
func TestGoRedisCollections(t *testing.T) {
	rdb := newClient(t, servertest.Start(t).Addr())
	if n, err := rdb.HSet(ctx, "job:1", "status", "queued", "tries", 0).Result(); err != nil || n != 2 {
		t.Fatalf("HSET = %d, %v", n, err)
	}
	if n := rdb.HIncrBy(ctx, "job:1", "tries", 2).Val(); n != 2 {
		t.Fatalf("HINCRBY = %d", n)
	}
	all, err := rdb.HGetAll(ctx, "job:1").Result()
	if err != nil || !reflect.DeepEqual(all, map[string]string{"status": "queued", "tries": "2"}) {
		t.Fatalf("HGETALL = %v, %v", all, err)
	}
	if f := rdb.HIncrByFloat(ctx, "job:1", "t", 1.5).Val(); f != 1.5 {
		t.Fatalf("HINCRBYFLOAT = %v", f)
	}

	rdb.SAdd(ctx, "queues", "default", "high", "low")
	ms := rdb.SMembers(ctx, "queues").Val()
	sort.Strings(ms)
	if !reflect.DeepEqual(ms, []string{"default", "high", "low"}) {
		t.Fatalf("SMEMBERS = %v", ms)
	}
	if ok := rdb.SIsMember(ctx, "queues", "high").Val(); !ok {
		t.Fatal("SISMEMBER high = false")
	}
	if got := rdb.SMIsMember(ctx, "queues", "high", "nope").Val(); !reflect.DeepEqual(got, []bool{true, false}) {
		t.Fatalf("SMISMEMBER = %v", got)
	}

	rdb.ZAdd(ctx, "unacked", redis.Z{Score: 30, Member: "c"}, redis.Z{Score: 10, Member: "a"}, redis.Z{Score: 20, Member: "b"})
	zs, err := rdb.ZRangeByScoreWithScores(ctx, "unacked", &redis.ZRangeBy{Min: "-inf", Max: "25"}).Result()
	if err != nil || len(zs) != 2 || zs[0] != (redis.Z{Score: 10, Member: "a"}) || zs[1].Member != "b" {
		t.Fatalf("ZRANGEBYSCORE = %v, %v", zs, err)
	}
	if s := rdb.ZScore(ctx, "unacked", "c").Val(); s != 30 {
		t.Fatalf("ZSCORE = %v", s)
	}
	if s := rdb.ZIncrBy(ctx, "unacked", 0.5, "a").Val(); s != 10.5 {
		t.Fatalf("ZINCRBY = %v", s)
	}
	if r := rdb.ZRank(ctx, "unacked", "c").Val(); r != 2 {
		t.Fatalf("ZRANK = %d", r)
	}
	popped := rdb.ZPopMin(ctx, "unacked", 2).Val()
	if len(popped) != 2 || popped[0].Member != "a" || popped[1].Member != "b" {
		t.Fatalf("ZPOPMIN = %v", popped)
	}
	rdb.ZAdd(ctx, "ac", redis.Z{Member: "apple"}, redis.Z{Member: "apricot"}, redis.Z{Member: "banana"})
	if got := rdb.ZRangeByLex(ctx, "ac", &redis.ZRangeBy{Min: "[ap", Max: "(aq"}).Val(); !reflect.DeepEqual(got, []string{"apple", "apricot"}) {
		t.Fatalf("ZRANGEBYLEX = %v", got)
	}
	keys, cursor, err := rdb.ZScan(ctx, "ac", 0, "b*", 0).Result()
	if err != nil || cursor != 0 || !reflect.DeepEqual(keys, []string{"banana", "0"}) {
		t.Fatalf("ZSCAN = %v %d %v", keys, cursor, err)
	}
}

// TestGoRedisScanBigCollections iterates tables (not packed) with HSCAN,
// SSCAN and ZSCAN cursors while elements are removed, and checks every
// element present throughout is returned.
func TestGoRedisScanBigCollections(t *testing.T) {
	rdb := newClient(t, servertest.Start(t).Addr())
	var members []any
	var zs []redis.Z
	var pairs []any
	for i := 0; i < 1000; i++ {
		m := "m" + string(rune('a'+i%26)) + itoa(i)
		members = append(members, m)
		zs = append(zs, redis.Z{Score: float64(i % 7), Member: m})
		pairs = append(pairs, m, "v")
	}
	rdb.SAdd(ctx, "s", members...)
	rdb.ZAdd(ctx, "z", zs...)
	rdb.HSet(ctx, "h", pairs...)
	for _, key := range []string{"s", "z", "h"} {
		seen := map[string]bool{}
		var cursor uint64
		removed := 0
		for {
			var page []string
			var err error
			switch key {
			case "s":
				page, cursor, err = rdb.SScan(ctx, key, cursor, "", 50).Result()
			case "z":
				page, cursor, err = rdb.ZScan(ctx, key, cursor, "", 50).Result()
			case "h":
				page, cursor, err = rdb.HScan(ctx, key, cursor, "", 50).Result()
			}
			if err != nil {
				t.Fatal(err)
			}
			step := 1
			if key != "s" {
				step = 2
			}
			for i := 0; i < len(page); i += step {
				seen[page[i]] = true
			}
			// Remove elements already returned: the rest must still come.
			if removed < 100 {
				for j := 0; j < 10 && j*step < len(page); j++ {
					m := page[j*step]
					switch key {
					case "s":
						rdb.SRem(ctx, key, m)
					case "z":
						rdb.ZRem(ctx, key, m)
					case "h":
						rdb.HDel(ctx, key, m)
					}
					removed++
				}
			}
			if cursor == 0 {
				break
			}
		}
		for _, m := range members {
			if !seen[m.(string)] {
				t.Fatalf("%s: %s never returned", key, m)
			}
		}
	}
}

// TestGoRedisSort: SORT with BY and GET through go-redis, and SORT …
// STORE handing its list to a blocked BLPOP.
func TestGoRedisSort(t *testing.T) {
	srv := servertest.Start(t)
	rdb := newClient(t, srv.Addr())
	rdb.SAdd(ctx, "ids", "1", "2", "3")
	rdb.HSet(ctx, "user:1", "age", "30", "name", "ann")
	rdb.HSet(ctx, "user:2", "age", "20", "name", "bob")
	rdb.HSet(ctx, "user:3", "age", "25", "name", "cy")
	got, err := rdb.Sort(ctx, "ids", &redis.Sort{By: "user:*->age", Get: []string{"#", "user:*->name"}, Order: "DESC"}).Result()
	if err != nil || !reflect.DeepEqual(got, []string{"1", "ann", "3", "cy", "2", "bob"}) {
		t.Fatalf("SORT = %v, %v", got, err)
	}
	ch := blpopAsync(newClient(t, srv.Addr()), 0, "sorted")
	waitBlocked(t, srv, 1)
	if n, err := rdb.SortStore(ctx, "ids", "sorted", &redis.Sort{By: "user:*->age"}).Result(); err != nil || n != 3 {
		t.Fatalf("SORT STORE = %d, %v", n, err)
	}
	if v := recv(t, ch); v[1] != "2" {
		t.Fatalf("BLPOP after SORT STORE got %v", v)
	}
	if rest := rdb.LRange(ctx, "sorted", 0, -1).Val(); !reflect.DeepEqual(rest, []string{"3", "1"}) {
		t.Fatalf("stored list = %v", rest)
	}
}
