package store

import "unsafe"

// entry is one key and its value. Strings keep their bytes in the value
// (val, setVal); every other type is a collection in obj. The key string
// is shared with the index, so it is stored once.
//
// The layout is 72 bytes, so that an entry with a 16-byte key and a
// 40-byte value inline (see newEntry) fills a 128-byte size class: the
// value is a pointer and two uint32s rather than a 24-byte slice.
type entry struct {
	key      string
	obj      collection
	sp       *byte  // the string value's bytes; nil when inline right after the key
	expireAt int64  // unix ms; 0 = no TTL
	sl       uint32 // the string value's length
	sc       uint32 // its capacity, and valInline when it is in the entry's allocation
	pos      int32  // index in keyspace.dense
	heapIdx  int32  // index in the expiry heap; -1 when the key has no TTL
	access   uint32 // last access (LRU clock) or LFU counter and decay time; see evict.go
	mem      uint32 // bytes counted in used memory, in memUnit units; see memory.go
}

// valInline flags sc when the value lives in the entry's own allocation.
const valInline = 1 << 31

// maxValLen is the longest string value an entry holds (2 GiB - 1; Redis's
// default proto-max-bulk-len is 512 MiB).
const maxValLen = valInline - 1

// val is the string value. It aliases the entry's bytes: callers copy it
// before the entry is written again.
func (e *entry) val() []byte {
	p := e.sp
	if p == nil {
		if e.sc == 0 {
			return nil
		}
		p = e.inlineVal()
	}
	return unsafe.Slice(p, e.sc&^valInline)[: e.sl : e.sc&^valInline]
}

// inlineVal is where an inline value without its own pointer starts: right
// after the key, in the entry's tail. Leaving sp nil then saves the GC a
// pointer to follow per key.
func (e *entry) inlineVal() *byte {
	return (*byte)(unsafe.Add(unsafe.Pointer(unsafe.StringData(e.key)), len(e.key)))
}

// setVal makes b, which the entry then owns, the string value.
func (e *entry) setVal(b []byte) {
	if len(b) > maxValLen {
		panic("store: string value over 2 GiB")
	}
	e.sp, e.sl, e.sc = unsafe.SliceData(b), uint32(len(b)), uint32(min(cap(b), maxValLen))
}

// appendVal appends b to the string value, which stays in place while
// it fits its capacity (inline or not), as append does.
func (e *entry) appendVal(b []byte) {
	v := e.val()
	if len(v)+len(b) <= cap(v) {
		e.sl = uint32(copy(v[len(v):len(v)+len(b)], b) + len(v))
		return
	}
	e.setVal(append(v, b...))
}

// valLen is the string value's length.
func (e *entry) valLen() int { return int(e.sl) }

// inline reports whether the value shares the entry's allocation.
func (e *entry) inline() bool { return e.sc&valInline != 0 }

func (e *entry) kind() Kind {
	if e.obj != nil {
		return e.obj.kind()
	}
	return KindString
}

// collection is a value with elements: a list, hash, set, sorted set or
// stream. Each type lives in its own file with its operations and records.
type collection interface {
	kind() Kind
	// size is the element count; a collection with none is deleted.
	size() int
	// memory estimates the bytes the value occupies, for MEMORY USAGE and
	// maxmemory accounting. It is called after every write to the key, so
	// it must be O(1): keep a running total in the collection.
	memory() int
	// encoding is the name OBJECT ENCODING gives Redis's closest equivalent.
	encoding() string
	// clone returns an independent deep copy (COPY).
	clone() collection
	// meta encodes the type's fields of the key's metadata record.
	meta() []byte
	// writeElements writes one record per element under p (RENAME, MOVE,
	// COPY and restores rewrite a whole value).
	writeElements(b Batch, p dataPrefix)
	// loadElement restores one element record written under the key's
	// data prefix; sub is the record key after the prefix.
	loadElement(sub, value []byte) error
	// dump renders the value canonically, for tests that compare keyspaces.
	dump() string
}
