package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
)

// list is a chunked deque (see listchunk.go): O(1) push and pop at both
// ends, O(n/chunk + chunk) access by index.
//
// On disk each element is one record keyed by a sequence number; the
// elements occupy seq, seq+1 … seq+n-1 in order. A push at the head takes
// seq-1, a push at the tail seq+n, so LPUSH and RPUSH write one element
// record and a pop deletes one. The metadata record, written when the list
// is created, holds no header: load takes seq from the first element. So
// a run of pushes writes records next to each other only, and the engine
// can file them without rewriting older ones. Sequence numbers start in
// the middle of the uint64 range, so neither end runs out.
type list struct {
	head, tail *listChunk
	n          int
	seq        uint64 // sequence number of the first element
}

const listSeqStart = 1 << 63

func newList() *list { return &list{seq: listSeqStart} }

// newListFromMeta builds an empty list from its metadata record; load then
// appends the element records in sequence order. Format cairn-1 kept the
// sequence numbers in the record (16 bytes); they are not needed.
func newListFromMeta(meta []byte) (*list, error) {
	if len(meta) != 0 && len(meta) != 16 {
		return nil, fmt.Errorf("%w: list metadata of %d bytes", ErrForeignData, len(meta))
	}
	return newList(), nil
}

func (l *list) kind() Kind       { return KindList }
func (l *list) size() int        { return l.n }
func (l *list) encoding() string { return "quicklist" }

func (l *list) memory() int {
	m := 48
	for c := l.head; c != nil; c = c.next {
		m += listChunkOverhead + sizeClass(cap(c.buf))
	}
	return m
}

func (l *list) clone() collection {
	n := &list{seq: l.seq, n: l.n}
	for c := l.head; c != nil; c = c.next {
		nc := &listChunk{buf: bytes.Clone(c.buf[c.lo:c.hi]), n: c.n}
		nc.hi = len(nc.buf)
		n.linkAfter(n.tail, nc)
	}
	return n
}

func (l *list) meta() []byte { return nil }

func (l *list) writeElements(b Batch, p dataPrefix) {
	l.writeRange(b, &p, 0, l.n)
}

// writeRange writes the records of elements [from, to).
func (l *list) writeRange(b Batch, p *dataPrefix, from, to int) {
	if from >= to {
		return
	}
	c, k := l.locate(from)
	off := c.offset(k)
	for i := from; i < to; i++ {
		if off == c.hi {
			c = c.next
			off = c.lo
		}
		var v []byte
		v, off = c.elemAt(off)
		b.Set(listKey(p, l.seq+uint64(i)), v)
	}
}

// loadElement appends the next element record; the first sets seq.
func (l *list) loadElement(sub, value []byte) error {
	if len(sub) != 8 {
		return fmt.Errorf("%w: bad list element record %x", ErrForeignData, sub)
	}
	seq := binary.BigEndian.Uint64(sub)
	if l.n == 0 {
		l.seq = seq
	} else if seq != l.seq+uint64(l.n) {
		return fmt.Errorf("%w: list element record %x out of sequence", ErrForeignData, sub)
	}
	l.pushBack(value)
	return nil
}

func (l *list) dump() string {
	var b strings.Builder
	b.WriteByte('[')
	l.each(0, func(i int, v []byte) bool {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strconv.Quote(string(v)))
		return true
	})
	b.WriteByte(']')
	return b.String()
}

// listKey returns the record key of the element with sequence number seq.
func listKey(p *dataPrefix, seq uint64) []byte {
	p.buf = binary.BigEndian.AppendUint64(p.buf[:p.n], seq)
	return p.buf
}

func (l *list) linkAfter(at, c *listChunk) {
	c.prev = at
	if at == nil {
		c.next = l.head
		l.head = c
	} else {
		c.next = at.next
		at.next = c
	}
	if c.next == nil {
		l.tail = c
	} else {
		c.next.prev = c
	}
}

func (l *list) unlink(c *listChunk) {
	if c.prev == nil {
		l.head = c.next
	} else {
		c.prev.next = c.next
	}
	if c.next == nil {
		l.tail = c.prev
	} else {
		c.next.prev = c.prev
	}
	c.prev, c.next = nil, nil
}

func (l *list) pushBack(v []byte) {
	if l.tail == nil || !l.tail.fits(encodedLen(v)) {
		l.linkAfter(l.tail, nextChunk(l.tail, false))
	}
	l.tail.pushBack(v)
	l.n++
}

func (l *list) pushFront(v []byte) {
	if l.head == nil || !l.head.fits(encodedLen(v)) {
		l.linkAfter(nil, nextChunk(l.head, true))
	}
	l.head.pushFront(v)
	l.n++
	l.seq--
}

// popFront removes the first element. The slice stays valid until the
// list is next modified.
func (l *list) popFront() []byte {
	c := l.head
	v := c.popFront()
	if c.n == 0 {
		l.unlink(c)
	}
	l.n--
	l.seq++
	return v
}

// popBack removes the last element, as popFront.
func (l *list) popBack() []byte {
	c := l.tail
	v := c.popBack()
	if c.n == 0 {
		l.unlink(c)
	}
	l.n--
	return v
}

// dropFront removes the first k elements, whole chunks at a time.
func (l *list) dropFront(k int) {
	for k > 0 && l.head.n <= k {
		c := l.head
		k -= c.n
		l.n -= c.n
		l.seq += uint64(c.n)
		l.unlink(c)
	}
	for ; k > 0; k-- {
		l.popFront()
	}
}

// dropBack removes the last k elements.
func (l *list) dropBack(k int) {
	for k > 0 && l.tail.n <= k {
		c := l.tail
		k -= c.n
		l.n -= c.n
		l.unlink(c)
	}
	for ; k > 0; k-- {
		l.popBack()
	}
}

// locate returns the chunk holding element i (0 <= i < n) and i's index
// inside it, walking from the nearer end of the list.
func (l *list) locate(i int) (*listChunk, int) {
	if i < l.n/2 {
		c := l.head
		for i >= c.n {
			i -= c.n
			c = c.next
		}
		return c, i
	}
	c, back := l.tail, l.n-1-i
	for back >= c.n {
		back -= c.n
		c = c.prev
	}
	return c, c.n - 1 - back
}

// at returns element i.
func (l *list) at(i int) []byte {
	c, k := l.locate(i)
	v, _ := c.elemAt(c.offset(k))
	return v
}

// each calls fn for elements from index i forward until fn returns false.
func (l *list) each(i int, fn func(i int, v []byte) bool) {
	if i >= l.n {
		return
	}
	c, k := l.locate(i)
	off := c.offset(k)
	for ; i < l.n; i++ {
		if off == c.hi {
			c = c.next
			off = c.lo
		}
		var v []byte
		v, off = c.elemAt(off)
		if !fn(i, v) {
			return
		}
	}
}

// eachBack calls fn for elements from the tail backwards until fn
// returns false.
func (l *list) eachBack(fn func(i int, v []byte) bool) {
	i := l.n - 1
	for c := l.tail; c != nil; c = c.prev {
		for off := c.hi; off > c.lo; i-- {
			var v []byte
			v, off = c.elemBefore(off)
			if !fn(i, v) {
				return
			}
		}
	}
}

// replace puts elems in place of chunk c (dropping it when elems is
// empty), repacked into fresh chunks, and fixes the element count.
func (l *list) replace(c *listChunk, elems [][]byte) {
	l.n += len(elems) - c.n
	at := c.prev
	l.unlink(c)
	for _, nc := range packChunks(elems) {
		l.linkAfter(at, nc)
		at = nc
	}
}

// set replaces element i with v.
func (l *list) set(i int, v []byte) {
	c, k := l.locate(i)
	elems := c.elems()
	elems[k] = v
	l.replace(c, elems)
}

// insert puts v at index i (0 <= i <= n), shifting later elements; the
// caller adjusts seq when it keeps the tail's sequence numbers fixed.
func (l *list) insert(i int, v []byte) {
	if i == l.n {
		l.pushBack(v)
		return
	}
	c, k := l.locate(i)
	elems := c.elems()
	elems = append(elems[:k], append([][]byte{v}, elems[k:]...)...)
	l.replace(c, elems)
}

// remove deletes up to count elements equal to v (all when count is 0),
// from the tail when fromTail. It returns how many it removed and the
// smallest and largest index they had.
func (l *list) remove(v []byte, count int, fromTail bool) (removed, first, last int) {
	first, last = -1, -1
	base := 0 // index of c's first element, before any removal
	if fromTail {
		base = l.n
	}
	c := l.head
	if fromTail {
		c = l.tail
	}
	for c != nil && (count == 0 || removed < count) {
		next := c.next
		if fromTail {
			next = c.prev
			base -= c.n
		}
		elems := c.elems()
		kept := elems[:0:0]
		hit := false
		for j := range elems {
			k := j
			if fromTail {
				k = len(elems) - 1 - j
			}
			if (count == 0 || removed < count) && bytes.Equal(elems[k], v) {
				removed++
				hit = true
				if first == -1 || base+k < first {
					first = base + k
				}
				if base+k > last {
					last = base + k
				}
				elems[k] = nil
			}
		}
		if hit {
			for _, e := range elems {
				if e != nil {
					kept = append(kept, e)
				}
			}
			if !fromTail {
				base += c.n
			}
			l.replace(c, kept)
		} else if !fromTail {
			base += c.n
		}
		c = next
	}
	return removed, first, last
}
