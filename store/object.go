package store

import "github.com/cairn-db/cairn/protocol/num"

// ObjectInfo is what OBJECT reports about a key.
type ObjectInfo struct {
	Encoding string // Redis's name for the closest encoding
	Idle     int64  // seconds since the last access (not under an LFU policy)
	Freq     int    // LFU access frequency estimate (under an LFU policy)
	// SmallInt: a string holding an integer from 0 to 9999, which Redis
	// represents by one shared object (OBJ_SHARED_INTEGERS) unless an LRU
	// or LFU maxmemory policy needs each key's own access time.
	SmallInt bool
}

// Object describes the value at key, without touching it. It counts a
// keyspace hit or miss but raises no keymiss event, as Redis's OBJECT
// (LOOKUP_NOTOUCH|LOOKUP_NONOTIFY).
func (tx *Tx) Object(key []byte) (ObjectInfo, bool) {
	e := tx.lookup(key)
	if e == nil {
		tx.s.stats.KeyspaceMisses.Add(1)
		return ObjectInfo{}, false
	}
	tx.s.stats.KeyspaceHits.Add(1)
	info := ObjectInfo{Encoding: e.encoding()}
	if info.Encoding == "int" {
		n, _ := num.ParseInt(e.val())
		info.SmallInt = n >= 0 && n < 10000
	}
	if tx.s.lfu {
		info.Freq = int(tx.s.lfuCounter(e.access, tx.now))
	} else {
		info.Idle = max(int64(tx.s.accessClock(tx.now))-int64(e.access), 0)
	}
	return info, true
}

func (e *entry) encoding() string {
	if e.isColl() {
		return e.coll().encoding()
	}
	if e.isRaw() {
		return "raw"
	}
	if _, ok := num.ParseInt(e.val()); ok {
		return "int"
	}
	// PFADD and PFMERGE build their strings as Redis's raw encoding, and a
	// HyperLogLog string stays raw however short.
	if e.valLen() <= 44 && !hllValid(e.val()) {
		return "embstr"
	}
	return "raw"
}

// entryOverhead estimates the bytes a key costs beyond its name and value:
// the 56-byte entry, its index slot (8 bytes at the table's
// average load) and its dense-array slot (with append's slack); a TTL adds
// an expiry-heap slot. Calibrated by TestUsedMemoryTracksHeap.
const (
	entryOverhead      = 56 + entryIndexOverhead
	entryIndexOverhead = 24
	expireOverhead     = 10
)

// KeyspaceOverhead is the part of UsedMemory that the keyspace's own
// structures take for keys keys, expires of them with a TTL: the entries
// and their index slots (main), and the expiry slots. MEMORY STATS reports
// them per database, as Redis reports its dictionaries' overhead.
func KeyspaceOverhead(keys, expires int) (main, expire int64) {
	return int64(keys) * entryOverhead, int64(expires) * expireOverhead
}

// MemoryUsage estimates the bytes key and its value occupy.
func (tx *Tx) MemoryUsage(key []byte) (int, bool) {
	e := tx.lookup(key)
	if e == nil {
		return 0, false
	}
	return e.memory(), true
}

func (e *entry) memory() int {
	n := entryOverhead + keyBytes(len(e.key))
	if e.expireAt != 0 {
		n += expireOverhead
	}
	if e.isColl() {
		return n + e.coll().memory()
	}
	if e.inline() {
		// One allocation: the entry, the key and the value.
		// newEntry's tails fill a size class exactly.
		return n - keyBytes(len(e.key)) + len(e.key) + int(e.sc&^valInline)
	}
	return n + sizeClass(int(e.sc))
}

// keyBytes is what a key of n bytes adds to its entry (see newEntry).
func keyBytes(n int) int {
	if n <= maxTail {
		return tailSize(n)
	}
	return sizeClass(n)
}

// tailSize is the tail newEntry allocates for need bytes of key and value.
func tailSize(need int) int {
	for _, t := range entryTails {
		if need <= t {
			return t
		}
	}
	return 0
}

// entryTails are newEntry's tail sizes: with the 56-byte entry, each fills
// one of Go's size classes exactly (64, 80, 96, … 240, 256 bytes).
var entryTails = [...]int{8, 24, 40, 56, 72, 88, 104, 120, 136, 152, 168, 184, maxTail}

// sizeClass is the size of Go's allocation for n bytes: the size class
// it rounds a small allocation up to, a large one's whole pages. (A
// rounding to 4 KiB steps over 1 KiB had used_memory count 1.9 KB of
// overhead per value of 0–16 KiB, where the allocator wastes about 700 B.)
func sizeClass(n int) int {
	switch {
	case n == 0:
		return 0
	case n <= 16:
		return 16 // the tiny allocator's blocks
	case n <= 1024:
		return int(sizeClasses8[(n+7)>>3])
	case n <= maxSmallAlloc:
		return int(sizeClasses128[(n-1024+127)>>7])
	}
	return (n + allocPage - 1) &^ (allocPage - 1)
}

const (
	maxSmallAlloc = 32 << 10 // larger allocations take whole pages
	allocPage     = 8 << 10
)

// sizeClasses8 and sizeClasses128 are Go's size classes, as its runtime
// indexes them: by 8-byte steps up to 1 KiB, by 128-byte steps above.
// They are read from the allocator at start-up (append rounds a new
// slice's capacity up to its size class), so they follow the Go release.
var sizeClasses8, sizeClasses128 = readSizeClasses()

func readSizeClasses() (by8 [1024/8 + 1]uint16, by128 [(maxSmallAlloc-1024)/128 + 1]uint16) {
	// One allocation per class: every size from n up to n's class rounds
	// up to that class.
	src := make([]byte, maxSmallAlloc)
	i8, i128 := 1, 1
	for n := 1; n <= maxSmallAlloc; {
		class := cap(append([]byte(nil), src[:n]...))
		for ; i8 < len(by8) && i8*8 <= class; i8++ {
			by8[i8] = uint16(class)
		}
		for ; i128 < len(by128) && 1024+i128*128 <= class; i128++ {
			by128[i128] = uint16(class)
		}
		n = class + 1
	}
	return by8, by128
}
