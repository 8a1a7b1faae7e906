package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"strings"

	"github.com/cairn-db/cairn/protocol/num"
)

// A zset is a sorted set: members with scores, ordered by (score, member
// bytes). Small ones (within zset-max-listpack-entries and -value, see
// EncodingLimits) are one packed slice of member, score pairs kept in
// order, Redis's listpack; bigger ones use a skip list with
// spans (O(log n) insert, delete, rank and range) plus a map from member
// to node for O(1) ZSCORE and a dense array of nodes for O(1) random picks
// and a removal-proof SCAN cursor.
//
// Every operation is built on four primitives that both encodings
// provide: score, insert/remove, countWhile (rank of a boundary) and
// walk (visit a rank range in either direction).
//
// Element records: one per member, sub = member, value = the score's
// IEEE-754 bits, big-endian.
type zset struct {
	small packed // member, score(8 bytes)… in order, while sl is nil
	n     int
	sl    *skiplist
	dict  *nodeIndex
	dense []*zsNode
}

// zsetLoadLimit is what loadElement builds under; the load then refits
// the result to the limits in force.
var zsetLoadLimit = DefaultEncodingLimits.zset()

func newZSet() *zset { return &zset{} }

func (z *zset) kind() Kind { return KindZSet }
func (z *zset) size() int  { return z.n }

func (z *zset) encoding() string {
	if z.sl != nil {
		return "skiplist"
	}
	return "listpack"
}

func (z *zset) memory() int {
	if z.sl == nil {
		return 32 + sizeClass(cap(z.small))
	}
	n := 64 + len(z.dict.slots)*8 + cap(z.dense)*8
	for _, nd := range z.dense {
		n += 64 + sizeClass(len(nd.level)*16) + sizeClass(len(nd.member))
	}
	return n
}

func encScore(buf *[8]byte, f float64) []byte {
	binary.BigEndian.PutUint64(buf[:], math.Float64bits(f))
	return buf[:]
}

func decScore(b []byte) float64 { return math.Float64frombits(binary.BigEndian.Uint64(b)) }

// packScore encodes a score for the packed form as a listpack does: an
// integral score in ±2^48 as a zigzag varint (1–7 bytes, so most scores
// and unix-second timestamps take a few bytes), anything else as its 8
// IEEE-754 bytes. The length tells the two apart.
func packScore(buf *[10]byte, f float64) []byte {
	if f == math.Trunc(f) && math.Abs(f) < 1<<48 {
		n := binary.PutVarint(buf[:], int64(f))
		if n < 8 {
			return buf[:n]
		}
	}
	binary.BigEndian.PutUint64(buf[:8], math.Float64bits(f))
	return buf[:8]
}

func unpackScore(b []byte) float64 {
	if len(b) == 8 {
		return decScore(b)
	}
	v, _ := binary.Varint(b)
	return float64(v)
}

// findPacked returns the offsets of member's entry and its score.
func (z *zset) findPacked(member []byte) (off, end int, score float64, ok bool) {
	p := z.small
	for off < len(p) {
		m, next := p.next(off)
		s, e := p.next(next)
		if bytes.Equal(m, member) {
			return off, e, unpackScore(s), true
		}
		off = e
	}
	return 0, 0, 0, false
}

// score returns member's score.
func (z *zset) score(member []byte) (float64, bool) {
	if z.sl != nil {
		nd := z.dict.get(unsafeString(member))
		if nd == nil {
			return 0, false
		}
		return nd.score, true
	}
	_, _, s, ok := z.findPacked(member)
	return s, ok
}

// insert adds member, which must be absent, with score. A packed zset
// that would outgrow lim becomes a skip list first, as Redis's zsetAdd.
func (z *zset) insert(member []byte, score float64, lim packLimit) {
	if z.sl == nil && (z.n+1 > lim.entries || len(member) > lim.value) {
		z.convert()
	}
	z.n++
	if z.sl != nil {
		m := string(member)
		nd := z.sl.insert(score, m)
		nd.pos = int32(len(z.dense))
		z.dense = append(z.dense, nd)
		z.dict.put(nd)
		return
	}
	if score == 0 {
		// A listpack stores an integral score as an integer, so Redis
		// turns -0 into 0 in small sorted sets (not in skip lists).
		score = 0
	}
	p := z.small
	off := 0
	for off < len(p) {
		m, next := p.next(off)
		s, end := p.next(next)
		if zless(score, string(member), unpackScore(s), string(m)) {
			break
		}
		off = end
	}
	var buf [10]byte
	z.small = p.insertAt(off, member, packScore(&buf, score))
}

// remove deletes member and reports whether it was there.
func (z *zset) remove(member []byte) bool {
	if z.sl != nil {
		nd := z.dict.get(unsafeString(member))
		if nd == nil {
			return false
		}
		z.sl.delete(nd.score, nd.member)
		z.dict.del(nd.member)
		last := len(z.dense) - 1
		if int(nd.pos) != last {
			z.dense[nd.pos] = z.dense[last]
			z.dense[nd.pos].pos = nd.pos
		}
		z.dense[last] = nil
		z.dense = z.dense[:last]
		z.n--
		return true
	}
	off, end, _, ok := z.findPacked(member)
	if !ok {
		return false
	}
	z.small = z.small.cut(off, end)
	z.n--
	return true
}

// set gives member score, adding it when absent; it reports whether the
// member is new.
func (z *zset) set(member []byte, score float64, lim packLimit) bool {
	old, ok := z.score(member)
	if ok {
		if old == score {
			return false
		}
		z.remove(member)
	}
	z.insert(member, score, lim)
	return !ok
}

// refit converts the zset to the encoding a load under l gives it: packed
// when it holds at most l.ZSetEntries members of at most l.ZSetValue
// bytes, as Redis's rdbLoadObject decides.
func (z *zset) refit(l *EncodingLimits) {
	lim := l.zset()
	fits := z.n <= lim.entries
	if fits {
		z.walk(0, z.n, false, func(m []byte, _ float64) bool {
			fits = len(m) <= lim.value
			return fits
		})
	}
	switch {
	case z.sl == nil && !fits:
		z.convert()
	case z.sl != nil && fits:
		z.pack()
	}
}

// pack turns a skip list back into the packed form (Redis's
// zsetConvertToListpackIfNeeded).
func (z *zset) pack() {
	var p packed
	var buf [10]byte
	z.walk(0, z.n, false, func(m []byte, s float64) bool {
		if s == 0 {
			s = 0 // the packed form stores -0 as 0 (see insert)
		}
		p = p.appendStr(m).appendStr(packScore(&buf, s))
		return true
	})
	z.small, z.sl, z.dict, z.dense = p, nil, nil, nil
}

func (z *zset) convert() {
	sl := newSkiplist()
	dict := &nodeIndex{}
	dense := make([]*zsNode, 0, z.n+1)
	z.walk(0, z.n, false, func(m []byte, s float64) bool {
		ms := string(m)
		nd := sl.insert(s, ms)
		nd.pos = int32(len(dense))
		dense = append(dense, nd)
		dict.put(nd)
		return true
	})
	z.sl, z.dict, z.dense, z.small = sl, dict, dense, nil
}

// countWhile returns how many leading elements satisfy pred, which must
// hold for a prefix of the order.
func (z *zset) countWhile(pred func(score float64, member string) bool) int {
	if z.sl != nil {
		return z.sl.countWhile(pred)
	}
	n := 0
	z.walk(0, z.n, false, func(m []byte, s float64) bool {
		if !pred(s, string(m)) {
			return false
		}
		n++
		return true
	})
	return n
}

// walk visits the elements of ranks [from, to), ascending or (rev)
// descending, until fn returns false. The member slice is valid only
// during the call.
func (z *zset) walk(from, to int, rev bool, fn func(member []byte, score float64) bool) {
	from, to = max(from, 0), min(to, z.n)
	if from >= to {
		return
	}
	if z.sl != nil {
		if !rev {
			nd := z.sl.byRank(from)
			for i := from; i < to && nd != nil; i++ {
				if !fn(bview(nd.member), nd.score) {
					return
				}
				nd = nd.level[0].forward
			}
			return
		}
		nd := z.sl.byRank(to - 1)
		for i := to - 1; i >= from && nd != nil; i-- {
			if !fn(bview(nd.member), nd.score) {
				return
			}
			nd = nd.backward
		}
		return
	}
	if rev {
		type ms struct {
			m []byte
			s float64
		}
		items := make([]ms, 0, to-from)
		z.walk(from, to, false, func(m []byte, s float64) bool {
			items = append(items, ms{m, s})
			return true
		})
		for i := len(items) - 1; i >= 0; i-- {
			if !fn(items[i].m, items[i].s) {
				return
			}
		}
		return
	}
	p := z.small
	for off, i := 0, 0; off < len(p) && i < to; i++ {
		m, next := p.next(off)
		s, end := p.next(next)
		off = end
		if i >= from && !fn(m, unpackScore(s)) {
			return
		}
	}
}

// rank returns member's 0-based ascending rank.
func (z *zset) rank(member []byte) (int, bool) {
	s, ok := z.score(member)
	if !ok {
		return 0, false
	}
	m := string(member)
	return z.countWhile(func(s2 float64, m2 string) bool { return zless(s2, m2, s, m) }), true
}

// clone copies the zset in its own encoding, as Redis's zsetDup.
func (z *zset) clone() collection {
	c := newZSet()
	if z.sl == nil {
		c.small, c.n = bytes.Clone(z.small), z.n
		return c
	}
	c.convert()
	z.walk(0, z.n, false, func(m []byte, s float64) bool {
		c.insert(m, s, packLimit{})
		return true
	})
	return c
}

func (z *zset) meta() []byte { return nil }

func (z *zset) writeElements(b Batch, p dataPrefix) {
	var buf [8]byte
	z.walk(0, z.n, false, func(m []byte, s float64) bool {
		b.Set(p.key(m), encScore(&buf, s))
		return true
	})
}

func (z *zset) loadElement(sub, value []byte) error {
	if len(value) != 8 {
		return fmt.Errorf("%w: sorted set score of %d bytes", ErrForeignData, len(value))
	}
	z.set(sub, decScore(value), zsetLoadLimit)
	return nil
}

func (z *zset) dump() string {
	var b strings.Builder
	b.WriteByte('[')
	z.walk(0, z.n, false, func(m []byte, s float64) bool {
		b.WriteString(quote(m))
		b.WriteByte(':')
		b.Write(num.AppendFloat(nil, s))
		b.WriteByte(',')
		return true
	})
	b.WriteByte(']')
	return b.String()
}

var _ collection = (*zset)(nil)
