package store

import (
	"encoding/binary"
	"math"
	"strconv"
)

// RDB object types (Redis's rdb.h) that DUMP payloads carry.
const (
	rdbTypeString          = 0
	rdbTypeList            = 1
	rdbTypeSet             = 2
	rdbTypeZSet            = 3
	rdbTypeHash            = 4
	rdbTypeZSet2           = 5
	rdbTypeHashZipmap      = 9
	rdbTypeListZiplist     = 10
	rdbTypeSetIntset       = 11
	rdbTypeZSetZiplist     = 12
	rdbTypeHashZiplist     = 13
	rdbTypeListQuicklist   = 14
	rdbTypeStreamListpacks = 15
	rdbTypeHashListpack    = 16
	rdbTypeZSetListpack    = 17
	rdbTypeListQuicklist2  = 18
	rdbTypeStreamListpack2 = 19
	rdbTypeSetListpack     = 20 // Redis 7.2
)

// rdbVersion is the RDB version of the payloads DUMP writes and the newest
// RESTORE accepts: Redis 7.0's.
const rdbVersion = 10

// verifyDump checks a DUMP payload's footer (RDB version, then CRC-64 of
// everything before the checksum, both little-endian) as Redis's
// verifyDumpPayload does.
func verifyDump(p []byte) bool {
	if len(p) < 10 {
		return false
	}
	foot := p[len(p)-10:]
	return binary.LittleEndian.Uint16(foot) <= rdbVersion &&
		crc64(0, p[:len(p)-8]) == binary.LittleEndian.Uint64(foot[2:])
}

// rdbReader reads RDB-encoded values from a payload, refusing any length
// that runs past its end.
type rdbReader struct {
	b []byte
	p int
}

func (r *rdbReader) left() int { return len(r.b) - r.p }

func (r *rdbReader) byte() (byte, error) {
	if r.p >= len(r.b) {
		return 0, errBadData
	}
	r.p++
	return r.b[r.p-1], nil
}

func (r *rdbReader) bytes(n uint64) ([]byte, error) {
	if n > uint64(r.left()) {
		return nil, errBadData
	}
	v := r.b[r.p : r.p+int(n)]
	r.p += int(n)
	return v, nil
}

// rdbEncInt8… are the special string encodings of a length byte 11xxxxxx.
const (
	rdbEncInt8  = 0
	rdbEncInt16 = 1
	rdbEncInt32 = 2
	rdbEncLZF   = 3
)

// length reads an RDB length; special is set (with the encoding in n) for
// the 11xxxxxx forms that only strings use.
func (r *rdbReader) length() (n uint64, special bool, err error) {
	b, err := r.byte()
	if err != nil {
		return 0, false, err
	}
	switch b >> 6 {
	case 0:
		return uint64(b & 0x3f), false, nil
	case 1:
		c, err := r.byte()
		return uint64(b&0x3f)<<8 | uint64(c), false, err
	case 3:
		return uint64(b & 0x3f), true, nil
	}
	switch b {
	case 0x80:
		v, err := r.bytes(4)
		if err != nil {
			return 0, false, err
		}
		return uint64(binary.BigEndian.Uint32(v)), false, nil
	case 0x81:
		v, err := r.bytes(8)
		if err != nil {
			return 0, false, err
		}
		return binary.BigEndian.Uint64(v), false, nil
	}
	return 0, false, errBadData
}

// count reads a plain length used as an element count, bounded by the
// bytes left (each element takes at least one), so no caller can be made
// to loop or allocate beyond the payload's size.
func (r *rdbReader) count() (int, error) {
	n, special, err := r.length()
	if err != nil || special || n > uint64(r.left()) {
		return 0, errBadData
	}
	return int(n), nil
}

// str reads a string: raw, an integer encoding or LZF-compressed. The
// result may alias the payload; callers copy what they keep (the
// collections' add and set copy).
func (r *rdbReader) str() ([]byte, error) {
	n, special, err := r.length()
	if err != nil {
		return nil, err
	}
	if !special {
		return r.bytes(n)
	}
	switch n {
	case rdbEncInt8, rdbEncInt16, rdbEncInt32:
		w := 1 << n
		v, err := r.bytes(uint64(w))
		if err != nil {
			return nil, err
		}
		var u uint64
		for i := w - 1; i >= 0; i-- {
			u = u<<8 | uint64(v[i])
		}
		sh := 64 - 8*w
		return strconv.AppendInt(nil, int64(u<<sh)>>sh, 10), nil
	case rdbEncLZF:
		clen, cs, err := r.length()
		if err != nil || cs {
			return nil, errBadData
		}
		ulen, us, err := r.length()
		if err != nil || us {
			return nil, errBadData
		}
		c, err := r.bytes(clen)
		if err != nil {
			return nil, err
		}
		// A 3-byte LZF back reference expands to at most 264 bytes: a
		// longer claim is a lie, refused before allocating for it.
		if ulen == 0 || ulen > 88*clen+32 || ulen > maxValLen {
			return nil, errBadData
		}
		return lzfDecompress(c, int(ulen))
	}
	return nil, errBadData
}

// blob reads a string holding a packed encoding and decodes it with dec.
func (r *rdbReader) blob(dec func([]byte) ([][]byte, error)) ([][]byte, error) {
	s, err := r.str()
	if err != nil {
		return nil, err
	}
	return dec(s)
}

// binaryDouble reads ZSET_2's score: an IEEE-754 double, little-endian.
func (r *rdbReader) binaryDouble() (float64, error) {
	v, err := r.bytes(8)
	if err != nil {
		return 0, err
	}
	return math.Float64frombits(binary.LittleEndian.Uint64(v)), nil
}

// textDouble reads the old ZSET type's score: a length byte (253 NaN,
// 254 +inf, 255 -inf) then that many bytes of text.
func (r *rdbReader) textDouble() (float64, error) {
	n, err := r.byte()
	if err != nil {
		return 0, err
	}
	switch n {
	case 253:
		return math.NaN(), nil
	case 254:
		return math.Inf(1), nil
	case 255:
		return math.Inf(-1), nil
	}
	v, err := r.bytes(uint64(n))
	if err != nil {
		return 0, err
	}
	return parseScore(v)
}

// parseScore reads a score written as text (old ZSET payloads, listpack
// scores that are not integers), as strtod would.
func parseScore(v []byte) (float64, error) {
	f, err := strconv.ParseFloat(string(v), 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); !ok || ne.Err != strconv.ErrRange {
			return 0, errBadData
		}
	}
	return f, nil
}

// decodeObject decodes one serialized object (type byte, then value) into
// a string's bytes or a collection. Empty collections, duplicate members,
// NaN scores and corrupt packed encodings are errBadData, as in Redis.
func decodeObject(b []byte) (val []byte, c collection, err error) {
	return (&rdbReader{b: b}).object()
}

// object reads one serialized object (type byte, then value) from r's
// position: decodeObject, for an object among others (an RDB file).
func (r *rdbReader) object() (val []byte, c collection, err error) {
	t, err := r.byte()
	if err != nil {
		return nil, nil, err
	}
	return r.value(t)
}

// value reads a value of RDB type t from r's position (in an RDB file
// the key sits between the type byte and the value).
func (r *rdbReader) value(t byte) (val []byte, c collection, err error) {
	switch t {
	case rdbTypeString:
		v, err := r.str()
		if err != nil {
			return nil, nil, err
		}
		return v, nil, nil
	case rdbTypeList:
		c, err = r.plainList()
	case rdbTypeListZiplist:
		c, err = r.packedList(1, ziplistElems)
	case rdbTypeListQuicklist:
		c, err = r.packedList(-1, ziplistElems)
	case rdbTypeListQuicklist2:
		c, err = r.quicklist2()
	case rdbTypeSet:
		c, err = r.plainSet()
	case rdbTypeSetIntset:
		c, err = r.packedSet(intsetElems)
	case rdbTypeSetListpack:
		c, err = r.packedSet(listpackElems)
	case rdbTypeHash:
		c, err = r.plainHash()
	case rdbTypeHashZipmap:
		c, err = r.packedHash(zipmapElems)
	case rdbTypeHashZiplist:
		c, err = r.packedHash(ziplistElems)
	case rdbTypeHashListpack:
		c, err = r.packedHash(listpackElems)
	case rdbTypeZSet, rdbTypeZSet2:
		c, err = r.plainZSet(t == rdbTypeZSet2)
	case rdbTypeZSetZiplist:
		c, err = r.packedZSet(ziplistElems)
	case rdbTypeZSetListpack:
		c, err = r.packedZSet(listpackElems)
	case rdbTypeStreamListpacks, rdbTypeStreamListpack2:
		c, err = r.stream(t == rdbTypeStreamListpack2)
	default:
		return nil, nil, errBadData
	}
	if err != nil {
		return nil, nil, err
	}
	if c.size() == 0 {
		return nil, nil, errBadData // Redis refuses empty keys
	}
	return nil, c, nil
}

func (r *rdbReader) plainList() (collection, error) {
	n, err := r.count()
	if err != nil {
		return nil, err
	}
	l := newList()
	for range n {
		v, err := r.str()
		if err != nil {
			return nil, err
		}
		l.pushBack(v)
	}
	return l, nil
}

// packedList reads nodes packed blobs (-1: a count first) of list elements.
func (r *rdbReader) packedList(nodes int, dec func([]byte) ([][]byte, error)) (collection, error) {
	if nodes < 0 {
		n, err := r.count()
		if err != nil {
			return nil, err
		}
		nodes = n
	}
	l := newList()
	for range nodes {
		elems, err := r.blob(dec)
		if err != nil {
			return nil, err
		}
		for _, v := range elems {
			l.pushBack(v)
		}
	}
	return l, nil
}

// Quicklist node containers (QUICKLIST_2).
const (
	quicklistPlain  = 1
	quicklistPacked = 2
)

func (r *rdbReader) quicklist2() (collection, error) {
	n, err := r.count()
	if err != nil {
		return nil, err
	}
	l := newList()
	for range n {
		kind, special, err := r.length()
		if err != nil || special {
			return nil, errBadData
		}
		switch kind {
		case quicklistPlain:
			v, err := r.str()
			if err != nil {
				return nil, err
			}
			l.pushBack(v)
		case quicklistPacked:
			// An empty listpack is skipped, as Redis does.
			elems, err := r.blob(listpackElems)
			if err != nil {
				return nil, err
			}
			for _, v := range elems {
				l.pushBack(v)
			}
		default:
			return nil, errBadData
		}
	}
	return l, nil
}

func (r *rdbReader) plainSet() (collection, error) {
	n, err := r.count()
	if err != nil {
		return nil, err
	}
	s := newSet()
	if n > setMaxPacked {
		s.convert() // straight to the table, as Redis sizes it from n
	}
	for range n {
		v, err := r.str()
		if err != nil {
			return nil, err
		}
		if !s.add(v) {
			return nil, errBadData
		}
	}
	return s, nil
}

func (r *rdbReader) packedSet(dec func([]byte) ([][]byte, error)) (collection, error) {
	elems, err := r.blob(dec)
	if err != nil {
		return nil, err
	}
	s := newSet()
	for _, v := range elems {
		if !s.add(v) {
			return nil, errBadData
		}
	}
	return s, nil
}

func (r *rdbReader) plainHash() (collection, error) {
	n, err := r.count()
	if err != nil {
		return nil, err
	}
	h := newHash()
	if n > hashLoadLimit.entries {
		h.convert()
	}
	for range n {
		f, err := r.str()
		if err != nil {
			return nil, err
		}
		v, err := r.str()
		if err != nil {
			return nil, err
		}
		if !h.set(f, v, hashLoadLimit) {
			return nil, errBadData
		}
	}
	return h, nil
}

func (r *rdbReader) packedHash(dec func([]byte) ([][]byte, error)) (collection, error) {
	elems, err := r.blob(dec)
	if err != nil {
		return nil, err
	}
	if len(elems)%2 != 0 {
		return nil, errBadData
	}
	h := newHash()
	for i := 0; i < len(elems); i += 2 {
		if !h.set(elems[i], elems[i+1], hashLoadLimit) {
			return nil, errBadData
		}
	}
	return h, nil
}

func (r *rdbReader) plainZSet(binary bool) (collection, error) {
	n, err := r.count()
	if err != nil {
		return nil, err
	}
	z := newZSet()
	if n > zsetLoadLimit.entries {
		z.convert()
	}
	for range n {
		m, err := r.str()
		if err != nil {
			return nil, err
		}
		var s float64
		if binary {
			s, err = r.binaryDouble()
		} else {
			s, err = r.textDouble()
		}
		if err != nil {
			return nil, err
		}
		if err := zsetAddNew(z, m, s); err != nil {
			return nil, err
		}
	}
	return z, nil
}

func (r *rdbReader) packedZSet(dec func([]byte) ([][]byte, error)) (collection, error) {
	elems, err := r.blob(dec)
	if err != nil {
		return nil, err
	}
	if len(elems)%2 != 0 {
		return nil, errBadData
	}
	z := newZSet()
	for i := 0; i < len(elems); i += 2 {
		s, err := parseScore(elems[i+1])
		if err != nil {
			return nil, err
		}
		if err := zsetAddNew(z, elems[i], s); err != nil {
			return nil, err
		}
	}
	return z, nil
}

// zsetAddNew adds a member that must be new, with a score that must be a
// number.
func zsetAddNew(z *zset, m []byte, s float64) error {
	if math.IsNaN(s) {
		return errBadData
	}
	if _, ok := z.score(m); ok {
		return errBadData
	}
	z.insert(m, s, zsetLoadLimit) // restoreValue refits it to the limits in force
	return nil
}
