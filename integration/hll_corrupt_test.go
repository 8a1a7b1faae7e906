package integration

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// randomSparseHLL builds a sparse HyperLogLog string: a random run-length
// body covering the 16384 registers, then, most of the time, damaged (a
// byte dropped, added or changed, or the end cut off).
func randomSparseHLL(r *rand.Rand) string {
	b := []byte("HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80")
	for left := 16384; left > 0; {
		switch n := min(left, 1+r.IntN(r.IntN(3)*3000+64)); {
		case r.IntN(3) == 0:
			v, k := 1+r.IntN(32), min(left, 1+r.IntN(4))
			b = append(b, byte((v-1)<<2|(k-1))|0x80)
			left -= k
		case n <= 64 && r.IntN(2) == 0:
			b = append(b, byte(n-1))
			left -= n
		default:
			b = append(b, byte((n-1)>>8)|0x40, byte(n-1))
			left -= n
		}
	}
	switch r.IntN(6) {
	case 0:
		i := 16 + r.IntN(len(b)-16)
		b = append(b[:i], b[i+1:]...)
	case 1:
		i := 16 + r.IntN(len(b)-16)
		b = append(b[:i], append([]byte{byte(r.IntN(256))}, b[i:]...)...)
	case 2:
		b[16+r.IntN(len(b)-16)] = byte(r.IntN(256))
	case 3:
		b = b[:16+r.IntN(len(b)-16)]
	}
	return string(b)
}

// TestHyperLogLogCorruptMatchesRedis sets random, mostly damaged sparse
// HyperLogLogs on Cairn and redis-server and checks that PFADD, PFCOUNT
// and PFMERGE answer the same (a value, WRONGTYPE or INVALIDOBJ) and leave
// the same bytes, under a small and the default hll-sparse-max-bytes.
func TestHyperLogLogCorruptMatchesRedis(t *testing.T) {
	both := sideBySide(t)
	r := rand.New(rand.NewPCG(7, 11))
	both("pfadd", "good", "a", "b", "c")
	for i := 0; i < 1500; i++ {
		if i%300 == 0 {
			both("config", "set", "hll-sparse-max-bytes", fmt.Sprint([]int{3000, 20, 100}[i/300%3]))
		}
		k := fmt.Sprint("c", i%10)
		both("set", k, randomSparseHLL(r))
		switch r.IntN(4) {
		case 0:
			both("pfcount", k)
		case 1:
			both("pfcount", k, "good")
		case 2:
			both("pfmerge", "dest", k)
			both("get", "dest")
		}
		both("pfadd", k, fmt.Sprint("x", r.IntN(1000)), fmt.Sprint("y", r.IntN(1000)))
		both("get", k)
		both("pfcount", k)
		both("get", k)
	}
}
