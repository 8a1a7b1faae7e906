package pebblestore

import (
	"errors"

	"github.com/cockroachdb/pebble/v2"
)

// lastWrites lets a fold skip every point write that a later point write
// of the same key in the same segment overwrites, not only those the
// window sees. A cache's hot keys come back far apart: SETs over 100,000
// keys repeat about 100,000 operations later, long after the window has
// let the first write go, so most of such a segment's writes would reach
// the memtable only to be discarded by its flush. A first pass over the
// segment finds where each key is last written; the second applies only
// those writes, and every range deletion, in order. Skipping a write that
// a later one replaces is safe whatever lies between them: the later
// write alone decides what the key holds.
// The positions live in a slice rather than in the map's values: a map
// assignment keyed by string(k) allocates the key string every time, a
// lookup does not, so a key written again costs no allocation.
type lastWrites struct {
	slot map[string]int32 // key → index into at
	at   []int32          // the position of the key's last point write
}

// lastWritesSample is how many operations the first pass reads before it
// judges whether the segment overwrites enough to pay for itself (a
// variable so that tests can send small segments down the window's path).
var lastWritesSample int32 = 1 << 16

// lastWritesMaxKeys bounds the first pass's memory.
const lastWritesMaxKeys = 1 << 20

var errFewOverwrites = errors.New("few overwrites")

// findLastWrites makes the first pass over segment seq. It returns nil,
// and the fold falls back to the window, when the segment's first
// operations are nearly all of distinct keys (a stream's or a list's
// appends) or its keys are too many to track.
func (e *Engine) findLastWrites(seq uint64, tail bool) (*lastWrites, error) {
	lw := &lastWrites{slot: make(map[string]int32)}
	var pos int32
	err := e.segmentOps(seq, tail, func(kind pebble.InternalKeyKind, k, v []byte) error {
		if isPointWrite(kind) {
			if s, ok := lw.slot[string(k)]; ok {
				lw.at[s] = pos
			} else {
				lw.slot[string(k)] = int32(len(lw.at))
				lw.at = append(lw.at, pos)
			}
		}
		pos++
		switch {
		case pos == lastWritesSample && int32(len(lw.at)) > lastWritesSample*9/10:
			return errFewOverwrites
		case len(lw.at) > lastWritesMaxKeys:
			return errFewOverwrites
		}
		return nil
	})
	if err == errFewOverwrites {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return lw, nil
}

// isLast reports whether the point write of k at position pos is the
// key's last in the segment.
func (lw *lastWrites) isLast(k []byte, pos int32) bool {
	s, ok := lw.slot[string(k)]
	return !ok || lw.at[s] == pos
}

func isPointWrite(kind pebble.InternalKeyKind) bool {
	return kind == pebble.InternalKeyKindSet || kind == pebble.InternalKeyKindDelete
}
