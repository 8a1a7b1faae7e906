package server_test

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/redis/go-redis/v9"

	. "github.com/cairn-db/cairn/server/servertest"
)

// BenchmarkSETDurable measures SET through the network on the Pebble
// engine in each appendfsync mode (and the memory engine for reference),
// from 50 concurrent clients, one command per round trip (P1) and
// pipelines of 16 (P16). ops/s counts commands.
//
//	go test -run x -bench SETDurable -benchtime 3s ./server/
func BenchmarkSETDurable(b *testing.B) {
	ctx := context.Background()
	for _, mode := range []string{"memory", "always", "everysec", "no"} {
		for _, pipe := range []int{1, 16} {
			b.Run(mode+"/P"+strconv.Itoa(pipe), func(b *testing.B) {
				var opts []Option
				if mode != "memory" {
					opts = append(opts, WithPebble(mode))
				}
				srv := Start(b, opts...)
				rdb := redis.NewClient(&redis.Options{Addr: srv.Addr(), PoolSize: 64, DisableIdentity: true})
				defer rdb.Close()
				var next atomic.Int64
				b.SetParallelism(25) // 50 clients on 2 cores
				b.ResetTimer()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						n := next.Add(1)
						if pipe == 1 {
							if err := rdb.Set(ctx, "key:"+strconv.FormatInt(n%100000, 10), "value", 0).Err(); err != nil {
								b.Error(err)
								return
							}
							continue
						}
						p := rdb.Pipeline()
						for j := 0; j < pipe; j++ {
							p.Set(ctx, "key:"+strconv.FormatInt((n*16+int64(j))%100000, 10), "value", 0)
						}
						if _, err := p.Exec(ctx); err != nil {
							b.Error(err)
							return
						}
					}
				})
				b.ReportMetric(float64(b.N*pipe)/b.Elapsed().Seconds(), "ops/s")
			})
		}
	}
}
