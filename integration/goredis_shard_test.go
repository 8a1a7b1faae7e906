package integration

import (
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cairn-db/cairn/server/servertest"
)

// TestGoRedisShardPubSub: go-redis's SSubscribe and SPublish work against
// Cairn in both protocols: confirmations, smessages (go-redis reads them
// as messages), PUBSUB SHARDNUMSUB, and SUnsubscribe; an ordinary
// SUBSCRIBE on the same name gets none of the shard messages.
func TestGoRedisShardPubSub(t *testing.T) {
	srv := servertest.Start(t)
	for _, proto := range []int{2, 3} {
		rdb := redis.NewClient(&redis.Options{Addr: srv.Addr(), Protocol: proto})
		defer rdb.Close()
		sub := rdb.SSubscribe(ctx, "orders")
		defer sub.Close()
		conf, err := sub.Receive(ctx)
		if s, ok := conf.(*redis.Subscription); err != nil || !ok || s.Kind != "ssubscribe" || s.Channel != "orders" || s.Count != 1 {
			t.Fatalf("RESP%d: confirmation = %#v, %v", proto, conf, err)
		}
		plain := rdb.Subscribe(ctx, "orders")
		defer plain.Close()
		if _, err := plain.Receive(ctx); err != nil {
			t.Fatalf("RESP%d: SUBSCRIBE: %v", proto, err)
		}
		if n, err := rdb.SPublish(ctx, "orders", "o1").Result(); err != nil || n != 1 {
			t.Fatalf("RESP%d: SPUBLISH = %d, %v", proto, n, err)
		}
		msg, err := sub.ReceiveMessage(ctx)
		if err != nil || msg.Channel != "orders" || msg.Payload != "o1" {
			t.Fatalf("RESP%d: message = %+v, %v", proto, msg, err)
		}
		if got, err := plain.ReceiveTimeout(ctx, 100*time.Millisecond); err == nil {
			t.Fatalf("RESP%d: the SUBSCRIBE client got %#v", proto, got)
		}
		if m, err := rdb.PubSubShardNumSub(ctx, "orders", "none").Result(); err != nil || m["orders"] != 1 || m["none"] != 0 {
			t.Fatalf("RESP%d: PUBSUB SHARDNUMSUB = %v, %v", proto, m, err)
		}
		if chans, err := rdb.PubSubShardChannels(ctx, "ord*").Result(); err != nil || len(chans) != 1 || chans[0] != "orders" {
			t.Fatalf("RESP%d: PUBSUB SHARDCHANNELS = %v, %v", proto, chans, err)
		}
		if err := sub.SUnsubscribe(ctx, "orders"); err != nil {
			t.Fatalf("RESP%d: SUNSUBSCRIBE: %v", proto, err)
		}
		conf, err = sub.Receive(ctx)
		if s, ok := conf.(*redis.Subscription); err != nil || !ok || s.Kind != "sunsubscribe" || s.Count != 0 {
			t.Fatalf("RESP%d: unsubscribe confirmation = %#v, %v", proto, conf, err)
		}
		if n, err := rdb.SPublish(ctx, "orders", "o2").Result(); err != nil || n != 0 {
			t.Fatalf("RESP%d: SPUBLISH after SUNSUBSCRIBE = %d, %v", proto, n, err)
		}
	}
}
