package store

// SORT's list side: reading a list's elements and storing a result.

// sortableElements returns a list's elements in order; ok is false when
// e is not a list. The slices alias the list's chunks.
func (tx *Tx) sortableElements(e *entry) ([][]byte, bool, error) {
	l, ok := e.obj.(*list)
	if !ok {
		return nil, false, nil
	}
	out := make([][]byte, 0, l.n)
	l.each(0, func(i int, v []byte) bool {
		out = append(out, v)
		return true
	})
	return out, true, nil
}

// sortStore stores vals at dst as a list, replacing any value (and its
// TTL), or deletes dst when vals is empty, as SORT … STORE does.
func (tx *Tx) sortStore(dst []byte, vals [][]byte) error {
	old := tx.lookupWrite(dst)
	if len(vals) == 0 {
		if old != nil {
			tx.delete(old)
		}
		return nil
	}
	if old != nil {
		tx.remove(old)
	}
	l := newList()
	for _, v := range vals {
		l.pushBack(v)
	}
	e := tx.create(dst)
	e.obj = l
	tx.saveWhole(e)
	tx.notifyString(e.key, EventList, "sortstore")
	tx.MarkReady(tx.dbIndex, e.key)
	return nil
}
