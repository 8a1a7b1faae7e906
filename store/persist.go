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
// string's bytes or the collection's header.
func (tx *Tx) saveMeta(e *entry) {
	b := tx.pending()
	if b == nil {
		return
	}
	tx.saveMetaIn(b, tx.slot(), e)
}

func (tx *Tx) saveMetaIn(b Batch, slot byte, e *entry) {
	tx.kbuf = appendMetaKey(tx.kbuf[:0], slot, e.key)
	var payload []byte
	if c := e.coll(); c != nil {
		payload = c.meta()
	} else {
		payload = e.val()
	}
	tx.vbuf = appendMetaValue(tx.vbuf[:0], e.kind(), e.expireAt, payload)
	b.Set(tx.kbuf, tx.vbuf)
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
	if e.isColl() {
		p := newDataPrefix(slot, e.key)
		e.coll().writeElements(b, p)
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
	if e.isColl() && e.coll().size() > 0 {
		p := newDataPrefix(slot, e.key)
		b.DeleteRange(p.start(), p.end())
	}
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
