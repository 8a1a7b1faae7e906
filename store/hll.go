package store

import (
	"encoding/binary"
	"math"
	"math/bits"
)

// This file is Redis's HyperLogLog (src/hyperloglog.c, Redis 7.0) as pure
// functions on the string that holds it, so that the bytes PFADD, PFMERGE
// and PFCOUNT leave behind are the bytes Redis leaves: GET, DUMP-free
// copies between the servers and clients that parse the header all agree.
//
// The string is a 16-byte header — "HYLL", the encoding (0 dense, 1
// sparse), 3 unused bytes, the cached cardinality as 8 little-endian bytes
// whose top bit marks it stale — followed by the registers:
//
//   - dense: 16384 registers of 6 bits, packed from each byte's least
//     significant bit up (12288 bytes);
//   - sparse: run-length opcodes. ZERO 00xxxxxx is 1..64 zero registers,
//     XZERO 01xxxxxx yyyyyyyy 1..16384 zero registers, VAL 1vvvvvxx 1..4
//     registers of value 1..32.
//
// Redis reads one byte past the end of the string in places (an sds string
// ends with a zero byte, which a corrupt string's last opcode can
// overwrite); byteAt and hllEdit reproduce that byte, so corrupt input is
// handled as Redis handles it, without reading out of bounds. Redis 7.0.15
// also treats a VAL opcode past the last register as corrupt.

const (
	hllP         = 14
	hllQ         = 64 - hllP
	hllRegisters = 1 << hllP
	hllPMask     = hllRegisters - 1
	hllBits      = 6
	hllRegMax    = 1<<hllBits - 1
	hllHdrSize   = 16
	// hllDenseSize is the length of every dense HyperLogLog string.
	hllDenseSize = hllHdrSize + (hllRegisters*hllBits+7)/8

	hllEncDense  = 0
	hllEncSparse = 1

	hllSparseValMaxValue = 32
	hllSparseValMaxLen   = 4
	hllSparseZeroMaxLen  = 64
	hllSparseXZeroMaxLen = 16384

	// HLLSparseMaxBytes is hll-sparse-max-bytes' default: a sparse
	// HyperLogLog that would grow past it becomes dense.
	HLLSparseMaxBytes = 3000

	hllAlphaInf = 0.721347520444481703680 // 0.5/ln(2)
)

// hllSeed is the MurmurHash64A seed Redis hashes elements with.
const hllSeed = 0xadc83b19

// byteAt is b[i], or the zero that ends an sds string past its end.
func byteAt(b []byte, i int) byte {
	if i < len(b) {
		return b[i]
	}
	return 0
}

// Sparse opcodes.
func sparseIsZero(op byte) bool  { return op&0xc0 == 0 }
func sparseIsXZero(op byte) bool { return op&0xc0 == 0x40 }
func sparseIsVal(op byte) bool   { return op&0x80 != 0 }
func sparseZeroLen(op byte) int  { return int(op&0x3f) + 1 }

// sparseXZeroLen is the run length of the XZERO opcode at p of a string
// at rest (see hllEdit for one being changed).
func sparseXZeroLen(b []byte, p int) int {
	return (int(b[p]&0x3f)<<8 | int(byteAt(b, p+1))) + 1
}
func sparseValValue(op byte) int { return int(op>>2&0x1f) + 1 }
func sparseValLen(op byte) int   { return int(op&0x3) + 1 }
func sparseVal(val, n int) byte  { return byte((val-1)<<2|(n-1)) | 0x80 }
func sparseZero(n int) byte      { return byte(n - 1) }

func appendSparseXZero(b []byte, n int) []byte {
	n--
	return append(b, byte(n>>8)|0x40, byte(n))
}

// MurmurHash64A is Redis's 64-bit MurmurHash2 (endian-neutral).
func murmurHash64A(key []byte, seed uint64) uint64 {
	const m = 0xc6a4a7935bd1e995
	const r = 47
	h := seed ^ uint64(len(key))*m
	n := len(key) &^ 7
	for i := 0; i < n; i += 8 {
		k := binary.LittleEndian.Uint64(key[i:])
		k *= m
		k ^= k >> r
		k *= m
		h ^= k
		h *= m
	}
	tail := key[n:]
	switch len(tail) {
	case 7:
		h ^= uint64(tail[6]) << 48
		fallthrough
	case 6:
		h ^= uint64(tail[5]) << 40
		fallthrough
	case 5:
		h ^= uint64(tail[4]) << 32
		fallthrough
	case 4:
		h ^= uint64(tail[3]) << 24
		fallthrough
	case 3:
		h ^= uint64(tail[2]) << 16
		fallthrough
	case 2:
		h ^= uint64(tail[1]) << 8
		fallthrough
	case 1:
		h ^= uint64(tail[0])
		h *= m
	}
	h ^= h >> r
	h *= m
	h ^= h >> r
	return h
}

// hllPatLen hashes an element to its register and the length of the
// 000…1 pattern that follows the index bits (1..Q+1).
func hllPatLen(ele []byte) (index int, count int) {
	hash := murmurHash64A(ele, hllSeed)
	index = int(hash & hllPMask)
	hash >>= hllP
	hash |= 1 << hllQ // the loop in Redis stops here: count <= Q+1
	return index, bits.TrailingZeros64(hash) + 1
}

// newHLL returns an empty HyperLogLog: sparse, one XZERO opcode.
func newHLL() []byte {
	h := make([]byte, hllHdrSize, hllHdrSize+2)
	copy(h, "HYLL")
	h[4] = hllEncSparse
	return appendSparseXZero(h, hllRegisters)
}

// hllValid reports whether a string can be operated on as a HyperLogLog,
// as isHLLObjectOrReply checks: header, magic, a known encoding, and the
// exact length when dense. A sparse body is only checked when read.
func hllValid(h []byte) bool {
	if len(h) < hllHdrSize || string(h[:4]) != "HYLL" || h[4] > hllEncSparse {
		return false
	}
	return h[4] != hllEncDense || len(h) == hllDenseSize
}

// hllInvalidate marks the cached cardinality stale.
func hllInvalidate(h []byte) { h[15] |= 0x80 }

// hllCached returns the cached cardinality when it is valid.
func hllCached(h []byte) (uint64, bool) {
	if h[15]&0x80 != 0 {
		return 0, false
	}
	return binary.LittleEndian.Uint64(h[8:16]), true
}

// denseGet is the register at index i of the dense registers r.
func denseGet(r []byte, i int) int {
	b := i * hllBits / 8
	fb := uint(i * hllBits & 7)
	b0, b1 := uint(r[b]), uint(byteAt(r, b+1))
	return int((b0>>fb | b1<<(8-fb)) & hllRegMax)
}

// denseSet sets the register at index i of r to v.
func denseSet(r []byte, i, v int) {
	b := i * hllBits / 8
	fb := uint(i * hllBits & 7)
	uv := uint(v)
	r[b] &^= byte(hllRegMax << fb)
	r[b] |= byte(uv << fb)
	// The last register ends in its own byte: Redis's write past the
	// end changes nothing.
	if b+1 < len(r) {
		r[b+1] &^= byte(hllRegMax >> (8 - fb))
		r[b+1] |= byte(uv >> (8 - fb))
	}
}

// hllDenseSet raises register index to count; it reports a change.
func hllDenseSet(r []byte, index, count int) bool {
	if count > denseGet(r, index) {
		denseSet(r, index, count)
		return true
	}
	return false
}

// hllEdit is a HyperLogLog string being changed by one command, with the
// byte past its end that Redis's code reads and writes (see byteAt): 0
// when the command starts, it can become the tail of an opcode written
// over a truncated last one. Reads of a string at rest take it as 0.
type hllEdit struct {
	h    []byte
	term byte
	// dirty marks the chunks of a dense string whose registers changed
	// (bit i: bytes from i*chunkSize), which hllSave writes. A dense
	// string has 13.
	dirty uint64
}

// xzeroLen is the run length of the XZERO opcode at p.
func (e *hllEdit) xzeroLen(p int) int {
	next := e.term
	if p+1 < len(e.h) {
		next = e.h[p+1]
	}
	return (int(e.h[p]&0x3f)<<8 | int(next)) + 1
}

// toDense converts a sparse HyperLogLog to dense, keeping the header
// (magic, unused bytes, cached cardinality). It reports false, leaving
// the string as it was, for a sparse body that does not describe exactly
// the 16384 registers.
func (e *hllEdit) toDense() bool {
	h := e.h
	if h[4] == hllEncDense {
		return true
	}
	dense := make([]byte, hllDenseSize)
	copy(dense, h[:hllHdrSize])
	dense[4] = hllEncDense
	r := dense[hllHdrSize:]
	idx := 0
	for p := hllHdrSize; p < len(h); {
		switch op := h[p]; {
		case sparseIsZero(op):
			idx += sparseZeroLen(op)
			p++
		case sparseIsXZero(op):
			idx += e.xzeroLen(p)
			p += 2
		default:
			n, v := sparseValLen(op), sparseValValue(op)
			if n+idx > hllRegisters {
				return false // a VAL past the last register
			}
			for ; n > 0; n-- {
				denseSet(r, idx, v)
				idx++
			}
			p++
		}
	}
	if idx != hllRegisters {
		return false
	}
	e.h, e.term = dense, 0
	return true
}

// sparseSet raises register index of the sparse HyperLogLog to count, as
// Redis's hllSparseSet: in place when it can, splitting the opcode that
// covers the register otherwise, and promoting the string to dense when
// count does not fit a VAL opcode or the string would grow past maxBytes.
// It returns 1 when the register changed, 0 when it did not, -1 when the
// string is corrupt.
func (e *hllEdit) sparseSet(index, count int, maxBytes int64) int {
	if count > hllSparseValMaxValue {
		return e.promote(index, count)
	}
	h := e.h
	// Step 1: find the opcode covering index.
	end := len(h)
	p, first, span := hllHdrSize, 0, 0
	prev := -1
	for p < end {
		oplen := 1
		switch op := h[p]; {
		case sparseIsZero(op):
			span = sparseZeroLen(op)
		case sparseIsVal(op):
			span = sparseValLen(op)
		default:
			span = e.xzeroLen(p)
			oplen = 2
		}
		if index <= first+span-1 {
			break
		}
		prev = p
		p += oplen
		first += span
	}
	if span == 0 || p >= end {
		return -1
	}
	op := h[p]
	next := p + 1
	if sparseIsXZero(op) {
		next = p + 2
	}
	if next >= end {
		next = -1
	}
	isZero, isXZero, isVal := sparseIsZero(op), sparseIsXZero(op), sparseIsVal(op)
	var runlen int
	switch {
	case isZero:
		runlen = sparseZeroLen(op)
	case isXZero:
		runlen = e.xzeroLen(p)
	default:
		runlen = sparseValLen(op)
	}

	// Step 2: the cases that update the opcode in place.
	switch {
	case isVal && sparseValValue(op) >= count:
		return 0
	case isVal && runlen == 1, isZero && runlen == 1:
		h[p] = sparseVal(count, 1)
		e.mergeVals(prev)
		return 1
	}

	// The general case: split the opcode into up to three.
	var seqBuf [5]byte
	seq := seqBuf[:0]
	last := first + span - 1
	if isZero || isXZero {
		zeros := func(n int) {
			if n > hllSparseZeroMaxLen {
				seq = appendSparseXZero(seq, n)
			} else {
				seq = append(seq, sparseZero(n))
			}
		}
		if index != first {
			zeros(index - first)
		}
		seq = append(seq, sparseVal(count, 1))
		if index != last {
			zeros(last - index)
		}
	} else {
		cur := sparseValValue(op)
		if index != first {
			seq = append(seq, sparseVal(cur, index-first))
		}
		seq = append(seq, sparseVal(count, 1))
		if index != last {
			seq = append(seq, sparseVal(cur, last-index))
		}
	}

	// Step 3: put the new sequence in place of the old opcode.
	oldlen := 1
	if isXZero {
		oldlen = 2
	}
	delta := len(seq) - oldlen
	if delta > 0 && int64(len(h)+delta) > maxBytes {
		return e.promote(index, count)
	}
	newLen := len(h) + delta
	if need := max(newLen, p+len(seq)); need > cap(h) {
		g := make([]byte, len(h), need+need/4)
		copy(g, h)
		h = g
	}
	if delta != 0 && next >= 0 {
		copy(h[next+delta:end+delta], h[next:end])
	}
	e.term = 0 // Redis's sdsIncrLen ends the string with a zero…
	if over := p + len(seq) - newLen; over > 0 {
		// …which the sequence overwrites when it replaced a truncated
		// last opcode: its tail lies past the end, where Redis reads it.
		e.term = seq[len(seq)-over]
		seq = seq[:len(seq)-over]
	}
	copy(h[p:newLen], seq)
	e.h = h[:newLen]
	e.mergeVals(prev)
	return 1
}

// promote converts the string to dense and sets the register there, as
// hllSparseSet's promote path.
func (e *hllEdit) promote(index, count int) int {
	if !e.toDense() {
		return -1
	}
	hllDenseSet(e.h[hllHdrSize:], index, count)
	return 1
}

// mergeVals is Step 4 of Redis's hllSparseSet: merge adjacent VAL opcodes
// of equal value, scanning up to 5 opcodes from prev, and mark the cached
// cardinality stale.
func (e *hllEdit) mergeVals(prev int) {
	h := e.h
	p := prev
	if p < 0 {
		p = hllHdrSize
	}
	end := len(h)
	for scan := 5; p < end && scan > 0; scan-- {
		op := h[p]
		if sparseIsXZero(op) {
			p += 2
			continue
		} else if sparseIsZero(op) {
			p++
			continue
		}
		if p+1 < end && sparseIsVal(h[p+1]) {
			v1, v2 := sparseValValue(op), sparseValValue(h[p+1])
			if v1 == v2 {
				if n := sparseValLen(op) + sparseValLen(h[p+1]); n <= hllSparseValMaxLen {
					h[p+1] = sparseVal(v1, n)
					copy(h[p:end-1], h[p+1:end])
					end--
					h = h[:end]
					e.term = 0 // sdsIncrLen(-1)
					// Retry p, to merge the new opcode with the next one
					// (this, like every pass, spends one of the 5 scans).
					continue
				}
			}
		}
		p++
	}
	hllInvalidate(h)
	e.h = h
}

// add adds one element to the HyperLogLog (already validated) and
// returns 1 (a register changed), 0 or -1 (corrupt).
func (e *hllEdit) add(ele []byte, maxBytes int64) int {
	index, count := hllPatLen(ele)
	switch e.h[4] {
	case hllEncDense:
		if e.denseSet(index, count) {
			return 1
		}
		return 0
	case hllEncSparse:
		return e.sparseSet(index, count, maxBytes)
	}
	return -1
}

// denseSet is hllDenseSet on a dense string, marking the chunks it
// changed.
func (e *hllEdit) denseSet(index, count int) bool {
	if !hllDenseSet(e.h[hllHdrSize:], index, count) {
		return false
	}
	b := hllHdrSize + index*hllBits/8 // the register's first byte of two
	e.dirty |= 1<<(b/chunkSize) | 1<<((b+1)/chunkSize)
	return true
}

// hllHisto counts the registers of h by value. ok is false for a sparse
// body that does not describe exactly 16384 registers.
func hllHisto(h []byte, histo *[64]int) bool {
	if h[4] == hllEncDense {
		r := h[hllHdrSize:]
		for i := 0; i+3 <= len(r); i += 3 {
			b0, b1, b2 := r[i], r[i+1], r[i+2]
			histo[b0&63]++
			histo[(b0>>6|b1<<2)&63]++
			histo[(b1>>4|b2<<4)&63]++
			histo[b2>>2&63]++
		}
		return true
	}
	idx := 0
	for p := hllHdrSize; p < len(h); {
		switch op := h[p]; {
		case sparseIsZero(op):
			n := sparseZeroLen(op)
			idx += n
			histo[0] += n
			p++
		case sparseIsXZero(op):
			n := sparseXZeroLen(h, p)
			idx += n
			histo[0] += n
			p += 2
		default:
			n := sparseValLen(op)
			idx += n
			histo[sparseValValue(op)] += n
			p++
		}
	}
	return idx == hllRegisters
}

// hllSigma and hllTau are the helper functions of Otmar Ertl's estimator
// ("New cardinality estimation algorithms for HyperLogLog sketches",
// arXiv:1702.01284), as Redis ≥ 5 uses them. The explicit float64
// conversions keep the compiler from fusing multiply-adds, which would
// round differently from Redis's code.
func hllSigma(x float64) float64 {
	if x == 1 {
		return math.Inf(1)
	}
	y, z := 1.0, x
	for {
		x = float64(x * x)
		zPrime := z
		z += float64(x * y)
		y += y
		if zPrime == z {
			return z
		}
	}
}

func hllTau(x float64) float64 {
	if x == 0 || x == 1 {
		return 0
	}
	y, z := 1.0, 1-x
	for {
		x = math.Sqrt(x)
		zPrime := z
		y *= 0.5
		d := 1 - x
		z -= float64(float64(d*d) * y)
		if zPrime == z {
			return z / 3
		}
	}
}

// hllEstimate is Redis's hllCount from a register histogram.
func hllEstimate(histo *[64]int) uint64 {
	m := float64(hllRegisters)
	z := float64(m * hllTau((m-float64(histo[hllQ+1]))/m))
	for j := hllQ; j >= 1; j-- {
		z += float64(histo[j])
		z *= 0.5
	}
	z += float64(m * hllSigma(float64(histo[0])/m))
	alpha := hllAlphaInf
	return uint64(math.Round(float64(float64(alpha*m)*m) / z))
}

// hllCount estimates the cardinality of h. ok is false when h is corrupt.
func hllCount(h []byte) (card uint64, ok bool) {
	var histo [64]int
	ok = hllHisto(h, &histo)
	return hllEstimate(&histo), ok
}

// hllMergeMax raises each of max's registers to h's; ok is false when h
// is a corrupt sparse HyperLogLog.
func hllMergeMax(max *[hllRegisters]uint8, h []byte) bool {
	if h[4] == hllEncDense {
		r := h[hllHdrSize:]
		for i := range max {
			if v := uint8(denseGet(r, i)); v > max[i] {
				max[i] = v
			}
		}
		return true
	}
	i := 0
	for p := hllHdrSize; p < len(h); {
		switch op := h[p]; {
		case sparseIsZero(op):
			i += sparseZeroLen(op)
			p++
		case sparseIsXZero(op):
			i += sparseXZeroLen(h, p)
			p += 2
		default:
			n, v := sparseValLen(op), uint8(sparseValValue(op))
			if n+i > hllRegisters {
				return false // a VAL past the last register
			}
			for ; n > 0; n-- {
				if v > max[i] {
					max[i] = v
				}
				i++
			}
			p++
		}
	}
	return i == hllRegisters
}

// hllMaxCount estimates the cardinality of registers held one per byte
// (PFCOUNT of several keys).
func hllMaxCount(max *[hllRegisters]uint8) uint64 {
	var histo [64]int
	for _, v := range max {
		histo[v]++
	}
	return hllEstimate(&histo)
}
