package store

import (
	"bytes"
	"cmp"
	"slices"

	"github.com/cairn-db/cairn/protocol/num"
)

// A set holds distinct members. Small sets (at most setMaxPacked members
// of at most packedMaxLen bytes) are one packed slice; bigger ones become
// a table: a map from member to position in a dense array, for O(1)
// membership, O(1) random picks (SPOP, SRANDMEMBER) and a SCAN cursor that
// survives removals (see denseScan).
//
// While a set is what Redis keeps as an intset (see encoding), its
// members are listed in ascending integer order, as an intset's are
// (SMEMBERS, SSCAN, SUNION, SPOP of the whole set …): the packed slice is
// kept in that order, and a table is sorted when walked.
//
// Element records: one per member, sub = member, empty value.
type set struct {
	small packed // members while tab is nil
	n     int
	tab   *setTable
	// nonInt and wasBig decide the encoding name OBJECT ENCODING reports:
	// Redis 7.0 keeps integer-only sets of up to 512 members as an intset.
	nonInt, wasBig bool
}

type setTable struct {
	idx     map[string]int32
	members []string
}

// setMaxPacked is the most members a packed set holds: Cairn's own
// threshold, invisible to clients (OBJECT ENCODING reports Redis 7.0's
// intset or hashtable, see encoding).
const setMaxPacked = 128

func newSet() *set { return &set{} }

func (s *set) kind() Kind { return KindSet }
func (s *set) size() int  { return s.n }

func (s *set) encoding() string {
	if s.isIntset() {
		return "intset"
	}
	return "hashtable"
}

// isIntset reports whether Redis would keep the set as an intset: integer
// members only, never more than set-max-intset-entries of them.
func (s *set) isIntset() bool { return !s.nonInt && !s.wasBig }

func (s *set) memory() int {
	if s.tab == nil {
		return 32 + sizeClass(cap(s.small))
	}
	n := 48 + len(s.tab.idx)*32 + cap(s.tab.members)*16
	for _, m := range s.tab.members {
		n += sizeClass(len(m))
	}
	return n
}

func (s *set) findPacked(m []byte) (off, end int, ok bool) {
	p := s.small
	for off < len(p) {
		v, next := p.next(off)
		if bytes.Equal(v, m) {
			return off, next, true
		}
		off = next
	}
	return 0, 0, false
}

func (s *set) has(m []byte) bool {
	if s.tab != nil {
		_, ok := s.tab.idx[string(m)]
		return ok
	}
	_, _, ok := s.findPacked(m)
	return ok
}

// add adds m and reports whether it is new.
func (s *set) add(m []byte) bool {
	if s.has(m) {
		return false
	}
	if !s.nonInt {
		if _, ok := num.ParseInt(m); !ok {
			s.nonInt = true
		}
	}
	if s.tab == nil && (s.n >= setMaxPacked || len(m) > packedMaxLen) {
		s.convert()
	}
	s.n++
	if s.tab != nil {
		str := string(m)
		s.tab.idx[str] = int32(len(s.tab.members))
		s.tab.members = append(s.tab.members, str)
		return true
	}
	if s.isIntset() {
		s.small = s.small.insertAt(s.intPosition(m), m)
		return true
	}
	s.small = s.small.appendStr(m)
	return true
}

// intPosition is where integer m goes in the packed slice of an intset:
// before the first larger member.
func (s *set) intPosition(m []byte) int {
	v, _ := num.ParseInt(m)
	for off := 0; off < len(s.small); {
		x, next := s.small.next(off)
		if w, _ := num.ParseInt(x); w > v {
			return off
		}
		off = next
	}
	return len(s.small)
}

func (s *set) remove(m []byte) bool {
	if s.tab != nil {
		i, ok := s.tab.idx[string(m)]
		if !ok {
			return false
		}
		s.removeAt(int(i))
		return true
	}
	off, end, ok := s.findPacked(m)
	if !ok {
		return false
	}
	s.small = s.small.cut(off, end)
	s.n--
	return true
}

// removeAt removes the member at position i of the table.
func (s *set) removeAt(i int) {
	t := s.tab
	last := len(t.members) - 1
	delete(t.idx, t.members[i])
	if i != last {
		t.members[i] = t.members[last]
		t.idx[t.members[i]] = int32(i)
	}
	t.members[last] = ""
	t.members = t.members[:last]
	s.n--
}

func (s *set) convert() {
	t := &setTable{idx: make(map[string]int32, s.n+1), members: make([]string, 0, s.n+1)}
	s.each(func(m []byte) {
		str := string(m)
		t.idx[str] = int32(len(t.members))
		t.members = append(t.members, str)
	})
	s.tab, s.small = t, nil
}

// each calls fn for every member, an intset's in ascending order; the
// slice is valid until the next change.
func (s *set) each(fn func(m []byte)) {
	if s.tab != nil {
		members := s.tab.members
		if s.isIntset() {
			members = slices.Clone(members)
			slices.SortFunc(members, func(a, b string) int {
				x, _ := num.ParseInt(bview(a))
				y, _ := num.ParseInt(bview(b))
				return cmp.Compare(x, y)
			})
		}
		for _, m := range members {
			fn(bview(m))
		}
		return
	}
	for off := 0; off < len(s.small); {
		m, next := s.small.next(off)
		fn(m)
		off = next
	}
}

// members returns every member.
func (s *set) members() [][]byte {
	out := make([][]byte, 0, s.n)
	s.each(func(m []byte) { out = append(out, m) })
	return out
}

func (s *set) clone() collection {
	c := *s
	if s.tab == nil {
		c.small = bytes.Clone(s.small)
		return &c
	}
	c.tab = &setTable{idx: make(map[string]int32, s.n), members: append([]string(nil), s.tab.members...)}
	for i, m := range c.tab.members {
		c.tab.idx[m] = int32(i)
	}
	return &c
}

func (s *set) meta() []byte { return nil }

func (s *set) writeElements(b Batch, p dataPrefix) {
	s.each(func(m []byte) { b.Set(p.key(m), nil) })
}

func (s *set) loadElement(sub, value []byte) error {
	s.add(sub)
	return nil
}

// noteLen records that the set outgrew an intset when it holds more than
// max members (set-max-intset-entries); Redis converts after each add and
// never back.
func (s *set) noteLen(max int) {
	if s.n > max {
		s.wasBig = true
	}
}

// refit gives the set the encoding a load under l gives it: an intset
// when it holds at most l.SetIntsetEntries members, all integers.
func (s *set) refit(l *EncodingLimits) { s.wasBig = s.n > l.SetIntsetEntries }

func (s *set) dump() string {
	var items []string
	s.each(func(m []byte) { items = append(items, quote(m)) })
	return quoteSorted(items)
}

var _ collection = (*set)(nil)
