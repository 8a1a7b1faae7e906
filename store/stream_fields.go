package store

import "encoding/binary"

// packedFields are a stream entry's field/value pairs as one run of bytes
// without pointers: a uvarint count, then each field as a uvarint length
// and its bytes. A stream keeps them back to back in its nodes (see
// streamNode), so the GC marks them without scanning them (a [][]byte
// would cost an object, with a pointer per field, to scan on every cycle),
// and the same bytes are the entry's Pebble record value.
type packedFields []byte

// packedLen is the length of fields packed.
func packedLen(fields [][]byte) int {
	n := uvarintLen(len(fields))
	for _, f := range fields {
		n += uvarintLen(len(f)) + len(f)
	}
	return n
}

// pack writes fields into p, which is packedLen(fields) long.
func (p packedFields) pack(fields [][]byte) {
	i := binary.PutUvarint(p, uint64(len(fields)))
	for _, f := range fields {
		i += binary.PutUvarint(p[i:], uint64(len(f)))
		i += copy(p[i:], f)
	}
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
