package store

// SORT's list side: reading a list's elements and storing a result.

// sortableElements returns a list's elements in order; ok is false when
// e is not a list. The slices alias the list's chunks.
func (tx *Tx) sortableElements(e *entry) ([][]byte, bool, error) {
	l, ok := e.coll().(*list)
	if !ok {
		return nil, false, nil
	}
	out := make([][]byte, 0, l.n)
	l.each(0, func(_ int, v []byte) bool {
		out = append(out, v)
		return true
	})
	return out, true, nil
}

// sortStore stores vals at dst as a list (deleting dst when empty); a
// missing GET value is stored as an empty string, as Redis does.
func (tx *Tx) sortStore(dst []byte, vals [][]byte) error {
	l := newList()
	for _, v := range vals {
		if v == nil {
			v = []byte{}
		}
		l.pushBack(v)
	}
	if tx.storeColl(dst, l, EventList, "sortstore") {
		tx.MarkReady(tx.dbIndex, string(dst))
	}
	return nil
}
