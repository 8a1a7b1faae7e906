package integration

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cairn-db/cairn/server/servertest"
)

// go-redis's optimistic-locking recipe: concurrent increments through
// WATCH/MULTI/EXEC retries lose no update.
func TestGoRedisWatchIncrement(t *testing.T) {
	srv := servertest.Start(t)
	ctx := context.Background()
	const workers, each = 4, 25
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := newClient(t, srv.Addr())
			for i := 0; i < each; i++ {
				for {
					err := c.Watch(ctx, func(tx *redis.Tx) error {
						n, err := tx.Get(ctx, "counter").Int()
						if err != nil && err != redis.Nil {
							return err
						}
						_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
							p.Set(ctx, "counter", n+1, 0)
							return nil
						})
						return err
					}, "counter")
					if errors.Is(err, redis.TxFailedErr) {
						continue // another worker won: retry
					}
					if err != nil {
						t.Error(err)
						return
					}
					break
				}
			}
		}()
	}
	wg.Wait()
	c := newClient(t, srv.Addr())
	if n, _ := c.Get(ctx, "counter").Int(); n != workers*each {
		t.Fatalf("counter = %d, want %d", n, workers*each)
	}
}

func TestGoRedisTxPipelined(t *testing.T) {
	srv := servertest.Start(t)
	ctx := context.Background()
	c := newClient(t, srv.Addr())
	cmds, err := c.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, "a", "1", 0)
		p.Incr(ctx, "a")
		p.LPush(ctx, "a", "x") // wrong type at run time: the rest still runs
		p.Get(ctx, "a")
		return nil
	})
	if err == nil || len(cmds) != 4 {
		t.Fatalf("TxPipelined: %v %v", cmds, err)
	}
	if cmds[1].(*redis.IntCmd).Val() != 2 || cmds[2].Err() == nil || cmds[3].(*redis.StringCmd).Val() != "2" {
		t.Fatalf("replies: %v", cmds)
	}
}

// Script.Run uses EVALSHA and falls back to EVAL on NOSCRIPT.
func TestGoRedisScripts(t *testing.T) {
	srv := servertest.Start(t)
	ctx := context.Background()
	c := newClient(t, srv.Addr())
	s := redis.NewScript(`return {KEYS[1], ARGV[1], redis.call('incrby', KEYS[1], ARGV[1])}`)
	if ok, _ := c.ScriptExists(ctx, s.Hash()).Result(); ok[0] {
		t.Fatal("script cached before first use")
	}
	v, err := s.Run(ctx, c, []string{"k"}, 5).Slice()
	if err != nil || len(v) != 3 || v[2].(int64) != 5 {
		t.Fatalf("first run: %v %v", v, err)
	}
	if ok, _ := c.ScriptExists(ctx, s.Hash()).Result(); !ok[0] {
		t.Fatal("script not cached after EVAL")
	}
	if n, err := s.EvalSha(ctx, c, []string{"k"}, 1).Slice(); err != nil || n[2].(int64) != 6 {
		t.Fatalf("EVALSHA: %v %v", n, err)
	}
	c.ScriptFlush(ctx)
	if err := s.EvalSha(ctx, c, []string{"k"}, 1).Err(); err == nil || !redis.HasErrorPrefix(err, "NOSCRIPT") {
		t.Fatalf("EVALSHA after flush: %v", err)
	}
	if n, err := s.Run(ctx, c, []string{"k"}, 1).Slice(); err != nil || n[2].(int64) != 7 {
		t.Fatalf("Run after flush: %v %v", n, err)
	}
	if err := c.Eval(ctx, `return redis.call('incr', 'k', 'x')`, nil).Err(); err == nil {
		t.Fatal("script error not reported")
	}
	ro := c.EvalRO(ctx, `return redis.call('set', 'k', 1)`, nil).Err()
	if ro == nil {
		t.Fatal("EVAL_RO allowed a write")
	}
}

func TestGoRedisPubSub(t *testing.T) {
	srv := servertest.Start(t)
	ctx := context.Background()
	c := newClient(t, srv.Addr())
	sub := c.Subscribe(ctx, "news")
	defer sub.Close()
	if _, err := sub.Receive(ctx); err != nil { // subscription confirmation
		t.Fatal(err)
	}
	if err := sub.PSubscribe(ctx, "n*"); err != nil {
		t.Fatal(err)
	}
	ch := sub.Channel()
	// The psubscribe confirmation is consumed by Channel(); wait for it.
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if n, _ := c.PubSubNumPat(ctx).Result(); n == 1 {
			break
		}
	}
	if n, err := c.Publish(ctx, "news", "hello").Result(); err != nil || n != 2 {
		t.Fatalf("PUBLISH: %d %v", n, err)
	}
	got := map[string]bool{}
	for i := 0; i < 2; i++ {
		select {
		case m := <-ch:
			got[m.Pattern+"|"+m.Channel+"|"+m.Payload] = true
		case <-time.After(5 * time.Second):
			t.Fatalf("timed out; got %v", got)
		}
	}
	if !got["|news|hello"] || !got["n*|news|hello"] {
		t.Fatalf("messages: %v", got)
	}
	nums, _ := c.PubSubNumSub(ctx, "news", "other").Result()
	if nums["news"] != 1 || nums["other"] != 0 {
		t.Fatalf("NUMSUB: %v", nums)
	}
	chans, _ := c.PubSubChannels(ctx, "*").Result()
	if len(chans) != 1 || chans[0] != "news" {
		t.Fatalf("CHANNELS: %v", chans)
	}
}
