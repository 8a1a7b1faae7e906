package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// ErrForeignData: the engine holds records Cairn did not write, or of a
// format this version cannot read. Open refuses it rather than start
// empty and overwrite someone's data.
var ErrForeignData = errors.New("store: data directory holds data in an unknown format")

// ErrLoadInterrupted: Load gave up because its stop channel closed.
var ErrLoadInterrupted = errors.New("store: load interrupted")

// interruptible wraps an Iterate callback to return ErrLoadInterrupted
// once stop is closed, looking every 4096 records.
func interruptible(stop <-chan struct{}, fn func(k, v []byte) error) func(k, v []byte) error {
	if stop == nil {
		return fn
	}
	n := 0
	return func(k, v []byte) error {
		if n++; n%4096 == 0 {
			select {
			case <-stop:
				return ErrLoadInterrupted
			default:
			}
		}
		return fn(k, v)
	}
}

// SetKeyLoadDelay sets Redis's key-load-delay, a setting for tests that
// watch a server while it loads: a load (of the engine's records or of an
// RDB file) sleeps after each key, us microseconds, or with a negative
// us one microsecond once in -us keys. 0, the default, never sleeps.
func (s *Store) SetKeyLoadDelay(us int64) { s.keyLoadDelay.Store(us) }

// afterKeyLoaded is Redis's debugDelay(server.key_load_delay).
func (s *Store) afterKeyLoaded() {
	us := s.keyLoadDelay.Load()
	if us == 0 {
		return
	}
	if us < 0 {
		if rand.Int64N(-us) != 0 {
			return
		}
		us = 1
	}
	time.Sleep(time.Duration(us) * time.Microsecond)
}

// load reads every record back into memory: the store-wide state, then
// each key's metadata, then the elements of collections. Keys whose TTL
// passed while the store was closed are dropped and their records deleted.
func (s *Store) load(stop <-chan struct{}) error {
	if err := s.loadSystem(); err != nil {
		return err
	}
	now := s.clock.Now().UnixMilli()
	cleanup := s.engine.NewBatch()
	slotDB := make(map[byte]int, len(s.slots))
	for db, slot := range s.slots {
		slotDB[slot] = db
	}
	// Strings whose layout does not match their length (see
	// stringchunks.go), rewritten once loaded.
	var misfiled []slotEntry
	// Count the keys of each database first and size the maps once:
	// growing a map of a million keys step by step costs more than this
	// extra pass over the metadata records.
	counts := make(map[byte]int, len(s.slots))
	if err := s.engine.Iterate([]byte{spaceMeta}, []byte{spaceMeta + 1}, interruptible(stop, func(k, v []byte) error {
		if len(k) >= 2 {
			counts[k[1]]++
		}
		return nil
	})); err != nil {
		cleanup.Close()
		return err
	}
	for slot, n := range counts {
		if db, ok := slotDB[slot]; ok {
			s.dbs[db].keys = newKeyspaceSize(n)
		}
	}
	err := s.engine.Iterate([]byte{spaceMeta}, []byte{spaceMeta + 1}, interruptible(stop, func(k, v []byte) error {
		if len(k) < 2 || len(v) < metaHeaderLen {
			return fmt.Errorf("%w: short metadata record %q", ErrForeignData, k)
		}
		db, ok := slotDB[k[1]]
		if !ok {
			return fmt.Errorf("store: data exists for database slot %d, beyond the configured databases", k[1])
		}
		kind := Kind(v[0])
		expireAt := int64(binary.BigEndian.Uint64(v[1:9]))
		if expireAt != 0 && expireAt <= now {
			cleanup.Delete(k)
			return nil
		}
		d := s.dbs[db]
		var e *entry
		switch kind {
		case KindString:
			e = d.keys.addString(k[2:], v[metaHeaderLen:])
			if chunked(e.valLen()) {
				misfiled = append(misfiled, slotEntry{k[1], e})
			}
		case KindString | kindChunked:
			n, ok := chunkedLen(v[metaHeaderLen:])
			if !ok {
				return fmt.Errorf("%w: bad string length in %q", ErrForeignData, k)
			}
			e = d.keys.addString(k[2:], nil)
			e.setVal(make([]byte, n)) // chunks fill it; missing ones are zeros
			if !chunked(n) {
				misfiled = append(misfiled, slotEntry{k[1], e})
			}
		default:
			e = d.keys.add(k[2:])
			obj, err := newCollection(kind, bytes.Clone(v[metaHeaderLen:]))
			if err != nil {
				return fmt.Errorf("key %q: %w", k[2:], err)
			}
			e.setColl(obj)
		}
		if expireAt != 0 {
			e.expireAt = expireAt
			d.expires.push(e)
		}
		s.afterKeyLoaded()
		return nil
	}))
	if err != nil {
		cleanup.Close()
		return err
	}
	err = s.engine.Iterate([]byte{spaceData}, []byte{spaceData + 1}, interruptible(stop, func(k, v []byte) error {
		slot, key, sub, ok := parseDataKey(k)
		if !ok {
			return fmt.Errorf("%w: bad element record %q", ErrForeignData, k)
		}
		var e *entry
		if db, ok := slotDB[slot]; ok {
			e = s.dbs[db].keys.get(key)
		}
		switch {
		case e == nil:
			// Elements of a key that expired while the store was closed.
			cleanup.Delete(k)
			return nil
		case !e.isColl():
			if !loadChunk(e, sub, v) {
				return fmt.Errorf("%w: bad string chunk %q", ErrForeignData, k)
			}
			return nil
		}
		return e.coll().loadElement(sub, v)
	}))
	if err != nil {
		cleanup.Close()
		return err
	}
	for _, m := range misfiled {
		rewriteString(cleanup, m.slot, m.e)
	}
	lim := s.limits.Load()
	for _, d := range s.dbs {
		for _, e := range d.keys.dense {
			if e.isColl() {
				refit(e.coll(), lim)
			}
		}
	}
	s.accountAll()
	if cleanup.Empty() {
		cleanup.Close()
		return nil
	}
	return s.engine.Commit(cleanup)
}

// loadSystem reads the format and database-slot records. A store with no
// records at all is new: it gets the current format.
func (s *Store) loadSystem() error {
	var format, slots []byte
	err := s.engine.Iterate([]byte{spaceSys}, []byte{spaceSys + 1}, func(k, v []byte) error {
		switch {
		case bytes.Equal(k, sysFormatKey):
			format = bytes.Clone(v)
		case bytes.Equal(k, sysDBSlotsKey):
			slots = bytes.Clone(v)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if format == nil {
		empty := true
		if err := s.engine.Iterate(nil, nil, func(k, v []byte) error {
			empty = false
			return errStop
		}); err != nil && err != errStop {
			return err
		}
		if !empty {
			return ErrForeignData
		}
		return s.writeFormat()
	}
	switch string(format) {
	case formatVersion:
	case formatCairn1, formatCairn2:
		if err := s.writeFormat(); err != nil {
			return err
		}
	default:
		return fmt.Errorf("%w: format %q, this version reads %q", ErrForeignData, format, formatVersion)
	}
	for i := 0; i < len(slots) && i < len(s.slots); i++ {
		s.slots[i] = slots[i]
	}
	return validSlots(s.slots)
}

// writeFormat records that the store holds records of the current format.
func (s *Store) writeFormat() error {
	b := s.engine.NewBatch()
	b.Set(sysFormatKey, []byte(formatVersion))
	if err := s.engine.Commit(b); err != nil {
		return err
	}
	return s.engine.Sync()
}

var errStop = errors.New("stop")

// slotEntry is a loaded key with its database slot.
type slotEntry struct {
	slot byte
	e    *entry
}

// validSlots checks that slots maps databases to distinct slots, which
// SWAPDB (a permutation) always keeps true. A slots record written with
// more databases than configured now could break it.
func validSlots(slots []byte) error {
	seen := make(map[byte]bool, len(slots))
	for i, sl := range slots {
		if seen[sl] {
			return fmt.Errorf("store: database %d shares slot %d; start with the --databases used before", i, sl)
		}
		seen[sl] = true
	}
	return nil
}

// newCollection builds an empty collection of kind k from the type fields
// of its metadata record; its elements are loaded next.
func newCollection(k Kind, meta []byte) (collection, error) {
	switch k {
	case KindList:
		return newListFromMeta(meta)
	case KindHash:
		return newHash(), nil
	case KindSet:
		return newSet(), nil
	case KindZSet:
		return newZSet(), nil
	case KindStream:
		return newStreamFromMeta(meta)
	}
	return nil, fmt.Errorf("%w: unknown value type %d", ErrForeignData, k)
}
