package store

import (
	"encoding/binary"
	"errors"
	"unsafe"
)

// HyperLogLog errors. A HyperLogLog is a string (see hll.go), so a key of
// another type gets ErrWrongType as for any string command.
var (
	// ErrNotHLL: the string is not a HyperLogLog (Redis replies
	// "WRONGTYPE Key is not a valid HyperLogLog string value.").
	ErrNotHLL = errors.New("store: not a valid HyperLogLog string value")
	// ErrInvalidHLL: a sparse HyperLogLog whose registers do not add up
	// (Redis replies "INVALIDOBJ Corrupted HLL object detected").
	ErrInvalidHLL = errors.New("store: corrupted HyperLogLog")
)

// SetHLLSparseMaxBytes sets the length past which a sparse HyperLogLog
// becomes dense (Redis's hll-sparse-max-bytes).
func (s *Store) SetHLLSparseMaxBytes(n int64) { s.hllSparseMax.Store(n) }

// hllOf returns the HyperLogLog string of e, checked as Redis checks it
// before any HyperLogLog operation.
func hllOf(e *entry) ([]byte, error) {
	if e.kind() != KindString {
		return nil, ErrWrongType
	}
	h := e.val()
	if !hllValid(h) {
		return nil, ErrNotHLL
	}
	return h, nil
}

// hllSave makes ed's string, which the HyperLogLog functions may have
// changed in place or reallocated, e's value, and writes it: the chunks
// marked dirty when the string was dense before the edit (and so still
// is, in place), otherwise all of it. oldLen is the
// length e's records held before.
func (tx *Tx) hllSave(e *entry, ed *hllEdit, oldLen int, wasDense bool) {
	h := ed.h
	if unsafe.SliceData(h) == unsafe.SliceData(e.val()) {
		e.sl = uint32(len(h)) // edited within the entry's own bytes
	} else {
		e.setVal(h)
	}
	e.markRaw() // Redis builds HyperLogLogs as raw strings
	tx.markDirty(e)
	if wasDense {
		tx.saveStringChunks(e, oldLen, ed.dirty)
		return
	}
	tx.saveString(e, oldLen, 0, len(h))
}

// PFAdd adds elements to the HyperLogLog at key, creating an empty one
// when key is absent, and reports whether a register changed or the key
// was created. A corrupt HyperLogLog fails with ErrInvalidHLL, keeping
// what the elements before the corruption was found changed, as Redis
// does.
func (tx *Tx) PFAdd(key []byte, elems [][]byte) (bool, error) {
	e := tx.lookupWrite(key)
	oldLen, updated := stringLen(e), false
	if e == nil {
		e = tx.createString(key, newHLL())
		updated = true
	} else if _, err := hllOf(e); err != nil {
		return false, err
	}
	ed, max := hllEdit{h: e.val()}, tx.s.hllSparseMax.Load()
	wasDense := ed.h[4] == hllEncDense
	for _, ele := range elems {
		r := ed.add(ele, max)
		if r < 0 {
			tx.hllSave(e, &ed, oldLen, false)
			return false, ErrInvalidHLL
		}
		updated = updated || r == 1
	}
	if !updated {
		return false, nil
	}
	if _, valid := hllCached(ed.h); valid {
		hllInvalidate(ed.h)
		ed.dirty |= 1 // the header's chunk
	}
	tx.hllSave(e, &ed, oldLen, wasDense)
	tx.notify(key, EventString, "pfadd")
	return true, nil
}

// PFCount estimates the number of distinct elements added to the
// HyperLogLog at keys[0], or to the union of several. For one key it
// returns the cached cardinality, or computes it and caches it in the
// string — a write, as in Redis, which WATCH sees but which raises no
// keyspace event. The union is computed without writing.
func (tx *Tx) PFCount(keys [][]byte) (int64, error) {
	if len(keys) > 1 {
		var max [hllRegisters]uint8
		for _, k := range keys {
			e := tx.lookupRead(k)
			if e == nil {
				continue // an absent key is an empty HyperLogLog
			}
			h, err := hllOf(e)
			if err != nil {
				return 0, err
			}
			if !hllMergeMax(&max, h) {
				return 0, ErrInvalidHLL
			}
		}
		return int64(hllMaxCount(&max)), nil
	}
	e := tx.lookupRead(keys[0])
	if e == nil {
		return 0, nil
	}
	h, err := hllOf(e)
	if err != nil {
		return 0, err
	}
	if card, ok := hllCached(h); ok {
		return int64(card), nil
	}
	card, ok := hllCount(h)
	if !ok {
		return 0, ErrInvalidHLL
	}
	// A store that can no longer write answers without caching: reads go
	// on after a disk failure, and this one must not fail for its cache.
	if tx.s.WriteError() == nil {
		tx.db.keys.beforeWrite(e)
		binary.LittleEndian.PutUint64(h[8:16], card)
		tx.saveString(e, len(h), 8, 16)
		tx.notify(keys[0], 0, "") // WATCH only, as Redis's signalModifiedKey
	}
	return int64(card), nil
}

// PFMerge stores at keys[0] the union of the HyperLogLogs at every key
// (keys[0] included), creating it when absent. The result is dense when
// any input is; otherwise it stays sparse until it outgrows
// hll-sparse-max-bytes. Its cached cardinality is always left stale.
func (tx *Tx) PFMerge(keys [][]byte) error {
	var max [hllRegisters]uint8
	dense := false
	for _, k := range keys {
		e := tx.lookupRead(k)
		if e == nil {
			continue
		}
		h, err := hllOf(e)
		if err != nil {
			return err
		}
		dense = dense || h[4] == hllEncDense
		if !hllMergeMax(&max, h) {
			return ErrInvalidHLL
		}
	}
	dest := keys[0]
	e := tx.lookupWrite(dest)
	oldLen := stringLen(e)
	if e == nil {
		e = tx.createString(dest, newHLL())
	}
	ed := hllEdit{h: e.val()}
	if dense && !ed.toDense() {
		return ErrInvalidHLL // not reached: dest was checked above
	}
	sparseMax := tx.s.hllSparseMax.Load()
	for i, v := range max {
		switch {
		case v == 0:
		case ed.h[4] == hllEncDense:
			hllDenseSet(ed.h[hllHdrSize:], i, int(v))
		default:
			ed.sparseSet(i, int(v), sparseMax)
		}
	}
	hllInvalidate(ed.h)
	tx.hllSave(e, &ed, oldLen, false)
	// Redis raises "pfadd" for a merge too: it is a mass add.
	tx.notify(dest, EventString, "pfadd")
	return nil
}
