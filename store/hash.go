package store

import "bytes"

// A hash holds field/value pairs. Small hashes (within
// hash-max-listpack-entries and -value, see EncodingLimits: Redis's
// listpack encoding) are one packed slice; bigger ones
// become a table: a map from field to position in a dense array of
// pairs, which gives O(1) lookups, O(1) random picks (HRANDFIELD) and a
// SCAN cursor that survives removals (see denseScan). A hash never
// converts back, as in Redis.
//
// Element records: one per field, sub = field, value = the value.
type hash struct {
	small packed // field, value, … while tab is nil
	n     int
	tab   *hashTable
}

type hashTable struct {
	idx   map[string]int32
	pairs []hashPair
}

// hashPair keeps a field and its value in one allocation (field bytes
// then value bytes); the table's map key is a substring of it, so a field
// is stored once.
type hashPair struct {
	kv   string
	flen int32
}

func newPair(f, v []byte) hashPair {
	b := make([]byte, 0, len(f)+len(v))
	b = append(append(b, f...), v...)
	return hashPair{kv: string(b), flen: int32(len(f))}
}

func (p hashPair) field() string { return p.kv[:p.flen] }
func (p hashPair) val() []byte   { return bview(p.kv[p.flen:]) }

// packedMaxLen is the longest member a packed set holds (sets have no
// listpack encoding in Redis 7.0, so this is Cairn's own choice).
const packedMaxLen = 64

// hashLoadLimit is what loadElement builds under; the load then refits
// the result to the limits in force.
var hashLoadLimit = DefaultEncodingLimits.hash()

func newHash() *hash { return &hash{} }

func (h *hash) kind() Kind { return KindHash }
func (h *hash) size() int  { return h.n }

func (h *hash) encoding() string {
	if h.tab != nil {
		return "hashtable"
	}
	return "listpack"
}

func (h *hash) memory() int {
	if h.tab == nil {
		return 32 + sizeClass(cap(h.small))
	}
	n := 48 + len(h.tab.idx)*30 + cap(h.tab.pairs)*24
	for _, p := range h.tab.pairs {
		n += sizeClass(len(p.kv))
	}
	return n
}

// find returns the offsets of field's entry in the packed form: the
// field's start, the value's start and the end; ok is false when absent.
func (h *hash) find(field []byte) (off, voff, end int, ok bool) {
	p := h.small
	for off < len(p) {
		f, next := p.next(off)
		_, vend := p.next(next)
		if bytes.Equal(f, field) {
			return off, next, vend, true
		}
		off = vend
	}
	return 0, 0, 0, false
}

func (h *hash) get(field []byte) ([]byte, bool) {
	if h.tab != nil {
		i, ok := h.tab.idx[string(field)]
		if !ok {
			return nil, false
		}
		return h.tab.pairs[i].val(), true
	}
	_, voff, _, ok := h.find(field)
	if !ok {
		return nil, false
	}
	v, _ := h.small.next(voff)
	return v, true
}

// set stores a copy of val under field and reports whether the field is
// new. A packed hash that would outgrow lim becomes a table first, as
// Redis's hashTypeSet: a field or value longer than lim.value converts it
// even when the field exists.
func (h *hash) set(field, val []byte, lim packLimit) bool {
	if h.tab == nil && (len(field) > lim.value || len(val) > lim.value) {
		h.convert()
	}
	if h.tab == nil && h.n+1 > lim.entries {
		if _, _, _, ok := h.find(field); !ok {
			h.convert()
		}
	}
	if h.tab != nil {
		if i, ok := h.tab.idx[string(field)]; ok {
			// The map key shares the old pair's bytes: re-key it so
			// they can be freed.
			delete(h.tab.idx, string(field))
			p := newPair(field, val)
			h.tab.pairs[i] = p
			h.tab.idx[p.field()] = i
			return false
		}
		p := newPair(field, val)
		h.tab.idx[p.field()] = int32(len(h.tab.pairs))
		h.tab.pairs = append(h.tab.pairs, p)
		h.n++
		return true
	}
	if _, voff, end, ok := h.find(field); ok {
		h.small = h.small.replaceAt(voff, end, val)
		return false
	}
	h.small = h.small.appendStr(field).appendStr(val)
	h.n++
	return true
}

func (h *hash) del(field []byte) bool {
	if h.tab != nil {
		i, ok := h.tab.idx[string(field)]
		if !ok {
			return false
		}
		t := h.tab
		last := len(t.pairs) - 1
		if int(i) != last {
			t.pairs[i] = t.pairs[last]
			t.idx[t.pairs[i].field()] = i
		}
		t.pairs[last] = hashPair{}
		t.pairs = t.pairs[:last]
		delete(t.idx, string(field))
		h.n--
		return true
	}
	off, _, end, ok := h.find(field)
	if !ok {
		return false
	}
	h.small = h.small.cut(off, end)
	h.n--
	return true
}

func (h *hash) convert() {
	t := &hashTable{idx: make(map[string]int32, h.n+1), pairs: make([]hashPair, 0, h.n+1)}
	h.each(func(f, v []byte) {
		p := newPair(f, v)
		t.idx[p.field()] = int32(len(t.pairs))
		t.pairs = append(t.pairs, p)
	})
	h.tab, h.small = t, nil
}

// each calls fn for every pair, in insertion order for a packed hash.
// The slices are valid until the next change.
func (h *hash) each(fn func(f, v []byte)) {
	if h.tab != nil {
		for _, p := range h.tab.pairs {
			fn(bview(p.field()), p.val())
		}
		return
	}
	p := h.small
	for off := 0; off < len(p); {
		f, next := p.next(off)
		v, end := p.next(next)
		fn(f, v)
		off = end
	}
}

func (h *hash) clone() collection {
	c := &hash{n: h.n}
	if h.tab == nil {
		c.small = bytes.Clone(h.small)
		return c
	}
	c.small = nil
	// Pairs are immutable strings, so the copy can share them.
	c.tab = &hashTable{idx: make(map[string]int32, h.n), pairs: append([]hashPair(nil), h.tab.pairs...)}
	for i, p := range c.tab.pairs {
		c.tab.idx[p.field()] = int32(i)
	}
	return c
}

func (h *hash) meta() []byte { return nil }

func (h *hash) writeElements(b Batch, p dataPrefix) {
	h.each(func(f, v []byte) { b.Set(p.key(f), v) })
}

func (h *hash) loadElement(sub, value []byte) error {
	h.set(sub, value, hashLoadLimit)
	return nil
}

// refit converts the hash to the encoding a load under l gives it: packed
// when it holds at most l.HashEntries fields, no field or value longer
// than l.HashValue, as Redis's rdbLoadObject decides.
func (h *hash) refit(l *EncodingLimits) {
	lim := l.hash()
	fits := h.n <= lim.entries
	if fits {
		h.each(func(f, v []byte) {
			fits = fits && len(f) <= lim.value && len(v) <= lim.value
		})
	}
	switch {
	case h.tab == nil && !fits:
		h.convert()
	case h.tab != nil && fits:
		var p packed
		h.each(func(f, v []byte) { p = p.appendStr(f).appendStr(v) })
		h.small, h.tab = p, nil
	}
}

func (h *hash) dump() string {
	var items []string
	h.each(func(f, v []byte) { items = append(items, quote(f)+":"+quote(v)) })
	return quoteSorted(items)
}

var _ collection = (*hash)(nil)
