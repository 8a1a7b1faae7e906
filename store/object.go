package store

import "github.com/cairn-db/cairn/protocol/num"

// ObjectInfo is what OBJECT reports about a key.
type ObjectInfo struct {
	Encoding string // Redis's name for the closest encoding
	Idle     int64  // seconds since the last access
	Freq     int    // LFU access frequency estimate
}

// Object describes the value at key, without touching it.
func (tx *Tx) Object(key []byte) (ObjectInfo, bool) {
	e := tx.lookup(key)
	if e == nil {
		return ObjectInfo{}, false
	}
	idle := int64(tx.s.accessClock(tx.now)) - int64(e.access)
	return ObjectInfo{Encoding: e.encoding(), Idle: max(idle, 0)}, true
}

func (e *entry) encoding() string {
	if e.obj != nil {
		return e.obj.encoding()
	}
	if _, ok := num.ParseInt(e.str); ok {
		return "int"
	}
	if len(e.str) <= 44 {
		return "embstr"
	}
	return "raw"
}

// entryOverhead estimates the bytes a key costs beyond its name and value:
// the entry, its map slot and its dense-array slot.
const entryOverhead = 64 + 32 + 8

// MemoryUsage estimates the bytes key and its value occupy.
func (tx *Tx) MemoryUsage(key []byte) (int, bool) {
	e := tx.lookup(key)
	if e == nil {
		return 0, false
	}
	return e.memory(), true
}

func (e *entry) memory() int {
	n := entryOverhead + sizeClass(len(e.key))
	if e.obj != nil {
		return n + e.obj.memory()
	}
	return n + sizeClass(cap(e.str))
}

// sizeClass rounds an allocation up roughly as Go's allocator does.
func sizeClass(n int) int {
	switch {
	case n == 0:
		return 0
	case n <= 16:
		return 16
	case n <= 128:
		return (n + 15) &^ 15
	case n <= 1024:
		return (n + 127) &^ 127
	}
	return (n + 4095) &^ 4095
}
