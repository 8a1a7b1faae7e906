package store

import (
	"encoding/binary"
	"math/bits"
)

// Long strings are kept in chunks. A string of chunkedMin bytes or more
// keeps only its length in its metadata record, whose kind byte carries
// kindChunked, and its bytes in element records of up to chunkSize bytes
// under the key's data prefix, each keyed by the offset of its first byte:
//
//	M slot key                      kind|kindChunked expireAt len64
//	D slot len32(key) key c off64   the bytes from off
//
// So an edit in place (SETBIT, SETRANGE, APPEND, BITFIELD, PFADD, PFCOUNT's
// cache) writes the chunks it touched, not the whole value: a SETBIT on an
// 8 MB bitmap used to journal 8 MB. Which layout a string has on disk
// follows from its length alone, so memory records nothing about it (Open
// rewrites the strings of a store where that does not hold; see
// normalizeStrings).
//
// A chunk may be shorter than chunkSize, or missing: the bytes it lacks
// are zeros. A string that SETBIT grows far past its end writes only the
// chunk the bit is in; the zeros before it need no records.
const (
	chunkedMin  = 4 << 10
	chunkSize   = 1 << 10
	chunkTag    = 'c'
	kindChunked = 0x80
)

// chunked reports whether a string of n bytes is kept in chunks.
func chunked(n int) bool { return n >= chunkedMin }

// saveString writes e's string after an edit of its bytes [from, to);
// oldLen is the length its records held before (0 when it had none: a
// new key, or one that held a collection). A whole new value is the span
// [0, len).
func (tx *Tx) saveString(e *entry, oldLen, from, to int) {
	b := tx.pending()
	if b == nil {
		return
	}
	slot, n := tx.slot(), e.valLen()
	if chunked(oldLen) && n < oldLen {
		// Only a whole new value shrinks a string: drop the chunks past its
		// end, or all of them when it is short enough to go inline.
		p := newDataPrefix(slot, e.key)
		start := p.start()
		if chunked(n) {
			start = append([]byte(nil), p.uint64Key(chunkTag, uint64(chunkStart(n+chunkSize-1)))...)
		}
		b.DeleteRange(start, p.end())
	}
	tx.saveMetaIn(b, slot, e)
	if !chunked(n) {
		return
	}
	if !chunked(oldLen) {
		from, to = 0, n // the first time in chunks: all of them
	}
	writeChunks(b, newDataPrefix(slot, e.key), e.val(), from, to)
}

// saveStringChunks is saveString for an edit of scattered bytes (a
// HyperLogLog's registers): it writes the chunks whose bits are set in
// dirty (chunk i holds bytes from i*chunkSize), rather than every chunk
// between the first and the last.
func (tx *Tx) saveStringChunks(e *entry, oldLen int, dirty uint64) {
	if !chunked(oldLen) || !chunked(e.valLen()) {
		tx.saveString(e, oldLen, 0, e.valLen())
		return
	}
	tx.saveString(e, oldLen, 0, 0) // the metadata record
	b := tx.pending()
	if b == nil {
		return
	}
	p := newDataPrefix(tx.slot(), e.key)
	for ; dirty != 0; dirty &= dirty - 1 {
		off := bits.TrailingZeros64(dirty) * chunkSize
		writeChunks(b, p, e.val(), off, off+1)
	}
}

// writeChunks writes the chunks of v that hold any of its bytes [from, to).
func writeChunks(b Batch, p dataPrefix, v []byte, from, to int) {
	to = min(to, len(v))
	for off := chunkStart(from); off < to; off += chunkSize {
		b.Set(p.uint64Key(chunkTag, uint64(off)), v[off:min(off+chunkSize, len(v))])
	}
}

// chunkStart is the offset of the chunk that holds byte i.
func chunkStart(i int) int { return i &^ (chunkSize - 1) }

// appendChunkedMeta appends the metadata payload of a chunked string: its
// length.
func appendChunkedMeta(b []byte, n int) []byte {
	return binary.BigEndian.AppendUint64(b, uint64(n))
}

// rewriteString writes the records of the string e afresh, in the layout
// its length calls for: Open's repair of a string stored otherwise (by a
// Cairn older than this layout, or one whose chunkedMin differed).
func rewriteString(b Batch, slot byte, e *entry) {
	p := newDataPrefix(slot, e.key)
	b.DeleteRange(p.start(), p.end())
	b.Set(appendMetaKey(nil, slot, e.key), appendEntryMeta(nil, e))
	if chunked(e.valLen()) {
		writeChunks(b, p, e.val(), 0, e.valLen())
	}
}

// chunkedLen parses a chunked string's metadata payload.
func chunkedLen(payload []byte) (int, bool) {
	if len(payload) != 8 {
		return 0, false
	}
	n := binary.BigEndian.Uint64(payload)
	return int(n), n <= maxValLen
}

// loadChunk copies a chunk record into the string e, loaded with its
// length from a chunked metadata record. It reports false for a record
// that is not a chunk of e.
func loadChunk(e *entry, sub, v []byte) bool {
	if len(sub) != 9 || sub[0] != chunkTag {
		return false
	}
	off := binary.BigEndian.Uint64(sub[1:])
	val := e.val()
	if off > uint64(len(val)) || uint64(len(v)) > uint64(len(val))-off {
		return false
	}
	copy(val[off:], v)
	return true
}
