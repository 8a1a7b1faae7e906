package store

import (
	"bytes"
	"fmt"
)

// CheckMemory recounts every key's memory and compares it with the
// incremental accounting, for tests in package store_test.
func (s *Store) CheckMemory() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var total int64
	for i, d := range s.dbs {
		var db int64
		for _, e := range d.keys.dense {
			got := int64(e.mem) * memUnit
			if want := int64((e.memory()+memUnit-1)/memUnit) * memUnit; !e.isColl() && got != want {
				return fmt.Errorf("db %d key %q: counted %d bytes, memory() says %d", i, e.key, got, want)
			}
			if e.isColl() && (got <= 0 || got > 4*int64(e.memory())+64) {
				return fmt.Errorf("db %d key %q: counted %d bytes for a collection of %d bytes", i, e.key, got, e.memory())
			}
			db += got
		}
		if db != d.keys.used {
			return fmt.Errorf("db %d: counted %d bytes, keys add up to %d", i, d.keys.used, db)
		}
		total += db
	}
	if total != s.used || total != s.usedPub.Load() {
		return fmt.Errorf("used memory %d (published %d), keys add up to %d", s.used, s.usedPub.Load(), total)
	}
	return nil
}

// SetSnapshotSteps makes a save walk keys keys a step, in chunks of
// chunk bytes, and call between after each step, for tests; restore puts
// the defaults back.
func SetSnapshotSteps(keys, chunk int, between func()) (restore func()) {
	oldKeys, oldChunk, oldRoom, oldBetween := snapshotStepKeys, snapshotChunk, snapshotRoom, snapshotBetweenSteps
	snapshotStepKeys, snapshotChunk, snapshotRoom, snapshotBetweenSteps = keys, chunk, chunk/4, between
	return func() {
		snapshotStepKeys, snapshotChunk, snapshotRoom, snapshotBetweenSteps = oldKeys, oldChunk, oldRoom, oldBetween
	}
}

// SnapshotHooks counts the keyspaces a save still walks (none once
// SnapshotRDB has returned), for tests.
func (s *Store) SnapshotHooks() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, d := range s.dbs {
		if d.keys.snap != nil {
			n++
		}
	}
	if s.snapshot != nil {
		n++
	}
	return n
}

// SnapshotRDB is StartSnapshot and Encode, with the pieces joined.
func (s *Store) SnapshotRDB(o RDBOptions) (file []byte, keys int, err error) {
	snap, err := s.StartSnapshot(o)
	if err != nil {
		return nil, 0, err
	}
	pieces, keys, err := snap.Encode()
	if err != nil {
		return nil, 0, err
	}
	defer snap.Release()
	return bytes.Join(pieces, nil), keys, nil
}
