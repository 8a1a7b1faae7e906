package pebblestore

import (
	"bytes"
	"hash/maphash"

	"github.com/cockroachdb/pebble/v2"
)

// window holds a fold's most recent operations on their way to Pebble,
// so that a point write (Set, Delete) overwritten by a write of the same
// key while it waits here is dropped. It serves the segments whose first
// operations are nearly all of distinct keys (appends to streams and
// lists), where the two passes of lastWrites would not pay; even there
// some writing is short-lived: a queue's element pushed and popped soon
// after, a pending entry that XACK deletes. A larger window would catch
// overwrites further apart, but it emits each record long after reading
// it, out of the cache: with 262,144 operations it folded 64 MiB of XADDs
// in 0.71-0.74 s instead of 0.37-0.44.
//
// Dropping a write is safe only when a later point write of the same key
// follows it; every other operation, range deletions included, goes out
// in order. The index is direct-mapped: a collision forgets an entry,
// which loses a chance to drop, never a write.
type window struct {
	ring  [windowSize]foldOp
	head  int // oldest pending operation
	n     int
	index [windowSize * 2]int32 // slot+1 of the latest write of a key hash
	emit  func(*foldOp) error
}

const windowSize = 1024

// foldOp is one operation of a journal record.
type foldOp struct {
	kind       pebble.InternalKeyKind
	dead       bool
	key, value []byte
}

var windowSeed = maphash.MakeSeed()

func newWindow(emit func(*foldOp) error) *window { return &window{emit: emit} }

// add queues an operation, sending the oldest on when the window is full.
func (w *window) add(kind pebble.InternalKeyKind, k, v []byte) error {
	if w.n == windowSize {
		if err := w.pop(); err != nil {
			return err
		}
	}
	slot := (w.head + w.n) % windowSize
	w.n++
	w.ring[slot] = foldOp{kind: kind, key: k, value: v}
	if kind == pebble.InternalKeyKindRangeDelete {
		return nil
	}
	h := maphash.Bytes(windowSeed, k) % uint64(len(w.index))
	if prev := int(w.index[h]) - 1; prev >= 0 && w.pending(prev) {
		if p := &w.ring[prev]; p.kind != pebble.InternalKeyKindRangeDelete && bytes.Equal(p.key, k) {
			p.dead = true
		}
	}
	w.index[h] = int32(slot) + 1
	return nil
}

// pending reports whether ring slot s holds an operation not yet sent,
// other than the one just added.
func (w *window) pending(s int) bool {
	age := (s - w.head + windowSize) % windowSize
	return age < w.n-1
}

func (w *window) pop() error {
	op := &w.ring[w.head]
	w.head = (w.head + 1) % windowSize
	w.n--
	if op.dead {
		return nil
	}
	return w.emit(op)
}

// drain sends every operation still waiting.
func (w *window) drain() error {
	for w.n > 0 {
		if err := w.pop(); err != nil {
			return err
		}
	}
	return nil
}
