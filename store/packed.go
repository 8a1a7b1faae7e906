package store

import "encoding/binary"

// packed is the compact encoding of small collections, in the spirit of
// Redis's listpack: a single byte slice of length-prefixed strings
// (uvarint length, then the bytes). A small hash stores field, value,
// field, value…; a small set its members; a small sorted set member,
// score… in order. Lookups scan linearly, which for the few dozen
// elements a packed collection holds costs less than hashing, and the
// memory is close to the elements' own bytes.
type packed []byte

// next returns the string at off and the offset after it.
func (p packed) next(off int) ([]byte, int) {
	n, w := binary.Uvarint(p[off:])
	start := off + w
	end := start + int(n)
	return p[start:end:end], end
}

// grow makes room for need more bytes. It grows by a quarter rather than
// append's doubling: a packed value lives long and is small, so spare
// capacity would be a large share of its memory.
func (p packed) grow(need int) packed {
	if cap(p)-len(p) >= need {
		return p
	}
	q := make(packed, len(p), len(p)+need+len(p)/4+8)
	copy(q, p)
	return q
}

// appendStr appends one string.
func (p packed) appendStr(s []byte) packed {
	p = p.grow(binary.MaxVarintLen64 + len(s))
	p = binary.AppendUvarint(p, uint64(len(s)))
	return append(p, s...)
}

// insertAt inserts the strings at offset off.
func (p packed) insertAt(off int, strs ...[]byte) packed {
	var tmp []byte
	for _, s := range strs {
		tmp = binary.AppendUvarint(tmp, uint64(len(s)))
		tmp = append(tmp, s...)
	}
	p = append(p.grow(len(tmp)), tmp...)
	copy(p[off+len(tmp):], p[off:len(p)-len(tmp)])
	copy(p[off:], tmp)
	return p
}

// cut removes the bytes between from and to.
func (p packed) cut(from, to int) packed {
	return append(p[:from], p[to:]...)
}

// replaceAt replaces the string at off (ending at end) with s.
func (p packed) replaceAt(off, end int, s []byte) packed {
	p = p.cut(off, end)
	return p.insertAt(off, s)
}
