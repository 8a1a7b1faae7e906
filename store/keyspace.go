package store

import (
	"hash/maphash"
	"unsafe"
)

// keyspace holds one database's keys: a dense array of the entries, and
// an index over it for lookup. The array gives RANDOMKEY and eviction
// sampling in O(1), and SCAN a cursor that survives inserts and deletes:
// deletion moves the last entry into the hole, and SCAN walks the array
// from the end, so an entry not yet visited is never moved past the
// cursor.
//
// The index is an open-addressing table with linear probing whose slots
// are uint64s: the key's 32-bit hash in the high half, its dense index
// plus one in the low half (0 is an empty slot). It holds no pointers, so
// the GC never scans it, and it costs 8 bytes a slot where a Go
// map[string]*entry costs 24 plus control bytes; the hash lets a probe
// skip other keys without touching their entries, and growth rehashes
// without hashing keys again. Deletion shifts later slots back, so there
// are no tombstones.
type keyspace struct {
	slots   []uint64 // length a power of two (or 0), at most 3/4 full
	dense   []*entry
	used    int64                 // bytes counted for these keys (see memory.go)
	samples map[*entry]*memSample // collections' last full memory() (see memory.go)
	// lastSampled is the entry samples was last looked up for, and
	// lastSample its sample: a pipeline writing one large collection
	// settles its memory without a map lookup per command.
	lastSampled *entry
	lastSample  *memSample
	snap        *keyspaceSnap // a save walking the keyspace (see rdb_snapshot.go)
}

var keyspaceSeed = maphash.MakeSeed()

func keyHash(key []byte) uint32 { return uint32(maphash.Bytes(keyspaceSeed, key)) }

func keyHashString(key string) uint32 { return uint32(maphash.String(keyspaceSeed, key)) }

func newKeyspace() *keyspace { return &keyspace{} }

// newKeyspaceSize returns a keyspace with room for n keys (start-up).
func newKeyspaceSize(n int) *keyspace {
	k := &keyspace{dense: make([]*entry, 0, n)}
	k.resize(tableSize(n))
	return k
}

// tableSize is the smallest table that holds n keys at most 3/4 full.
func tableSize(n int) int {
	size := 8
	for n*4 > size*3 {
		size *= 2
	}
	return size
}

func (k *keyspace) len() int { return len(k.dense) }

// get looks key up without allocating.
func (k *keyspace) get(key []byte) *entry {
	if len(k.dense) == 0 {
		return nil
	}
	h := keyHash(key)
	mask := uint32(len(k.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		s := k.slots[i]
		if s == 0 {
			return nil
		}
		if uint32(s>>32) == h {
			if e := k.dense[uint32(s)-1]; e.key == string(key) {
				return e
			}
		}
	}
}

// add inserts a new entry for key, which must be absent.
func (k *keyspace) add(key []byte) *entry {
	e, _ := newEntry(key, 0)
	k.insertEntry(key, e)
	return e
}

// addString inserts a new entry for key, which must be absent, holding a
// copy of val, in the entry's own allocation when it is small.
func (k *keyspace) addString(key, val []byte) *entry {
	e, spare := newEntry(key, len(val))
	switch {
	case len(spare) > 0 && len(key) > 0:
		// Inline right after the key: no pointer of its own (see val).
		e.sl, e.sc = uint32(copy(spare, val)), uint32(len(spare))|valInline
	case spare != nil:
		e.setVal(spare[:copy(spare, val)])
		e.sc |= valInline
	default:
		e.setVal(cloneVal(val))
	}
	k.insertEntry(key, e)
	return e
}

// cloneVal copies a string value; an empty one is not nil.
func cloneVal(val []byte) []byte {
	if len(val) == 0 {
		return []byte{}
	}
	return append([]byte{}, val...)
}

func (k *keyspace) insertEntry(key []byte, e *entry) {
	e.pos, e.heapIdx = int32(len(k.dense)), -1
	if (len(k.dense)+1)*4 > len(k.slots)*3 {
		k.resize(max(8, 2*len(k.slots)))
	}
	k.dense = append(k.dense, e)
	k.insert(uint64(keyHash(key))<<32 | uint64(len(k.dense)))
}

// insert puts slot s in the first free slot from its home.
func (k *keyspace) insert(s uint64) {
	mask := uint32(len(k.slots) - 1)
	i := uint32(s>>32) & mask
	for k.slots[i] != 0 {
		i = (i + 1) & mask
	}
	k.slots[i] = s
}

func (k *keyspace) resize(size int) {
	old := k.slots
	k.slots = make([]uint64, size)
	for _, s := range old {
		if s != 0 {
			k.insert(s)
		}
	}
}

// find returns the table position of the entry at dense index pos, whose
// key is key.
func (k *keyspace) find(key string, pos int32) uint32 {
	mask := uint32(len(k.slots) - 1)
	want := uint32(pos) + 1
	i := keyHashString(key) & mask
	for uint32(k.slots[i]) != want {
		i = (i + 1) & mask
	}
	return i
}

// remove deletes e from the keyspace.
func (k *keyspace) remove(e *entry) {
	if k.snap != nil {
		k.snap.beforeRemove(e)
	}
	i := k.find(e.key, e.pos)
	// Backward-shift: move each later slot of the probe run into the hole
	// unless its home lies cyclically in (hole, its position].
	mask := uint32(len(k.slots) - 1)
	for j := (i + 1) & mask; k.slots[j] != 0; j = (j + 1) & mask {
		h := uint32(k.slots[j]>>32) & mask
		if (j > i && (h <= i || h > j)) || (j < i && h <= i && h > j) {
			k.slots[i] = k.slots[j]
			i = j
		}
	}
	k.slots[i] = 0
	last := int32(len(k.dense) - 1)
	if e.pos != last {
		moved := k.dense[last]
		j := k.find(moved.key, last)
		k.slots[j] = k.slots[j]&^0xffffffff | uint64(e.pos+1)
		k.dense[e.pos] = moved
		moved.pos = e.pos
	}
	k.dense[last] = nil
	k.dense = k.dense[:last]
	e.pos = -1
	// Shrink after mass deletion, which a Go map never does.
	if n := len(k.dense); len(k.slots) > 1024 && n*16 < len(k.slots) {
		k.resize(len(k.slots) / 2)
	}
	if n := len(k.dense); cap(k.dense) > 1024 && n*4 < cap(k.dense) {
		k.dense = append(make([]*entry, 0, 2*n), k.dense...)
	}
}

// at returns the entry at dense index i.
func (k *keyspace) at(i int) *entry { return k.dense[i] }

// newEntry allocates an entry for key with the key's bytes, and room for
// at least room more bytes, in the same allocation when they fit in
// maxTail: one object instead of two or three for the GC, fewer bytes
// (the tails below fill Go's size classes exactly), and a lookup that
// compares the key reads the cache lines of the entry it then uses. spare
// is the room after the key (nil when key and room did not fit together).
func newEntry(key []byte, room int) (e *entry, spare []byte) {
	n := len(key)
	var tail []byte
	switch need := n + room; {
	case need <= 8:
		e, tail = allocEntry[[8]byte]()
	case need <= 24:
		e, tail = allocEntry[[24]byte]()
	case need <= 40:
		e, tail = allocEntry[[40]byte]()
	case need <= 56:
		e, tail = allocEntry[[56]byte]()
	case need <= 72:
		e, tail = allocEntry[[72]byte]()
	case need <= 88:
		e, tail = allocEntry[[88]byte]()
	case need <= 104:
		e, tail = allocEntry[[104]byte]()
	case need <= 120:
		e, tail = allocEntry[[120]byte]()
	case need <= 136:
		e, tail = allocEntry[[136]byte]()
	case need <= 152:
		e, tail = allocEntry[[152]byte]()
	case need <= 168:
		e, tail = allocEntry[[168]byte]()
	case need <= 184:
		e, tail = allocEntry[[184]byte]()
	case need <= maxTail:
		e, tail = allocEntry[[maxTail]byte]()
	case room > 0:
		e, _ = newEntry(key, 0) // the value goes elsewhere
		return e, nil
	default:
		e = &entry{key: string(key)}
		return e, nil
	}
	copy(tail, key)
	if n > 0 {
		e.key = unsafe.String(&tail[0], n)
	}
	return e, tail[n:]
}

// maxTail is the largest key-and-value tail allocated with an entry: 56 +
// 200 bytes is the 256-byte size class.
const maxTail = 200

// allocEntry allocates an entry followed by a tail of bytes (T is a byte
// array) and returns both.
func allocEntry[T any]() (*entry, []byte) {
	x := new(struct {
		entry
		tail T
	})
	return &x.entry, unsafe.Slice((*byte)(unsafe.Pointer(&x.tail)), unsafe.Sizeof(x.tail))
}
