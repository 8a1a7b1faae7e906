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
	used    int64                // bytes counted for these keys (see memory.go)
	samples map[*entry]memSample // collections' last full memory() (see memory.go)
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
	e := newEntry(key)
	e.pos, e.heapIdx = int32(len(k.dense)), -1
	if (len(k.dense)+1)*4 > len(k.slots)*3 {
		k.resize(max(8, 2*len(k.slots)))
	}
	k.dense = append(k.dense, e)
	k.insert(uint64(keyHash(key))<<32 | uint64(len(k.dense)))
	return e
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

// newEntry allocates an entry whose key bytes share its allocation when
// the key is short, as most are: one object instead of two for the GC,
// the same bytes (the size classes line up), and a map lookup that
// compares the key reads the cache lines of the entry it then uses.
func newEntry(key []byte) *entry {
	switch n := len(key); {
	case n == 0:
		return &entry{}
	case n <= 16:
		x := &struct {
			entry
			k [16]byte
		}{}
		copy(x.k[:], key)
		x.key = unsafe.String(&x.k[0], n)
		return &x.entry
	case n <= 32:
		x := &struct {
			entry
			k [32]byte
		}{}
		copy(x.k[:], key)
		x.key = unsafe.String(&x.k[0], n)
		return &x.entry
	case n <= 64:
		x := &struct {
			entry
			k [64]byte
		}{}
		copy(x.k[:], key)
		x.key = unsafe.String(&x.k[0], n)
		return &x.entry
	}
	return &entry{key: string(key)}
}
