package store

import (
	"encoding/binary"
	"math"
	"strconv"

	"github.com/cairn-db/cairn/protocol/num"
)

// This file writes DUMP payloads Redis 7.0 restores. It emits the plain
// RDB types (STRING, LIST, SET, HASH, ZSET_2) rather than Redis's
// listpack and intset blobs: Redis 7.0 loads them and picks its compact
// encodings itself from the sizes, so the restored value is the same;
// only the bytes differ from Redis's own DUMP.

// appendRDBLen appends an RDB length.
func appendRDBLen(b []byte, n uint64) []byte {
	switch {
	case n < 1<<6:
		return append(b, byte(n))
	case n < 1<<14:
		return append(b, byte(n>>8)|0x40, byte(n))
	case n <= math.MaxUint32:
		return binary.BigEndian.AppendUint32(append(b, 0x80), uint32(n))
	}
	return binary.BigEndian.AppendUint64(append(b, 0x81), n)
}

// appendRDBString appends a string as Redis's rdbSaveRawString does: a
// short canonical integer that fits 32 bits in its integer encoding, a
// string over 20 bytes LZF-compressed when that saves space
// (rdbcompression's default), otherwise the raw bytes.
func appendRDBString(b, s []byte) []byte { return appendRDBStringZ(b, s, nil) }

// appendRDBStringZ is appendRDBString with LZF working memory to reuse
// (nil: allocate one if needed).
func appendRDBStringZ(b, s []byte, z *lzfScratch) []byte {
	if len(s) <= 11 && len(s) > 0 {
		var buf [20]byte
		if v, ok := num.ParseInt(s); ok && v >= math.MinInt32 && v <= math.MaxInt32 && string(strconv.AppendInt(buf[:0], v, 10)) == string(s) {
			switch {
			case v >= math.MinInt8 && v <= math.MaxInt8:
				return append(b, 0xc0|rdbEncInt8, byte(v))
			case v >= math.MinInt16 && v <= math.MaxInt16:
				return binary.LittleEndian.AppendUint16(append(b, 0xc0|rdbEncInt16), uint16(v))
			default:
				return binary.LittleEndian.AppendUint32(append(b, 0xc0|rdbEncInt32), uint32(v))
			}
		}
	}
	if len(s) > 20 && (z == nil || !z.raw) {
		if z == nil {
			z = lzfScratchPool.Get().(*lzfScratch)
			defer lzfScratchPool.Put(z)
		}
		if c := lzfCompress(s, len(s)-4, z); c != nil {
			b = append(b, 0xc0|rdbEncLZF)
			b = appendRDBLen(b, uint64(len(c)))
			b = appendRDBLen(b, uint64(len(s)))
			return append(b, c...)
		}
	}
	return append(appendRDBLen(b, uint64(len(s))), s...)
}

// encodeDump serializes e's value as a DUMP payload: the object, the RDB
// version (2 bytes) and the CRC-64 of both (8 bytes), little-endian.
func (s *Store) encodeDump(e *entry) []byte {
	z := s.lzf()
	defer lzfScratchPool.Put(z)
	b := appendRDBObject(make([]byte, 0, e.memory()+16), e, z) // about the value's size
	b = binary.LittleEndian.AppendUint16(b, rdbVersion)
	return binary.LittleEndian.AppendUint64(b, crc64(0, b))
}

// lzf returns LZF working memory from the pool, set as rdbcompression
// is: the caller puts it back.
func (s *Store) lzf() *lzfScratch {
	z := lzfScratchPool.Get().(*lzfScratch)
	z.raw = s.noCompression.Load()
	return z
}

// SetRDBCompression is Redis's rdbcompression: whether strings of over 20
// bytes are LZF-compressed in RDB files and DUMP payloads.
func (s *Store) SetRDBCompression(on bool) { s.noCompression.Store(!on) }

// appendRDBObject appends e's value as an RDB object: its type byte, then
// the value. z is LZF working memory, reused across strings.
func appendRDBObject(b []byte, e *entry, z *lzfScratch) []byte {
	str := func(b, s []byte) []byte { return appendRDBStringZ(b, s, z) }
	switch e.kind() {
	case KindString:
		b = str(append(b, rdbTypeString), e.val())
	case KindList:
		l := e.list()
		b = appendRDBLen(append(b, rdbTypeList), uint64(l.n))
		l.each(0, func(_ int, v []byte) bool {
			b = str(b, v)
			return true
		})
	case KindSet:
		s := e.set()
		b = appendRDBLen(append(b, rdbTypeSet), uint64(s.n))
		s.each(func(m []byte) { b = str(b, m) })
	case KindHash:
		h := e.hash()
		b = appendRDBLen(append(b, rdbTypeHash), uint64(h.n))
		h.each(func(f, v []byte) { b = str(str(b, f), v) })
	case KindZSet:
		z := e.zset()
		b = appendRDBLen(append(b, rdbTypeZSet2), uint64(z.n))
		z.walk(0, z.n, false, func(m []byte, s float64) bool {
			b = binary.LittleEndian.AppendUint64(str(b, m), math.Float64bits(s))
			return true
		})
	case KindStream:
		b = appendRDBStream(b, e.stream())
	default:
		e.wrongKind(KindString)
	}
	return b
}
