package server

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkExecuteGet measures one GET through the dispatcher, with the
// per-command statistics and metrics it records.
func BenchmarkExecuteGet(b *testing.B) {
	s, c, out := startFake(b)
	s.execute(c, [][]byte{[]byte("SET"), []byte("key:000001"), []byte("value")})
	get := [][]byte{[]byte("GET"), []byte("key:000001")}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		out.Reset()
		s.execute(c, get)
		c.out.Flush()
	}
}

// BenchmarkPipelineBatch runs batches of 16 pipelined commands, as
// redis-benchmark -P 16 -r 100000 sends them (GET and SET over a
// 100,000-key keyspace; the list and stream commands on one key), through
// the connection's batch path (serveRESP, servePipeline) without the
// socket. ns/op is per command.
func BenchmarkPipelineBatch(b *testing.B) {
	key := func(i int) []byte { return fmt.Appendf(nil, "key:%012d", i) }
	cmds := []struct {
		name string
		args func(r int) []string
	}{
		{"SET", func(r int) []string { return []string{"SET", string(key(r)), "xxx"} }},
		{"GET", func(r int) []string { return []string{"GET", string(key(r))} }},
		{"SETEX", func(r int) []string { return []string{"SET", string(key(r)), "xxx", "EX", "100"} }},
		{"INCR", func(r int) []string { return []string{"INCR", "counter:" + string(key(r))[4:]} }},
		{"LPUSH", func(int) []string { return []string{"LPUSH", "mylist", "xxx"} }},
		{"RPUSH", func(int) []string { return []string{"RPUSH", "mylist", "xxx"} }},
		{"RPOP", func(int) []string { return []string{"RPOP", "mylist"} }},
		{"XADD", func(int) []string { return []string{"XADD", "mystream", "*", "myfield", "xxx"} }},
	}
	for _, bc := range cmds {
		b.Run(bc.name, func(b *testing.B) {
			s, c, out := startFake(b)
			const keys = 100000
			for i := range keys {
				s.execute(c, [][]byte{[]byte("SET"), key(i), []byte("xxx")})
			}
			for range 1 << 20 {
				if bc.name == "RPOP" {
					s.execute(c, [][]byte{[]byte("LPUSH"), []byte("mylist"), []byte("xxx")})
				}
			}
			rng := rand.New(rand.NewPCG(1, 2))
			batches := make([][][][]byte, 1024)
			for i := range batches {
				for range 16 {
					var args [][]byte
					for _, a := range bc.args(rng.IntN(keys)) {
						args = append(args, []byte(a))
					}
					batches[i] = append(batches[i], args)
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i += 16 {
				out.Reset()
				batch := batches[(i/16)%len(batches)]
				c.conn.pending = batch[1:]
				s.serveRESP(c, batch[0])
				for len(c.conn.pending) > 0 {
					args := c.conn.pending[0]
					c.conn.pending = c.conn.pending[1:]
					s.serveRESP(c, args)
				}
				c.out.Flush()
			}
		})
	}
}
