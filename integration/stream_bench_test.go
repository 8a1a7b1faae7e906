package integration

import (
	"strconv"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/cairn-db/cairn/server/servertest"
)

// BenchmarkStreams measures XADD and XREADGROUP+XACK throughput on Cairn
// and, side by side, on redis-server when it is installed:
//
//	go test ./integration -run '^$' -bench Streams -benchtime 20000x -count 5
//
// xadd sends XADD * in pipelines of 50; readack reads batches of 10 with
// XREADGROUP and acknowledges each batch with one XACK. Both report
// entries per second.
func BenchmarkStreams(b *testing.B) {
	targets := map[string]string{"cairn": servertest.Start(b).Addr()}
	if sharedRedisErr == nil {
		targets["redis"] = sharedRedis.addr
	}
	for _, name := range []string{"cairn", "redis"} {
		addr, ok := targets[name]
		if !ok {
			continue
		}
		b.Run(name+"/xadd", func(b *testing.B) { benchXAdd(b, addr) })
		b.Run(name+"/readack", func(b *testing.B) { benchReadAck(b, addr) })
	}
}

func benchClient(b *testing.B, addr string) *redis.Client {
	rdb := redis.NewClient(&redis.Options{Addr: addr, PoolSize: 1})
	b.Cleanup(func() { rdb.Close() })
	rdb.Del(ctx, "bench:stream")
	return rdb
}

// xaddBatch appends n entries with one pipeline.
func xaddBatch(rdb *redis.Client, n int) error {
	p := rdb.Pipeline()
	for i := 0; i < n; i++ {
		p.XAdd(ctx, &redis.XAddArgs{Stream: "bench:stream", Values: []string{"field", strconv.Itoa(i)}})
	}
	_, err := p.Exec(ctx)
	return err
}

func benchXAdd(b *testing.B, addr string) {
	rdb := benchClient(b, addr)
	b.ResetTimer()
	for done := 0; done < b.N; done += 50 {
		if err := xaddBatch(rdb, min(50, b.N-done)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "entries/s")
}

func benchReadAck(b *testing.B, addr string) {
	rdb := benchClient(b, addr)
	for done := 0; done < b.N; done += 500 {
		if err := xaddBatch(rdb, min(500, b.N-done)); err != nil {
			b.Fatal(err)
		}
	}
	if err := rdb.XGroupCreate(ctx, "bench:stream", "g", "0").Err(); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for read := 0; read < b.N; {
		res, err := rdb.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "g", Consumer: "c", Streams: []string{"bench:stream", ">"}, Count: 10}).Result()
		if err != nil {
			b.Fatal(err)
		}
		ids := make([]string, 0, 10)
		for _, m := range res[0].Messages {
			ids = append(ids, m.ID)
		}
		if n := rdb.XAck(ctx, "bench:stream", "g", ids...).Val(); n != int64(len(ids)) {
			b.Fatalf("XACK acknowledged %d of %d", n, len(ids))
		}
		read += len(ids)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "entries/s")
}
