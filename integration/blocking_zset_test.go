package integration

import (
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cairn-db/cairn/server/servertest"
)

func bzpopAsync(rdb *redis.Client, timeout time.Duration, keys ...string) <-chan []string {
	ch := make(chan []string, 1)
	go func() {
		z, err := rdb.BZPopMin(ctx, timeout, keys...).Result()
		if err != nil {
			ch <- []string{"error", err.Error()}
			return
		}
		ch <- []string{z.Key, z.Member.(string), itoa(int(z.Score))}
	}()
	return ch
}

// BZPOPMIN waiters are served FIFO, one element each, inside the ZADD
// that added them; the rest keep waiting.
func TestBlockingZPopFIFO(t *testing.T) {
	srv := servertest.Start(t)
	rdb := newClient(t, srv.Addr())
	var chans []<-chan []string
	for i := 0; i < 3; i++ {
		chans = append(chans, bzpopAsync(newClient(t, srv.Addr()), 0, "other", "z"))
		waitBlocked(t, srv, i+1)
	}
	if n := rdb.ZAdd(ctx, "z", redis.Z{Score: 2, Member: "b"}, redis.Z{Score: 1, Member: "a"}).Val(); n != 2 {
		t.Fatalf("ZADD = %d", n)
	}
	for i, want := range []string{"a", "b"} {
		if got := recv(t, chans[i]); got[0] != "z" || got[1] != want || got[2] != itoa(i+1) {
			t.Fatalf("client %d got %v, want z %s", i, got, want)
		}
	}
	waitBlocked(t, srv, 1)
	if n := rdb.Exists(ctx, "z").Val(); n != 0 {
		t.Fatal("popped-empty sorted set still exists")
	}
	// A store command that creates the key serves the last waiter too.
	rdb.ZAdd(ctx, "src", redis.Z{Score: 7, Member: "s"})
	rdb.ZUnionStore(ctx, "z", &redis.ZStore{Keys: []string{"src"}})
	if got := recv(t, chans[2]); got[1] != "s" || got[2] != "7" {
		t.Fatalf("client 2 got %v", got)
	}
	waitBlocked(t, srv, 0)
}

// BZMPOP pops up to COUNT; its timeout follows the server clock and
// answers a null array.
func TestBlockingZMPopAndTimeout(t *testing.T) {
	clock := servertest.NewClock()
	srv := servertest.Start(t, servertest.WithClock(clock))
	rdb := newClient(t, srv.Addr())
	type res struct {
		key string
		zs  []redis.Z
		err error
	}
	ch := make(chan res, 1)
	go func() {
		k, zs, err := newClient(t, srv.Addr()).BZMPop(ctx, 0, "max", 2, "a", "b").Result()
		ch <- res{k, zs, err}
	}()
	waitBlocked(t, srv, 1)
	rdb.ZAdd(ctx, "b", redis.Z{Score: 1, Member: "x"}, redis.Z{Score: 2, Member: "y"}, redis.Z{Score: 3, Member: "z"})
	select {
	case r := <-ch:
		if r.err != nil || r.key != "b" || len(r.zs) != 2 || r.zs[0].Member != "z" || r.zs[1].Member != "y" {
			t.Fatalf("BZMPOP = %+v", r)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("BZMPOP not served")
	}
	ch2 := bzpopAsync(newClient(t, srv.Addr()), 2*time.Second, "empty")
	waitBlocked(t, srv, 1)
	clock.FastForward(2 * time.Second)
	if got := recv(t, ch2); got[0] != "error" || got[1] != redis.Nil.Error() {
		t.Fatalf("got %v, want nil on timeout", got)
	}
	// Inside MULTI the blocking pops answer at once, as Redis.
	c := servertest.Dial(t, srv.Addr())
	c.Do("MULTI")
	c.Do("BZPOPMAX", "empty", "0")
	c.Do("BZMPOP", "0", "1", "empty", "MIN")
	if got := c.Do("EXEC"); got != "*2\r\n*-1\r\n*-1\r\n" {
		t.Fatalf("EXEC = %q", got)
	}
	if got := c.Do("BZPOPMIN", "k", "-1"); got != "-ERR timeout is negative\r\n" {
		t.Fatalf("negative timeout: %q", got)
	}
	c.Do("SET", "str", "v")
	if got := c.Do("BZPOPMIN", "str", "0"); got != "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n" {
		t.Fatalf("wrong type: %q", got)
	}
}
