package store

import "unsafe"

// keyspace holds one database's keys: a map for lookup, plus a dense array
// of the same entries. The array gives RANDOMKEY and eviction sampling in
// O(1), and SCAN a cursor that survives inserts and deletes: deletion moves
// the last entry into the hole, and SCAN walks the array from the end, so
// an entry not yet visited is never moved past the cursor.
type keyspace struct {
	m       map[string]*entry
	dense   []*entry
	used    int64                // bytes counted for these keys (see memory.go)
	samples map[*entry]memSample // collections' last full memory() (see memory.go)
}

func newKeyspace() *keyspace {
	return &keyspace{m: make(map[string]*entry)}
}

// newKeyspaceSize returns a keyspace with room for n keys (start-up).
func newKeyspaceSize(n int) *keyspace {
	return &keyspace{m: make(map[string]*entry, n), dense: make([]*entry, 0, n)}
}

func (k *keyspace) len() int { return len(k.dense) }

// get looks key up without allocating.
func (k *keyspace) get(key []byte) *entry { return k.m[string(key)] }

// add inserts a new entry for key, which must be absent.
func (k *keyspace) add(key []byte) *entry {
	e := newEntry(key)
	e.pos, e.heapIdx = int32(len(k.dense)), -1
	k.m[e.key] = e
	k.dense = append(k.dense, e)
	return e
}

// remove deletes e from the keyspace.
func (k *keyspace) remove(e *entry) {
	delete(k.m, e.key)
	last := len(k.dense) - 1
	moved := k.dense[last]
	k.dense[e.pos] = moved
	moved.pos = e.pos
	k.dense[last] = nil
	k.dense = k.dense[:last]
	e.pos = -1
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
