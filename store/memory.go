package store

import (
	"math"
	"sync/atomic"
	"unsafe"
)

// Used memory is Cairn's own accounting of its data: the sum over every
// key of entry.memory() (the entry, its map and dense-array slots, the
// key's bytes and the value's estimate). INFO reports it, with the
// embedder's BufferMemory (clients' buffers), as used_memory, and
// maxmemory eviction compares that sum against the limit. It is an estimate of the
// live heap the keyspace holds, calibrated against runtime.MemStats in
// memory_test.go, not a GC statistic: GC figures lag and include garbage.
//
// It is kept incrementally. Every write path finds its key through
// lookupWrite or create, which put the entry on the transaction's dirty
// list; settleMemory recomputes those entries' memory() once, at the end
// of the transaction (or before an eviction decision), so a collection's
// memory() runs once per write however many elements the write touched.
// Removing a key subtracts what was counted for it.
//
// A collection's memory() walks its elements, so calling it on every
// write would make LPUSH on a long list O(n). For collections, estimate
// scales the last full measurement by the change in element count, and
// measures again when the count has doubled or halved since, or after as
// many writes as there were elements: amortized O(1) per write, and
// exact again after a bounded amount of change.

// memUnit is the granularity of entry.mem: a uint32 of 8-byte units covers
// values up to 32 GiB without growing the entry.
const memUnit = 8

// dirtyEntry is an entry written in this transaction, with the keyspace
// it lives in.
type dirtyEntry struct {
	ks *keyspace
	e  *entry
}

// markDirty schedules e's memory to be recounted when the transaction
// settles.
func (tx *Tx) markDirty(e *entry) {
	tx.dirty = append(tx.dirty, dirtyEntry{ks: tx.db.keys, e: e})
}

// settleMemory recounts the entries written since the last settle.
func (tx *Tx) settleMemory() {
	for i, d := range tx.dirty {
		if d.e.pos >= 0 {
			tx.s.account(d.ks, d.e)
		}
		tx.dirty[i] = dirtyEntry{}
	}
	if cap(tx.dirty) > 4096 {
		tx.dirty = nil // a huge MSET or EXEC; don't keep its list forever
	}
	tx.dirty = tx.dirty[:0]
}

// account brings e's counted bytes up to date with its memory().
func (s *Store) account(ks *keyspace, e *entry) {
	units := (ks.estimate(e) + memUnit - 1) / memUnit
	if units > math.MaxUint32 {
		units = math.MaxUint32
	}
	delta := int64(units-int(e.mem)) * memUnit
	e.mem = uint32(units)
	ks.used += delta
	s.used += delta
}

// unaccount subtracts what was counted for e, which is leaving ks.
func (s *Store) unaccount(ks *keyspace, e *entry) {
	ks.dropSample(e)
	n := int64(e.mem) * memUnit
	e.mem = 0
	ks.used -= n
	s.used -= n
}

// UsedMemory returns the bytes Cairn's data occupies, by its own
// accounting, as of the last finished transaction, plus StartupMemory and
// BufferMemory. It does not take the keyspace lock.
func (s *Store) UsedMemory() int64 {
	return s.usedPub.Load() + s.StartupMemory() + s.BufferMemory()
}

// SetBufferMemory makes n count in UsedMemory, and so against maxmemory:
// the bytes the embedder's buffers hold outside the keyspace (the
// server's clients' buffers), which eviction frees keys to make room
// for, as Redis counts clients' memory in used_memory. It is set once,
// before the store is used.
func (s *Store) SetBufferMemory(n *atomic.Int64) { s.buffers = n }

// BufferMemory is SetBufferMemory's figure now (0 without one).
func (s *Store) BufferMemory() int64 {
	if s.buffers == nil {
		return 0
	}
	return max(s.buffers.Load(), 0)
}

// dbFixedBytes is what one database's empty structures (its key index and
// expiry heap headers) are counted for.
const dbFixedBytes = 64

// StartupMemory is the part of UsedMemory an empty store has: its
// databases' fixed structures (Redis's used_memory_startup). Redis's
// used_memory is never 0 either, so that maxmemory 1 means full, as
// clients and Redis's tests expect, even with no key.
func (s *Store) StartupMemory() int64 { return int64(len(s.dbs)) * dbFixedBytes }

// accountAll counts every key, after loading.
func (s *Store) accountAll() {
	for _, d := range s.dbs {
		for _, e := range d.keys.dense {
			s.account(d.keys, e)
		}
	}
	s.usedPub.Store(s.used)
}

// exactBelow is the element count up to which a collection's memory is
// measured on every write rather than estimated.
const exactBelow = 128

// memSample is the last full memory() of a collection.
type memSample struct {
	obj    unsafe.Pointer // the collection measured
	size   int
	mem    int
	writes int
}

// dropSample forgets e's sample.
func (ks *keyspace) dropSample(e *entry) {
	if ks.lastSampled == e {
		ks.lastSampled, ks.lastSample = nil, nil
	}
	if len(ks.samples) > 0 {
		delete(ks.samples, e)
	}
}

// estimate is e's memory: exact for strings, sampled for collections.
func (ks *keyspace) estimate(e *entry) int {
	if !e.isColl() {
		return e.memory()
	}
	n := e.coll().size()
	if n <= exactBelow {
		// Small values are cheap to measure, and scaling would be wrong
		// for them: one popped element can free a whole chunk.
		ks.dropSample(e)
		return e.memory()
	}
	// The sample is updated in place: a write to a large collection
	// costs one map lookup, or none when it was the last one sampled.
	sm := ks.lastSample
	if ks.lastSampled != e {
		sm = ks.samples[e]
		ks.lastSampled, ks.lastSample = e, sm
	}
	if sm != nil && sm.obj == e.p && sm.size > 0 && n <= 2*sm.size && 2*n >= sm.size && sm.writes < sm.size {
		sm.writes++
		return int(int64(sm.mem) * int64(n) / int64(sm.size))
	}
	m := e.memory()
	if sm == nil {
		if ks.samples == nil {
			ks.samples = make(map[*entry]*memSample)
		}
		sm = new(memSample)
		ks.samples[e] = sm
	}
	*sm = memSample{obj: e.p, size: n, mem: m}
	ks.lastSampled, ks.lastSample = e, sm
	return m
}
