package server

import (
	"strconv"
	"testing"
)

// typedReplies are commands whose replies RESP3 encodes differently from
// RESP2 (maps, sets, doubles, pairs, nulls, verbatim text).
var typedReplies = [][]string{
	{"HGETALL", "h"},
	{"SMEMBERS", "s"},
	{"ZRANGE", "z", "0", "-1", "WITHSCORES"},
	{"ZSCORE", "z", "m3"},
	{"CONFIG", "GET", "maxmemory"},
	{"GET", "missing"},
	{"CLIENT", "INFO"},
	{"XREAD", "STREAMS", "x", "0"},
}

func seedTyped(s *Server, c *Client) {
	for i := 0; i < 10; i++ {
		n := strconv.Itoa(i)
		s.execute(c, args("HSET", "h", "f"+n, "v"+n))
		s.execute(c, args("SADD", "s", "m"+n))
		s.execute(c, args("ZADD", "z", n+".5", "m"+n))
		s.execute(c, args("XADD", "x", n+"-1", "f", n))
	}
}

func args(a ...string) [][]byte {
	out := make([][]byte, len(a))
	for i, s := range a {
		out[i] = []byte(s)
	}
	return out
}

// TestRESP3EncodingAllocations: encoding a reply in RESP3 allocates no more
// than encoding it in RESP2 (the writer formats into scratch space).
func TestRESP3EncodingAllocations(t *testing.T) {
	s, c, out := startFake(t)
	seedTyped(s, c)
	for _, cmd := range typedReplies {
		var allocs [2]float64
		for i, proto := range []int{2, 3} {
			c.setProto(proto)
			a := args(cmd...)
			allocs[i] = testing.AllocsPerRun(200, func() {
				out.Reset()
				s.execute(c, a)
				c.out.Flush()
			})
		}
		if allocs[1] > allocs[0] {
			t.Errorf("%v: %.1f allocations in RESP3, %.1f in RESP2", cmd, allocs[1], allocs[0])
		}
	}
}

// BenchmarkTypedReplies runs each typed command in both protocols, to
// compare the cost of RESP3 encoding with RESP2's.
func BenchmarkTypedReplies(b *testing.B) {
	s, c, out := startFake(b)
	seedTyped(s, c)
	for _, cmd := range typedReplies {
		for _, proto := range []int{2, 3} {
			b.Run(cmd[0]+"/resp"+strconv.Itoa(proto), func(b *testing.B) {
				c.setProto(proto)
				a := args(cmd...)
				b.ReportAllocs()
				for i := 0; i < b.N; i++ {
					out.Reset()
					s.execute(c, a)
					c.out.Flush()
				}
			})
		}
	}
}
