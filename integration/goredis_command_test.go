package integration

import (
	"context"
	"reflect"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/cairn-db/cairn/server/servertest"
)

// TestGoRedisCommandPolicies: go-redis reads COMMAND's tips into each
// command's routing policy (which shards a cluster client sends KEYS,
// DBSIZE, SCRIPT FLUSH … to and how it merges the replies); Cairn's must
// be the ones it reads from redis-server, in RESP2 and RESP3.
func TestGoRedisCommandPolicies(t *testing.T) {
	r := requireRedis(t)
	srv := servertest.Start(t)
	ctx := context.Background()
	for _, proto := range []int{2, 3} {
		read := func(addr string) map[string]*redis.CommandInfo {
			c := redis.NewClient(&redis.Options{Addr: addr, Protocol: proto})
			defer c.Close()
			info, err := c.Command(ctx).Result()
			if err != nil {
				t.Fatalf("RESP%d COMMAND at %s: %v", proto, addr, err)
			}
			return info
		}
		ours, theirs := read(srv.Addr()), read(r.addr)
		if p := ours["keys"].CommandPolicy; p == nil || len(p.Tips) == 0 {
			t.Fatalf("RESP%d: go-redis read no tips for KEYS: %+v", proto, p)
		}
		compared := 0
		for name, info := range ours {
			want, ok := theirs[name]
			if !ok || infoFlagExceptions[name] { // go-redis turns a readonly flag into a tip
				continue
			}
			compared++
			if !reflect.DeepEqual(info.CommandPolicy, want.CommandPolicy) {
				t.Errorf("RESP%d %s: policy %+v, redis-server's %+v", proto, name, info.CommandPolicy, want.CommandPolicy)
			}
		}
		if compared < 200 {
			t.Fatalf("RESP%d: only %d commands compared", proto, compared)
		}
	}
}
