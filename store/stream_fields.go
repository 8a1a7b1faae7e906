package store

import "encoding/binary"

// packedFields are a stream entry's field/value pairs in one allocation
// without pointers: a uvarint count, then each field as a uvarint length
// and its bytes. A stream holds one per entry, so the GC marks it without
// scanning it (a [][]byte would cost a second object, with a pointer per
// field, to scan on every cycle), and the same bytes are the entry's
// Pebble record value.
type packedFields []byte

// packFields packs fields into one new allocation.
func packFields(fields [][]byte) packedFields {
	n := binary.MaxVarintLen64
	for _, f := range fields {
		n += binary.MaxVarintLen64 + len(f)
	}
	p := make([]byte, 0, n)
	p = binary.AppendUvarint(p, uint64(len(fields)))
	for _, f := range fields {
		p = binary.AppendUvarint(p, uint64(len(f)))
		p = append(p, f...)
	}
	return p[:len(p):len(p)]
}

// unpack returns the fields, aliasing p's bytes (which are never written
// again); nil for a deleted entry.
func (p packedFields) unpack() [][]byte {
	if p == nil {
		return nil
	}
	fields, _ := p.split()
	return fields
}

// split decodes p, reporting whether it is well formed (for records read
// from disk).
func (p packedFields) split() ([][]byte, bool) {
	n, k := binary.Uvarint(p)
	if k <= 0 || n > uint64(len(p)) {
		return nil, false
	}
	v := p[k:]
	fields := make([][]byte, 0, n)
	for i := uint64(0); i < n; i++ {
		l, k := binary.Uvarint(v)
		if k <= 0 || uint64(len(v)-k) < l {
			return nil, false
		}
		end := k + int(l)
		fields = append(fields, v[k:end:end])
		v = v[end:]
	}
	return fields, len(v) == 0
}

// memory estimates the bytes p occupies.
func (p packedFields) memory() int {
	if p == nil {
		return 0
	}
	return sizeClass(cap(p))
}
