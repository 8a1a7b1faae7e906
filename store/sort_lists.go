package store

import "errors"

// SORT's list side: reading a list's elements and storing a result. Lists
// arrive on another branch; until they do, SORT on a list key and SORT …
// STORE (whose result is a list) are refused with an explicit error.

// ErrSortNoLists: SORT met a list, or must store one, before list support
// is merged.
var ErrSortNoLists = errors.New("store: SORT over lists and SORT STORE are not available in this build")

// sortableElements returns a list's elements in order; ok is false when
// e is not a list.
func (tx *Tx) sortableElements(e *entry) ([][]byte, bool, error) {
	if e.kind() == KindList {
		return nil, true, ErrSortNoLists
	}
	return nil, false, nil
}

// sortStore stores vals at dst as a list (deleting dst when empty).
func (tx *Tx) sortStore(dst []byte, vals [][]byte) error {
	return ErrSortNoLists
}
