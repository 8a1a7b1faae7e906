package store

// entry is one key and its value. Strings keep their bytes in str; every
// other type is a collection in obj. The key string is shared with the
// keyspace map, so it is stored once.
type entry struct {
	key      string
	str      []byte
	obj      collection
	expireAt int64  // unix ms; 0 = no TTL
	pos      int32  // index in keyspace.dense
	heapIdx  int32  // index in the expiry heap; -1 when the key has no TTL
	access   uint32 // last access (LRU clock) or LFU counter and decay time; see evict.go
	mem      uint32 // bytes counted in used memory, in memUnit units; see memory.go
}

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
