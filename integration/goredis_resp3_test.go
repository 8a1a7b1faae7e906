package integration

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cairn-db/cairn/server/servertest"
)

// newRESP3Client is a go-redis client with its default options, whose
// default protocol is RESP3. go-redis falls back to RESP2 silently when
// HELLO 3 fails, so the test checks the connection's protocol itself.
func newRESP3Client(t *testing.T, addr string) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: addr})
	t.Cleanup(func() { c.Close() })
	info, err := c.ClientInfo(ctx).Result()
	if err != nil {
		t.Fatalf("CLIENT INFO: %v", err)
	}
	if info.Resp != 3 {
		t.Fatalf("connection speaks RESP%d, want 3 (go-redis fell back)", info.Resp)
	}
	return c
}

// TestGoRedisRESP3 drives the server with go-redis's default protocol and
// checks that replies arrive as RESP3 types: maps decode to Go maps, nulls
// to redis.Nil, verbatim strings to text.
func TestGoRedisRESP3(t *testing.T) {
	srv := servertest.Start(t)
	rdb := newRESP3Client(t, srv.Addr())

	hello, err := rdb.Do(ctx, "HELLO", "3").Result()
	if err != nil {
		t.Fatal(err)
	}
	m, ok := hello.(map[interface{}]interface{})
	if !ok || m["proto"] != int64(3) || m["server"] != "redis" {
		t.Fatalf("HELLO 3 = %#v, want a map with proto 3", hello)
	}

	cfg, err := rdb.Do(ctx, "CONFIG", "GET", "maxmemory").Result()
	if err != nil {
		t.Fatal(err)
	}
	if m, ok := cfg.(map[interface{}]interface{}); !ok || m["maxmemory"] != "0" {
		t.Fatalf("CONFIG GET = %#v, want map[maxmemory:0]", cfg)
	}
	if got := rdb.ConfigGet(ctx, "maxmemory").Val(); got["maxmemory"] != "0" {
		t.Fatalf("ConfigGet = %v", got)
	}

	if _, err := rdb.Do(ctx, "GET", "missing").Result(); err != redis.Nil {
		t.Fatalf("GET missing: %v, want redis.Nil", err)
	}

	// Yes/no commands stay integers in RESP3, as in Redis 7.
	rdb.Set(ctx, "k", "v", 0)
	if v, err := rdb.Do(ctx, "EXPIRE", "k", "100").Result(); err != nil || v != int64(1) {
		t.Fatalf("EXPIRE = %#v, %v; want int64 1", v, err)
	}
	if ok, err := rdb.SetNX(ctx, "k", "x", 0).Result(); err != nil || ok {
		t.Fatalf("SETNX existing = %v, %v", ok, err)
	}

	// Lists: a blocking pop that times out gets RESP3's null.
	if _, err := rdb.BLPop(ctx, 10*time.Millisecond, "nolist").Result(); err != redis.Nil {
		t.Fatalf("BLPOP timeout: %v, want redis.Nil", err)
	}
	rdb.RPush(ctx, "l", "a", "b")
	if v, err := rdb.LPopCount(ctx, "l", 5).Result(); err != nil || len(v) != 2 {
		t.Fatalf("LPOP l 5 = %v, %v", v, err)
	}
	if _, err := rdb.LPopCount(ctx, "l", 5).Result(); err != redis.Nil {
		t.Fatalf("LPOP missing 5: %v, want redis.Nil", err)
	}

	// Hashes, sets, sorted sets: maps, sets and doubles.
	rdb.HSet(ctx, "h", "f", "v", "g", "w")
	if v, err := rdb.Do(ctx, "HGETALL", "h").Result(); err != nil || !reflect.DeepEqual(v, map[interface{}]interface{}{"f": "v", "g": "w"}) {
		t.Fatalf("HGETALL = %#v, %v; want a map", v, err)
	}
	if v := rdb.HGetAll(ctx, "h").Val(); v["g"] != "w" {
		t.Fatalf("HGetAll = %v", v)
	}
	rdb.SAdd(ctx, "s", "x")
	if v, err := rdb.Do(ctx, "SMEMBERS", "s").Result(); err != nil || !reflect.DeepEqual(v, []interface{}{"x"}) {
		t.Fatalf("SMEMBERS = %#v, %v", v, err)
	}
	rdb.ZAdd(ctx, "z", redis.Z{Score: 1.5, Member: "a"}, redis.Z{Score: 2, Member: "b"})
	if v, err := rdb.Do(ctx, "ZSCORE", "z", "a").Result(); err != nil || v != 1.5 {
		t.Fatalf("ZSCORE = %#v, %v; want float64 1.5", v, err)
	}
	want := []interface{}{[]interface{}{"a", 1.5}, []interface{}{"b", 2.0}}
	if v, err := rdb.Do(ctx, "ZRANGE", "z", "0", "-1", "WITHSCORES").Result(); err != nil || !reflect.DeepEqual(v, want) {
		t.Fatalf("ZRANGE WITHSCORES = %#v, %v; want [member, double] pairs", v, err)
	}
	if v := rdb.ZRangeWithScores(ctx, "z", 0, -1).Val(); len(v) != 2 || v[1].Score != 2 {
		t.Fatalf("ZRangeWithScores = %v", v)
	}
	if v, err := rdb.ZIncrBy(ctx, "z", 1, "a").Result(); err != nil || v != 2.5 {
		t.Fatalf("ZINCRBY = %v, %v", v, err)
	}

	// Streams: XREAD is keyed by stream (a map), XINFO STREAM a map.
	rdb.XAdd(ctx, &redis.XAddArgs{Stream: "st", ID: "1-1", Values: []string{"f", "v"}})
	streams, err := rdb.XRead(ctx, &redis.XReadArgs{Streams: []string{"st", "0"}}).Result()
	if err != nil || len(streams) != 1 || streams[0].Stream != "st" || streams[0].Messages[0].Values["f"] != "v" {
		t.Fatalf("XREAD = %+v, %v", streams, err)
	}
	if v, err := rdb.Do(ctx, "XREAD", "STREAMS", "st", "0").Result(); err != nil {
		t.Fatal(err)
	} else if _, ok := v.(map[interface{}]interface{}); !ok {
		t.Fatalf("XREAD via Do = %#v, want a map", v)
	}
	if xi, err := rdb.XInfoStream(ctx, "st").Result(); err != nil || xi.Length != 1 || xi.LastGeneratedID != "1-1" {
		t.Fatalf("XINFO STREAM = %+v, %v", xi, err)
	}

	info, err := rdb.Info(ctx, "server").Result()
	if err != nil || !strings.HasPrefix(info, "# Server\r\n") {
		t.Fatalf("INFO server = %q, %v", info, err)
	}
	flags, err := rdb.Do(ctx, "COMMAND", "INFO", "get").Result()
	if err != nil {
		t.Fatal(err)
	}
	if cmd := flags.([]interface{})[0].([]interface{}); cmd[0] != "get" {
		t.Fatalf("COMMAND INFO get = %#v", flags)
	}
}

// TestGoRedisRESP3PubSub: go-redis's subscriber over RESP3 receives push
// messages, and a raw RESP3 connection keeps running commands while
// subscribed, as Redis 7 allows.
func TestGoRedisRESP3PubSub(t *testing.T) {
	srv := servertest.Start(t)
	rdb := newRESP3Client(t, srv.Addr())
	sub := rdb.Subscribe(ctx, "news")
	defer sub.Close()
	if _, err := sub.Receive(ctx); err != nil {
		t.Fatalf("subscribe confirmation: %v", err)
	}
	if n, err := rdb.Publish(ctx, "news", "hello").Result(); err != nil || n != 1 {
		t.Fatalf("PUBLISH = %d, %v", n, err)
	}
	msg, err := sub.ReceiveMessage(ctx)
	if err != nil || msg.Channel != "news" || msg.Payload != "hello" {
		t.Fatalf("message = %+v, %v", msg, err)
	}

	c := servertest.Dial(t, srv.Addr())
	c.Do("HELLO", "3")
	if got := c.Do("SUBSCRIBE", "a"); got != ">3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n" {
		t.Fatalf("SUBSCRIBE in RESP3 = %q", got)
	}
	if got := c.Do("CLIENT", "INFO"); !strings.Contains(got, " flags=P ") || !strings.Contains(got, " sub=1 ") {
		t.Fatalf("CLIENT INFO of a subscriber = %q, want flags=P sub=1", got)
	}
	if got := c.Do("SET", "k", "v"); got != servertest.OK {
		t.Fatalf("SET while subscribed = %q", got)
	}
	rdb.Publish(ctx, "a", "m")
	if got := c.Read(); got != ">3\r\n$7\r\nmessage\r\n$1\r\na\r\n$1\r\nm\r\n" {
		t.Fatalf("message push = %q", got)
	}
	if got := c.Do("GET", "k"); got != servertest.Bulk("v") {
		t.Fatalf("GET after a push = %q", got)
	}
}
