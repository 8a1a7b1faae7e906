package store

import (
	"encoding/binary"
	"math"
	"math/bits"
)

// Bit operations on a string's bytes, as Redis's bitops.c defines them:
// bit 0 is the most significant bit of byte 0, and bits past the end of
// the string read as 0.

// BitRange is the optional [start end [BYTE|BIT]] range of BITCOUNT and
// BITPOS. Start and End are inclusive and count from the end when
// negative, in bytes or, with Bit, in bits.
type BitRange struct {
	Start, End int64
	HasStart   bool // a range was given at all
	HasEnd     bool // BITPOS: an end was given (BITCOUNT always has one)
	Bit        bool // the range counts bits, not bytes
}

// resolve turns r into an inclusive range of bit positions inside a
// string of n bytes; ok is false when the range is empty.
func (r BitRange) resolve(n int) (from, to uint64, ok bool) {
	start, end := int64(0), int64(n)-1
	if r.HasStart {
		total := int64(n)
		if r.Bit {
			total <<= 3
		}
		start, end = r.Start, total-1
		if r.HasEnd {
			end = r.End
		}
		if start < 0 {
			start += total
		}
		if end < 0 {
			end += total
		}
		start, end = max(start, 0), max(end, 0)
		end = min(end, total-1)
		if start > end {
			return 0, 0, false
		}
		if r.Bit {
			return uint64(start), uint64(end), true
		}
	}
	if start > end {
		return 0, 0, false
	}
	return uint64(start) << 3, uint64(end)<<3 | 7, true
}

// BitCount counts the set bits of v inside r (BITCOUNT).
func BitCount(v []byte, r BitRange) int64 {
	if r.HasStart && r.Start < 0 && r.End < 0 && r.Start > r.End {
		return 0
	}
	from, to, ok := r.resolve(len(v))
	if !ok {
		return 0
	}
	fb, tb := from>>3, to>>3
	n := popcount(v[fb : tb+1])
	// Take back the bits of the edge bytes that lie outside the range.
	n -= bits.OnesCount8(v[fb] & ^byte(0xff>>(from&7)))
	n -= bits.OnesCount8(v[tb] & byte(0xff>>(to&7+1)))
	return int64(n)
}

func popcount(b []byte) int {
	n := 0
	for len(b) >= 8 {
		n += bits.OnesCount64(binary.LittleEndian.Uint64(b))
		b = b[8:]
	}
	for _, c := range b {
		n += bits.OnesCount8(c)
	}
	return n
}

// BitPos returns the position of the first bit of v equal to bit inside
// r, or -1 (BITPOS). Looking for a clear bit without an explicit end
// treats the string as padded with zeros: when the range holds none, the
// answer is the first bit past it.
func BitPos(v []byte, bit int, r BitRange) int64 {
	from, to, ok := r.resolve(len(v))
	if !ok {
		return -1
	}
	if p := findBit(v, bit, from, to); p >= 0 {
		return p
	}
	if bit == 0 && !r.HasEnd {
		return int64(to) + 1
	}
	return -1
}

// findBit returns the first position in [from, to] whose bit is bit, or -1.
func findBit(v []byte, bit int, from, to uint64) int64 {
	skip := byte(0) // a byte with no bit of interest
	if bit == 0 {
		skip = 0xff
	}
	skip64 := uint64(0) - uint64(skip&1)
	for p := from; p <= to; {
		i := p >> 3
		if p&7 == 0 && p+63 <= to && i+8 <= uint64(len(v)) && binary.LittleEndian.Uint64(v[i:]) == skip64 {
			p += 64
			continue
		}
		if p&7 == 0 && p+7 <= to && v[i] == skip {
			p += 8
			continue
		}
		if int(v[i]>>(7-p&7)&1) == bit {
			return int64(p)
		}
		p++
	}
	return -1
}

// BitOpKind is a BITOP operation.
type BitOpKind int

// BITOP operations.
const (
	BitAnd BitOpKind = iota
	BitOr
	BitXor
	BitNot
)

// BitOp combines srcs byte by byte into a new slice as long as the
// longest, missing bytes reading as zero (BITOP). NOT takes one source.
func BitOp(op BitOpKind, srcs [][]byte) []byte {
	n := 0
	for _, s := range srcs {
		n = max(n, len(s))
	}
	if n == 0 {
		return nil
	}
	out := make([]byte, n)
	copy(out, srcs[0])
	switch op {
	case BitNot:
		for i := range out {
			out[i] = ^out[i]
		}
	case BitAnd:
		for _, s := range srcs[1:] {
			for i := range out {
				if i < len(s) {
					out[i] &= s[i]
				} else {
					out[i] = 0
				}
			}
		}
	case BitOr:
		for _, s := range srcs[1:] {
			for i, c := range s {
				out[i] |= c
			}
		}
	case BitXor:
		for _, s := range srcs[1:] {
			for i, c := range s {
				out[i] ^= c
			}
		}
	}
	return out
}

// Overflow is how BITFIELD's SET and INCRBY treat a value that does not
// fit the field.
type Overflow int

// Overflow modes.
const (
	OverflowWrap Overflow = iota // wrap around, modulo the field's range
	OverflowSat                  // saturate at the field's minimum or maximum
	OverflowFail                 // do nothing and reply nil
)

// BitFieldType is a BITFIELD integer type: i1..i64 or u1..u63.
type BitFieldType struct {
	Signed bool
	Bits   int
}

// getField reads a field of t.Bits bits at bit offset off, MSB first, bits
// past the end of v reading as 0.
func getField(v []byte, off uint64, nbits int) uint64 {
	var x uint64
	for i := uint64(0); i < uint64(nbits); i++ {
		p := off + i
		var b byte
		if p>>3 < uint64(len(v)) {
			b = v[p>>3]
		}
		x = x<<1 | uint64(b>>(7-p&7)&1)
	}
	return x
}

// setField writes the low nbits bits of x at bit offset off; v is long
// enough.
func setField(v []byte, off uint64, nbits int, x uint64) {
	for i := uint64(0); i < uint64(nbits); i++ {
		p := off + i
		mask := byte(1) << (7 - p&7)
		if x>>(uint64(nbits)-1-i)&1 != 0 {
			v[p>>3] |= mask
		} else {
			v[p>>3] &^= mask
		}
	}
}

// value interprets the raw field x as t does (sign-extending a signed one).
func (t BitFieldType) value(x uint64) int64 {
	if t.Signed && t.Bits < 64 && x>>(t.Bits-1)&1 != 0 {
		x |= math.MaxUint64 << t.Bits
	}
	return int64(x)
}

// add computes value+incr for a field of type t under mode o, as Redis's
// checkSignedBitfieldOverflow / checkUnsignedBitfieldOverflow do. It
// returns the value to store and whether it overflowed.
func (t BitFieldType) add(value, incr int64, o Overflow) (int64, bool) {
	if t.Signed {
		maxv := int64(math.MaxInt64)
		if t.Bits < 64 {
			maxv = 1<<(t.Bits-1) - 1
		}
		minv := -maxv - 1
		maxincr := int64(uint64(maxv) - uint64(value))
		minincr := minv - value
		wrap := func() int64 {
			c := uint64(value) + uint64(incr)
			if t.Bits < 64 {
				mask := uint64(math.MaxUint64) << t.Bits
				if c&(1<<(t.Bits-1)) != 0 {
					c |= mask
				} else {
					c &^= mask
				}
			}
			return int64(c)
		}
		switch {
		case value > maxv || (t.Bits != 64 && incr > maxincr) || (value >= 0 && incr > 0 && incr > maxincr):
			if o == OverflowSat {
				return maxv, true
			}
			return wrap(), true
		case value < minv || (t.Bits != 64 && incr < minincr) || (value < 0 && incr < 0 && incr < minincr):
			if o == OverflowSat {
				return minv, true
			}
			return wrap(), true
		}
		return value + incr, false
	}
	uv := uint64(value)
	maxv := uint64(1)<<t.Bits - 1
	maxincr := int64(maxv - uv)
	minincr := -int64(uv)
	wrap := int64((uv + uint64(incr)) &^ (uint64(math.MaxUint64) << t.Bits))
	switch {
	case uv > maxv || (incr > 0 && incr > maxincr):
		if o == OverflowSat {
			return int64(maxv), true
		}
		return wrap, true
	case incr < 0 && incr < minincr:
		if o == OverflowSat {
			return 0, true
		}
		return wrap, true
	}
	return int64(uv + uint64(incr)), false
}
