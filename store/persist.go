package store

// This file turns in-memory changes into engine records. Every mutation
// calls one of these while it holds the lock; without an engine they do
// nothing.

// pending returns the transaction's batch, starting one on first use, or
// nil when the store keeps no records.
func (tx *Tx) pending() Batch {
	if tx.s.engine == nil {
		return nil
	}
	if tx.batch == nil {
		tx.batch = tx.s.engine.NewBatch()
	}
	return tx.batch
}

// slot is the record slot of the current database.
func (tx *Tx) slot() byte { return tx.s.slots[tx.dbIndex] }

// saveMeta writes e's metadata record: its kind, expiry and either the
// string's bytes, a chunked string's length or the collection's header.
// It is the whole save for a change of TTL; a string's new bytes are
// saved with saveString.
func (tx *Tx) saveMeta(e *entry) {
	b := tx.pending()
	if b == nil {
		return
	}
	tx.saveMetaIn(b, tx.slot(), e)
}

func (tx *Tx) saveMetaIn(b Batch, slot byte, e *entry) {
	tx.kbuf = appendMetaKey(tx.kbuf[:0], slot, e.key)
	tx.vbuf = appendEntryMeta(tx.vbuf[:0], e)
	b.Set(tx.kbuf, tx.vbuf)
}

// appendEntryMeta appends the value of e's metadata record.
func appendEntryMeta(b []byte, e *entry) []byte {
	switch c := e.coll(); {
	case c != nil:
		return appendMetaValue(b, e.kind(), e.expireAt, c.meta())
	case chunked(e.valLen()):
		b = appendMetaValue(b, KindString|kindChunked, e.expireAt, nil)
		return appendChunkedMeta(b, e.valLen())
	}
	return appendMetaValue(b, KindString, e.expireAt, e.val())
}

// saveWhole writes e and all its elements, as when a value appears under
// a new name (RENAME, MOVE, COPY).
func (tx *Tx) saveWhole(e *entry) {
	b := tx.pending()
	if b == nil {
		return
	}
	slot := tx.slot()
	tx.saveMetaIn(b, slot, e)
	switch {
	case e.isColl():
		e.coll().writeElements(b, newDataPrefix(slot, e.key))
	case chunked(e.valLen()):
		writeChunks(b, newDataPrefix(slot, e.key), e.val(), 0, e.valLen())
	}
}

// dropRecords deletes every record of e in slot.
func (tx *Tx) dropRecords(slot byte, e *entry) {
	b := tx.pending()
	if b == nil {
		return
	}
	tx.kbuf = appendMetaKey(tx.kbuf[:0], slot, e.key)
	b.Delete(tx.kbuf)
	if hasElements(e) {
		p := newDataPrefix(slot, e.key)
		b.DeleteRange(p.start(), p.end())
	}
}

// hasElements reports whether e has element records: a collection's
// elements, or a long string's chunks.
func hasElements(e *entry) bool {
	if e.isColl() {
		return e.coll().size() > 0
	}
	return chunked(e.valLen())
}

// elements returns the batch and the element-key builder for e, or a nil
// batch when the store keeps no records. Type files write their element
// records through it.
func (tx *Tx) elements(e *entry) (Batch, dataPrefix) {
	b := tx.pending()
	if b == nil {
		return nil, dataPrefix{}
	}
	return b, newDataPrefix(tx.slot(), e.key)
}
