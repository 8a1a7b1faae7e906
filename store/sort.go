package store

import (
	"bytes"
	"errors"
	"slices"

	"github.com/cairn-db/cairn/protocol/num"
)

// SortOptions are SORT's options, parsed by the server.
type SortOptions struct {
	By          []byte   // BY pattern; nil sorts by the elements themselves
	Gets        [][]byte // GET patterns, in order ("#" is the element)
	Limit       bool     // LIMIT given
	Offset      int64
	Count       int64
	Desc, Alpha bool
	Store       []byte // STORE destination; nil replies instead
	// Stable: a set sorted BY a constant comes out sorted (ALPHA), not
	// in its internal order, as Redis does for a script's SORT.
	Stable bool
}

// ErrSortNotDouble: a numeric SORT met a value that is not a number.
var ErrSortNotDouble = errors.New("store: one or more scores can't be converted into double")

// sortItem is one element being sorted, with its weight.
type sortItem struct {
	elem  []byte
	score float64
	cmp   []byte // ALPHA with BY: the weight's bytes; nil when missing
}

// Sort runs SORT on key: it returns the output values in order (a nil
// entry is a missing GET value), or with o.Store stores them as a list
// and returns them too (the caller replies with their count).
func (tx *Tx) Sort(key []byte, o SortOptions) ([][]byte, error) {
	var e *entry
	if o.Store != nil {
		e = tx.lookupWrite(key)
	} else {
		e = tx.lookupRead(key)
	}
	var elems [][]byte
	ordered := false // elements come in a meaningful order (list, zset)
	if e != nil {
		switch v := e.coll().(type) {
		case *set:
			elems = v.members()
		case *zset:
			// Redis converts a sorted set it sorts to a skip list; do the
			// same so OBJECT ENCODING agrees afterwards.
			if v.sl == nil {
				v.convert()
			}
			for _, it := range v.collect(0, v.n, false) {
				elems = append(elems, it.Member)
			}
			ordered = true
		default:
			var ok bool
			var err error
			if elems, ok, err = tx.sortableElements(e); err != nil {
				return nil, err
			} else if !ok {
				return nil, ErrWrongType
			}
			ordered = true
		}
	}
	dontSort := o.By != nil && bytes.IndexByte(o.By, '*') < 0
	by := o.By
	if dontSort && !ordered && (o.Store != nil || o.Stable) {
		// Redis sorts a set anyway when storing, so the result does not
		// depend on the set's internal order.
		dontSort, o.Alpha, by = false, true, nil
	}
	if dontSort && ordered && o.Desc {
		for i, j := 0, len(elems)-1; i < j; i, j = i+1, j-1 {
			elems[i], elems[j] = elems[j], elems[i]
		}
	}
	items := make([]sortItem, len(elems))
	for i, el := range elems {
		items[i].elem = el
	}
	n := int64(len(items))
	start, end := int64(0), n-1
	if o.Limit {
		start = max(o.Offset, 0)
		if o.Count >= 0 {
			end = start + o.Count - 1
		}
		if start >= n {
			start, end = n-1, n-2
		}
		end = min(end, n-1)
	}
	if !dontSort {
		cmp, err := tx.sortOrder(items, by, o.Alpha, o.Desc)
		if err != nil {
			return nil, err
		}
		if by != nil && (start != 0 || end != n-1) {
			// Redis sorts only the window, with pqsort, which is not
			// stable: equal ALPHA weights come out in its order.
			pqsort(items, cmp, int(start), int(end))
		} else { // glibc's qsort, a merge sort
			slices.SortStableFunc(items, func(a, b sortItem) int { return cmp(&a, &b) })
		}
	}
	var out [][]byte
	for j := start; j <= end; j++ {
		el := items[j].elem
		if len(o.Gets) == 0 {
			out = append(out, el)
		}
		for _, g := range o.Gets {
			v, ok := tx.sortLookup(g, el)
			if ok && v == nil {
				v = []byte{}
			}
			out = append(out, v)
		}
	}
	if o.Store != nil {
		if err := tx.sortStore(o.Store, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// sortOrder loads the items' weights and returns their order, Redis's
// sortCompare: numbers compare numerically with ties broken by the
// elements' bytes; ALPHA compares bytes (the C locale's strcoll), a
// missing BY weight sorting first.
func (tx *Tx) sortOrder(items []sortItem, by []byte, alpha, desc bool) (func(a, b *sortItem) int, error) {
	for i := range items {
		w := items[i].elem
		if by != nil {
			v, ok := tx.sortLookup(by, items[i].elem)
			if !ok {
				continue
			}
			w = v
			if w == nil {
				w = []byte{}
			}
		}
		if alpha {
			if by != nil {
				items[i].cmp = w
			}
			continue
		}
		s, ok := sortScore(w)
		if !ok {
			return nil, ErrSortNotDouble
		}
		items[i].score = s
	}
	cmp := func(a, b *sortItem) int {
		switch {
		case !alpha && a.score > b.score:
			return 1
		case !alpha && a.score < b.score:
			return -1
		case !alpha:
			return bytes.Compare(a.elem, b.elem)
		case by == nil:
			return bytes.Compare(a.elem, b.elem)
		case a.cmp == nil || b.cmp == nil:
			switch {
			case a.cmp == nil && b.cmp == nil:
				return 0
			case a.cmp == nil:
				return -1
			}
			return 1
		}
		return bytes.Compare(a.cmp, b.cmp)
	}
	if desc {
		return func(a, b *sortItem) int { return -cmp(a, b) }, nil
	}
	return cmp, nil
}

// sortScore parses a weight as strtod does for SORT: leading spaces are
// skipped, the empty string is 0, trailing bytes, NaN and overflow fail.
func sortScore(b []byte) (float64, bool) {
	b = bytes.TrimLeft(b, " \t\n\v\f\r")
	if len(b) == 0 {
		return 0, true
	}
	return num.ParseFloat(b)
}

// sortLookup resolves a BY or GET pattern for element el, as Redis's
// lookupKeyByPattern: "#" is the element itself; otherwise the first '*'
// is replaced by el, and a "->field" suffix after it reads a hash field.
// A missing key or field, a key of the wrong type, or a pattern without
// '*' gives ok false.
func (tx *Tx) sortLookup(pattern, el []byte) ([]byte, bool) {
	if len(pattern) == 1 && pattern[0] == '#' {
		return el, true
	}
	star := bytes.IndexByte(pattern, '*')
	if star < 0 {
		return nil, false
	}
	keyPat, field := pattern, []byte(nil)
	if f := bytes.Index(pattern[star+1:], []byte("->")); f >= 0 && star+1+f+2 < len(pattern) {
		keyPat, field = pattern[:star+1+f], pattern[star+1+f+2:]
	}
	name := make([]byte, 0, len(keyPat)+len(el))
	name = append(append(append(name, keyPat[:star]...), el...), keyPat[star+1:]...)
	e := tx.lookupRead(name)
	if e == nil {
		return nil, false
	}
	if field != nil {
		h, ok := e.coll().(*hash)
		if !ok {
			return nil, false
		}
		return h.get(field)
	}
	if e.isColl() {
		return nil, false
	}
	return e.val(), true
}
