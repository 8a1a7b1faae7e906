package store

import (
	"math/big"
	"math/rand/v2"
	"testing"
)

// redisBitpos is redisBitpos from Redis's bitops.c, bit by bit: the
// first bit equal to bit in p, -1 for a set bit not found, and the first
// bit past p for a clear bit not found.
func redisBitpos(p []byte, bit int) int64 {
	for i := range len(p) * 8 {
		if int(p[i/8]>>(7-i%8)&1) == bit {
			return int64(i)
		}
	}
	if bit == 1 {
		return -1
	}
	return int64(len(p)) * 8
}

// refBitPos is a literal port of Redis 7.0's bitposCommand after argument
// parsing, masks and all, to check BitPos's simpler formulation.
func refBitPos(p []byte, bit int, r BitRange) int64 {
	strlen := int64(len(p))
	var start, end int64
	var first, last byte
	if r.HasStart {
		totlen := strlen
		start = r.Start
		if r.HasEnd {
			end = r.End
		} else if r.Bit {
			end = totlen<<3 + 7
		} else {
			end = totlen - 1
		}
		if r.Bit {
			totlen <<= 3
		}
		if start < 0 {
			start += totlen
		}
		if end < 0 {
			end += totlen
		}
		start, end = max(start, 0), max(end, 0)
		if end >= totlen {
			end = totlen - 1
		}
		if r.Bit && start <= end {
			first = ^byte((1 << (8 - start&7)) - 1)
			last = byte((1 << (7 - end&7)) - 1)
			start >>= 3
			end >>= 3
		}
	} else {
		start, end = 0, strlen-1
	}
	if start > end {
		return -1
	}
	bytes := end - start + 1
	var pos int64
	var tmp byte
	if first != 0 {
		if bit == 1 {
			tmp = p[start] &^ first
		} else {
			tmp = p[start] | first
		}
		if last != 0 && bytes == 1 {
			if bit == 1 {
				tmp &^= last
			} else {
				tmp |= last
			}
		}
		pos = redisBitpos([]byte{tmp}, bit)
		if bytes == 1 || (pos != -1 && pos != 8) {
			goto result
		}
		start++
		bytes--
	}
	{
		cur := bytes
		if last != 0 {
			cur--
		}
		if cur > 0 {
			pos = redisBitpos(p[start:start+cur], bit)
			if bytes == cur || (pos != -1 && pos != cur<<3) {
				goto result
			}
			start += cur
			bytes -= cur
		}
		if bit == 1 {
			tmp = p[end] &^ last
		} else {
			tmp = p[end] | last
		}
		pos = redisBitpos([]byte{tmp}, bit)
	}
result:
	if r.HasEnd && bit == 0 && pos == bytes<<3 {
		return -1
	}
	if pos != -1 {
		pos += start << 3
	}
	return pos
}

// refBitCount counts bit by bit over Redis 7.0's resolved range.
func refBitCount(p []byte, r BitRange) int64 {
	total := int64(len(p))
	start, end := int64(0), total-1
	if r.HasStart {
		if r.Start < 0 && r.End < 0 && r.Start > r.End {
			return 0
		}
		if r.Bit {
			total <<= 3
		}
		start, end = r.Start, r.End
		if start < 0 {
			start += total
		}
		if end < 0 {
			end += total
		}
		start, end = max(start, 0), max(end, 0)
		end = min(end, total-1)
		if !r.Bit {
			start, end = start*8, end*8+7
		}
	} else {
		start, end = 0, total*8-1
	}
	n := int64(0)
	for i := start; i <= end; i++ {
		n += int64(p[i/8] >> (7 - i%8) & 1)
	}
	return n
}

// TestBitPosCountMatchRedisAlgorithm checks BitPos and BitCount against
// ports of Redis's code on random strings and ranges.
func TestBitPosCountMatchRedisAlgorithm(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	pick := []byte{0x00, 0xff, 0x80, 0x01, 0x7f, 0xfe}
	for i := 0; i < 200_000; i++ {
		p := make([]byte, r.IntN(20))
		for j := range p {
			if r.IntN(3) == 0 {
				p[j] = byte(r.IntN(256))
			} else {
				p[j] = pick[r.IntN(len(pick))]
			}
		}
		lim := int64(len(p))*10 + 3
		rg := BitRange{HasStart: r.IntN(5) != 0, Bit: r.IntN(2) == 0,
			Start: r.Int64N(2*lim) - lim, End: r.Int64N(2*lim) - lim}
		rg.HasEnd = rg.HasStart && r.IntN(3) != 0
		bit := r.IntN(2)
		if got, want := BitPos(p, bit, rg), refBitPos(p, bit, rg); got != want {
			t.Fatalf("BitPos(%x, %d, %+v) = %d, Redis's algorithm gives %d", p, bit, rg, got, want)
		}
		rg.HasEnd = rg.HasStart
		if got, want := BitCount(p, rg), refBitCount(p, rg); got != want {
			t.Fatalf("BitCount(%x, %+v) = %d, want %d", p, rg, got, want)
		}
	}
}

// TestBitFieldAddMatchesArithmetic checks the overflow rules against
// exact arithmetic: WRAP is the sum modulo 2^bits, SAT clamps it, and
// an overflow is a sum outside the type's range.
func TestBitFieldAddMatchesArithmetic(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	edge := []int64{0, 1, -1, 2, -2, 127, -128, 255, 1 << 62, -1 << 63, 1<<63 - 1, 1<<63 - 2, -1<<63 + 1}
	draw := func() int64 {
		if r.IntN(2) == 0 {
			return edge[r.IntN(len(edge))]
		}
		return int64(r.Uint64()) >> r.IntN(64)
	}
	for i := 0; i < 300_000; i++ {
		signed := r.IntN(2) == 0
		bits := 1 + r.IntN(64)
		if !signed && bits == 64 {
			bits = 63
		}
		t1 := BitFieldType{Signed: signed, Bits: bits}
		// An INCRBY starts from a value the field can hold; a SET is an
		// add of 0 to any value.
		value, incr := draw(), draw()
		if r.IntN(3) == 0 {
			incr = 0
		} else {
			value = t1.value(uint64(value) &^ (^uint64(0) << bits))
			if bits == 64 {
				value = draw()
			}
		}
		lo, hi := new(big.Int), new(big.Int).Lsh(big.NewInt(1), uint(bits))
		if signed {
			lo.Neg(new(big.Int).Lsh(big.NewInt(1), uint(bits-1)))
			hi.Lsh(big.NewInt(1), uint(bits-1))
		}
		hi.Sub(hi, big.NewInt(1))
		v := big.NewInt(value)
		if !signed {
			v.SetUint64(uint64(value))
		}
		sum := new(big.Int).Add(v, big.NewInt(incr))
		wantOver := sum.Cmp(lo) < 0 || sum.Cmp(hi) > 0
		mod := new(big.Int).Lsh(big.NewInt(1), uint(bits))
		wrapped := new(big.Int).Mod(sum, mod)
		if signed && wrapped.Cmp(hi) > 0 {
			wrapped.Sub(wrapped, mod)
		}
		for _, o := range []Overflow{OverflowWrap, OverflowSat, OverflowFail} {
			got, over := t1.add(value, incr, o)
			if over != wantOver {
				t.Fatalf("%+v add(%d, %d): overflow %v, want %v", t1, value, incr, over, wantOver)
			}
			want := sum
			switch {
			case !over:
			case o == OverflowSat && (sum.Cmp(hi) > 0 || satQuirk(t1, value, incr)):
				want = hi
			case o == OverflowSat:
				want = lo
			case o == OverflowWrap:
				want = wrapped
			default:
				continue // FAIL stores nothing
			}
			if big.NewInt(got).Cmp(want) != 0 {
				t.Fatalf("%+v add(%d, %d) mode %d = %d, want %s", t1, value, incr, o, got, want)
			}
		}
	}
}

// satQuirk reports Redis's checkSignedBitfieldOverflow treating a SET of
// a value so negative that max-value overflows int64 as an overflow
// upwards: OVERFLOW SAT then stores the maximum (BITFIELD k OVERFLOW SAT
// SET i8 0 -9223372036854775800 stores 127 in redis-server 7.0.15).
func satQuirk(t BitFieldType, value, incr int64) bool {
	if !t.Signed || t.Bits == 64 || incr != 0 {
		return false
	}
	maxv := int64(1)<<(t.Bits-1) - 1
	return int64(uint64(maxv)-uint64(value)) < 0
}
