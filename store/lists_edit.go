package store

import "bytes"

// List operations that change elements in the middle of a list. They
// rebuild only the chunks they touch, and rewrite the element records of
// the shorter side of the change, so sequence numbers stay contiguous.

// ListSet replaces the element at idx.
func (tx *Tx) ListSet(key []byte, idx int64, val []byte) error {
	e, l, err := tx.listOf(key)
	if err != nil {
		return err
	}
	if e == nil {
		return ErrNoSuchKey
	}
	i, ok := listIndex(l.n, idx)
	if !ok {
		return ErrIndexRange
	}
	l.set(i, val)
	if b, p := tx.elements(e); b != nil {
		b.Set(listKey(&p, l.seq+uint64(i)), val)
	}
	tx.notifyString(e.key, EventList, "lset")
	return nil
}

// ListInsert inserts val before (or after) the first element equal to
// pivot. It returns the new length, -1 when pivot is not found and 0 when
// the key is absent.
func (tx *Tx) ListInsert(key []byte, before bool, pivot, val []byte) (int, error) {
	e, l, err := tx.listOf(key)
	if e == nil {
		return 0, err
	}
	at := -1
	l.each(0, func(i int, v []byte) bool {
		if bytes.Equal(v, pivot) {
			at = i
			return false
		}
		return true
	})
	if at < 0 {
		return -1, nil
	}
	if !before {
		at++
	}
	l.insert(at, val)
	// Rewrite the records of the shorter side: below the insertion point
	// every element moves one sequence number down, above it one up.
	if b, p := tx.elements(e); b != nil {
		if at < l.n/2 {
			l.seq--
			l.writeRange(b, &p, 0, at+1)
		} else {
			l.writeRange(b, &p, at, l.n)
		}
	} else if at < l.n/2 {
		l.seq--
	}
	tx.notifyString(e.key, EventList, "linsert")
	return l.n, nil
}

// ListRem removes elements equal to val: the first count from the head
// (count > 0), the last -count from the tail (count < 0), or all (0). It
// returns how many it removed.
func (tx *Tx) ListRem(key []byte, count int64, val []byte) (int, error) {
	e, l, err := tx.listOf(key)
	if e == nil {
		return 0, err
	}
	limit := count
	if limit < 0 {
		limit = -limit
	}
	if limit > int64(l.n) {
		limit = 0 // more than there are: remove all
	}
	oldN := l.n
	removed, first, last := l.remove(val, int(limit), count < 0)
	if removed == 0 {
		return 0, nil
	}
	// Keep the head's sequence numbers and rewrite from the first removed
	// index, or keep the tail's and rewrite up to the last one, whichever
	// touches fewer records.
	oldSeq := l.seq
	if b, p := tx.elements(e); b != nil {
		if l.n-first <= last+1-removed {
			l.writeRange(b, &p, first, l.n)
			tx.deleteSeqs(e, oldSeq+uint64(l.n), oldSeq+uint64(oldN))
		} else {
			l.seq += uint64(removed)
			l.writeRange(b, &p, 0, last+1-removed)
			tx.deleteSeqs(e, oldSeq, l.seq)
		}
	}
	tx.notifyString(e.key, EventList, "lrem")
	tx.deleteIfEmpty(e)
	return removed, nil
}

// ListTrim keeps only the elements from start to stop inclusive.
func (tx *Tx) ListTrim(key []byte, start, stop int64) error {
	e, l, err := tx.listOf(key)
	if e == nil {
		return err
	}
	from, to, ok := listRange(l.n, start, stop)
	if !ok {
		from, to = l.n, l.n-1 // remove everything
	}
	front, back := from, l.n-1-to
	if front > 0 {
		tx.deleteSeqs(e, l.seq, l.seq+uint64(front))
		l.dropFront(front)
	}
	if back > 0 {
		end := l.seq + uint64(l.n)
		tx.deleteSeqs(e, end-uint64(back), end)
		l.dropBack(back)
	}
	tx.notifyString(e.key, EventList, "ltrim")
	tx.deleteIfEmpty(e)
	return nil
}
