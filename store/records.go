package store

import "encoding/binary"

// Engine keeps the store's records durably. The store is the only reader
// of what it wrote: records are loaded once, at Open, and every later read
// is served from memory.
//
// The store calls Commit while it holds the keyspace lock, so batches reach
// the engine in the order their operations were applied, and two writes to
// one key are never reordered. Commit must not wait for an fsync; the
// server asks for durability afterwards with Flush, outside the lock and
// before it acknowledges, so concurrent clients share one fsync.
type Engine interface {
	// NewBatch returns an empty batch.
	NewBatch() Batch
	// Commit applies b atomically, without syncing, and releases it.
	Commit(b Batch) error
	// Flush waits until every batch committed before the call is as
	// durable as the fsync policy promises for an acknowledged write.
	// Concurrent callers share the work (group commit).
	Flush() error
	// Sync fsyncs every committed batch, whatever the policy.
	Sync() error
	// Err reports the write error that made the engine refuse writes.
	Err() error
	// Iterate calls fn for each record with lower <= key < upper, in key
	// order. key and value are valid only during the call.
	Iterate(lower, upper []byte, fn func(key, value []byte) error) error
	// Close releases the engine.
	Close() error
}

// Batch collects the records of one transaction. Set and the deletes copy
// their arguments, so callers may reuse their buffers.
type Batch interface {
	Set(key, value []byte)
	Delete(key []byte)
	// DeleteRange deletes every key in [start, end).
	DeleteRange(start, end []byte)
	// Empty reports whether nothing was added.
	Empty() bool
	// Close discards the batch without committing it.
	Close()
}

// The record layout. The first byte of a record key selects its space:
//
//	M slot key                          metadata: kind, expireAt, and either a
//	                                    string's bytes (its length, for a long
//	                                    one) or a collection's header
//	D slot len32(key) key sub…          one element of a collection, or a chunk
//	                                    of a long string; sub is defined by the
//	                                    type (list sequence, hash field, stream
//	                                    ID, string offset…)
//	S name                              store-wide state (format, db slots)
//
// slot is the physical slot of a logical database: SWAPDB swaps two slots
// in the S dbslots record instead of rewriting both databases. The key
// length in D records keeps key "a" from owning the elements of key "ab".
// A whole collection is dropped with one DeleteRange over its D prefix.
const (
	spaceData = 'D'
	spaceMeta = 'M'
	spaceSys  = 'S'

	metaHeaderLen = 9 // kind(1) expireAt(8)
)

// formatVersion is stored under S format; Open refuses other values.
// cairn-2 stopped rewriting the metadata of lists and streams on every
// push and append (see list.go and stream_records.go); cairn-3 keeps long
// strings in chunks (stringchunks.go). A store of an earlier format is
// readable as it is (Open rewrites its long strings), and Open marks it
// with the current format before its first write, so an older Cairn
// refuses it instead of misreading it.
const (
	formatVersion = "cairn-3"
	formatCairn2  = "cairn-2"
	formatCairn1  = "cairn-1"
)

var (
	sysFormatKey  = []byte("Sformat")
	sysDBSlotsKey = []byte("Sdbslots")
)

// appendMetaKey appends the metadata record key of key in slot.
func appendMetaKey(b []byte, slot byte, key string) []byte {
	b = append(b, spaceMeta, slot)
	return append(b, key...)
}

// appendMetaValue appends a metadata record value.
func appendMetaValue(b []byte, k Kind, expireAt int64, payload []byte) []byte {
	b = append(b, byte(k))
	b = binary.BigEndian.AppendUint64(b, uint64(expireAt))
	return append(b, payload...)
}

// dataPrefix builds element record keys for one collection: the prefix
// "D slot len32(key) key" followed by type-defined parts. It reuses one
// buffer, so a key it returns is valid until the next call; batches copy.
type dataPrefix struct {
	buf []byte
	n   int
}

func newDataPrefix(slot byte, key string) dataPrefix {
	b := make([]byte, 0, 6+len(key)+32)
	b = append(b, spaceData, slot)
	b = binary.BigEndian.AppendUint32(b, uint32(len(key)))
	b = append(b, key...)
	return dataPrefix{buf: b, n: len(b)}
}

// key returns the prefix followed by parts.
func (p *dataPrefix) key(parts ...[]byte) []byte {
	p.buf = p.buf[:p.n]
	for _, part := range parts {
		p.buf = append(p.buf, part...)
	}
	return p.buf
}

// uint64Key returns the prefix followed by tag and v in big-endian order,
// so records sort numerically.
func (p *dataPrefix) uint64Key(tag byte, v uint64) []byte {
	p.buf = append(p.buf[:p.n], tag)
	p.buf = binary.BigEndian.AppendUint64(p.buf, v)
	return p.buf
}

// start and end bound every element record of the collection.
func (p *dataPrefix) start() []byte { return append([]byte(nil), p.buf[:p.n]...) }
func (p *dataPrefix) end() []byte   { return prefixEnd(p.buf[:p.n]) }

// prefixEnd returns the smallest key greater than every key with prefix p.
func prefixEnd(p []byte) []byte {
	end := append([]byte(nil), p...)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] != 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}

// parseDataKey splits an element record key into slot, user key and sub.
func parseDataKey(k []byte) (slot byte, key []byte, sub []byte, ok bool) {
	if len(k) < 6 || k[0] != spaceData {
		return 0, nil, nil, false
	}
	n := int(binary.BigEndian.Uint32(k[2:6]))
	if len(k) < 6+n {
		return 0, nil, nil, false
	}
	return k[1], k[6 : 6+n], k[6+n:], true
}
