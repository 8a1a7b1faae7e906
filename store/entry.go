package store

import "unsafe"

// entry is one key and its value. A string keeps its bytes at p (or
// right after the key, inline, with p nil); every other type is a
// collection that p points to, its kind in sl and sc set to collMark. One
// GC-traced pointer serves both, since a string has no collection and a
// collection no bytes: that is what keeps the entry at 56 bytes. The key
// string is shared with the index, so it is stored once.
//
// At 56 bytes, an entry with a 16-byte key and a 40-byte value inline
// (see newEntry) fills a 112-byte size class.
type entry struct {
	key      string
	p        unsafe.Pointer // the string's bytes (nil when inline after the key), or the collection
	expireAt int64          // unix ms; 0 = no TTL
	sl       uint32         // the string value's length; a collection's Kind
	sc       uint32         // its capacity, and valInline when it is in the entry's allocation; collMark for a collection
	pos      int32          // index in keyspace.dense
	heapIdx  int32          // index in the expiry heap; -1 when the key has no TTL
	access   uint32         // last access (LRU clock) or LFU counter and decay time; see evict.go
	mem      uint32         // bytes counted in used memory, in memUnit units; see memory.go
}

// valInline flags sc when the value lives in the entry's own allocation.
const valInline = 1 << 31

// strRaw flags sl of a string that a byte-level edit (APPEND, SETRANGE,
// SETBIT, BITFIELD, BITOP, PFADD) left in Redis's raw encoding, which
// OBJECT ENCODING reports whatever the bytes look like; a whole-value
// write (setVal, setString) clears it, as Redis re-encodes a SET value.
// A string's length never reaches bit 31 (see maxValLen).
const strRaw = 1 << 31

// collMark is sc for a collection: no string's capacity, since setVal
// caps those at maxValLen, and without the valInline bit.
const collMark = valInline - 1

// maxValLen is the longest string value an entry holds (2 GiB - 2; Redis's
// default proto-max-bulk-len is 512 MiB).
const maxValLen = collMark - 1

// val is the string value (only for a string: callers check the kind
// first). It aliases the entry's bytes: callers copy it before the entry
// is written again.
func (e *entry) val() []byte {
	p := (*byte)(e.p)
	if p == nil {
		if e.sc == 0 {
			return nil
		}
		p = e.inlineVal()
	}
	return unsafe.Slice(p, e.sc&^valInline)[: e.sl&^strRaw : e.sc&^valInline]
}

// inlineVal is where an inline value without its own pointer starts: right
// after the key, in the entry's tail. Leaving p nil then saves the GC a
// pointer to follow per key.
func (e *entry) inlineVal() *byte {
	return (*byte)(unsafe.Add(unsafe.Pointer(unsafe.StringData(e.key)), len(e.key)))
}

// setVal makes b, which the entry then owns, the string value (turning a
// collection entry into a string one).
func (e *entry) setVal(b []byte) {
	if len(b) > maxValLen {
		panic("store: string value over 2 GiB")
	}
	e.p, e.sl, e.sc = unsafe.Pointer(unsafe.SliceData(b)), uint32(len(b)), uint32(min(cap(b), maxValLen))
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

// growVal extends the string value with n zero bytes, in place while it
// fits its capacity; otherwise in one allocation, never building the
// zeros separately first (a SETBIT far out can add hundreds of MB).
func (e *entry) growVal(n int) {
	v := e.val()
	if len(v)+n <= cap(v) {
		clear(v[len(v) : len(v)+n])
		e.sl = uint32(len(v) + n)
		return
	}
	// Grow the capacity by a quarter at least, as append does for large
	// slices, so that bitmaps growing a byte at a time stay linear.
	nv := make([]byte, len(v)+n, max(len(v)+n, min(cap(v)+cap(v)/4+64, maxValLen)))
	copy(nv, v)
	e.setVal(nv)
}

// valLen is the string value's length.
func (e *entry) valLen() int { return int(e.sl &^ strRaw) }

// markRaw records that the string was edited in place (see strRaw).
func (e *entry) markRaw() { e.sl |= strRaw }

// isRaw reports whether markRaw was called since the last whole-value write.
func (e *entry) isRaw() bool { return !e.isColl() && e.sl&strRaw != 0 }

// inline reports whether the value shares the entry's allocation.
func (e *entry) inline() bool { return e.sc&valInline != 0 }

// isColl reports whether the value is a collection rather than a string.
func (e *entry) isColl() bool { return e.sc == collMark }

func (e *entry) kind() Kind {
	if e.isColl() {
		return Kind(e.sl)
	}
	return KindString
}

// coll is the value as a collection, nil for a string.
func (e *entry) coll() collection {
	if !e.isColl() {
		return nil
	}
	switch Kind(e.sl) {
	case KindList:
		return (*list)(e.p)
	case KindHash:
		return (*hash)(e.p)
	case KindSet:
		return (*set)(e.p)
	case KindZSet:
		return (*zset)(e.p)
	case KindStream:
		return (*stream)(e.p)
	}
	panic("store: entry of unknown kind")
}

// setColl makes c the value (replacing a string's bytes, which the caller
// has dropped).
func (e *entry) setColl(c collection) {
	var p unsafe.Pointer
	switch v := c.(type) {
	case *list:
		p = unsafe.Pointer(v)
	case *hash:
		p = unsafe.Pointer(v)
	case *set:
		p = unsafe.Pointer(v)
	case *zset:
		p = unsafe.Pointer(v)
	case *stream:
		p = unsafe.Pointer(v)
	default:
		panic("store: unknown collection type")
	}
	e.p, e.sl, e.sc = p, uint32(c.kind()), collMark
}

// clearColl makes a collection entry an absent string value.
func (e *entry) clearColl() { e.p, e.sl, e.sc = nil, 0, 0 }

// Typed views of a collection value. The caller has checked the kind;
// a mismatch panics, as the type assertion they replace did, rather than
// reading one type as another.
func (e *entry) list() *list     { e.must(KindList); return (*list)(e.p) }
func (e *entry) hash() *hash     { e.must(KindHash); return (*hash)(e.p) }
func (e *entry) set() *set       { e.must(KindSet); return (*set)(e.p) }
func (e *entry) zset() *zset     { e.must(KindZSet); return (*zset)(e.p) }
func (e *entry) stream() *stream { e.must(KindStream); return (*stream)(e.p) }

func (e *entry) must(k Kind) {
	if e.kind() != k {
		e.wrongKind(k)
	}
}

func (e *entry) wrongKind(k Kind) {
	panic("store: entry is a " + e.kind().String() + ", not a " + k.String())
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
