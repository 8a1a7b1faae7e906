package store

import "unsafe"

// DebugInfo is what DEBUG OBJECT reports about a key: Redis's low-level
// view, in Cairn's terms.
type DebugInfo struct {
	ObjectInfo
	// Addr identifies the key's entry while it lives; a command that
	// changes the value in place (INCR) keeps it.
	Addr uintptr
	// SerializedLen is the length of the value as an RDB file holds it.
	SerializedLen int
	// Access is the entry's LRU clock or LFU counter, Redis's lru field.
	Access uint32
	// Nodes, Elements and Bytes are a list's chunks, elements and bytes
	// in use (Redis's ql_nodes, its count and ql_uncompressed_size); zero
	// for other types.
	Nodes, Elements, Bytes int
}

// DebugObject describes key's value as DEBUG OBJECT does. Like Redis, it
// finds a key that has expired but is still held, and touches nothing.
func (tx *Tx) DebugObject(key []byte) (DebugInfo, bool) {
	e := tx.db.keys.get(key)
	if e == nil {
		return DebugInfo{}, false
	}
	info := DebugInfo{
		Addr: uintptr(unsafe.Pointer(e)),
		// A DUMP payload is the type byte, the value, a two-byte RDB
		// version and an eight-byte CRC.
		SerializedLen: len(tx.s.encodeDump(e)) - 11,
		Access:        e.access,
	}
	info.Encoding = e.encoding()
	if !tx.s.lfu {
		info.Idle = max(int64(tx.s.accessClock(tx.now))-int64(e.access), 0)
	}
	if e.isColl() {
		if l, ok := e.coll().(*list); ok {
			info.Elements = l.n
			for c := l.head; c != nil; c = c.next {
				info.Nodes++
				info.Bytes += c.hi - c.lo
			}
		}
	}
	return info, true
}
