package store

import (
	"bytes"
	"slices"
)

// ListEnd names an end of a list: the head (left) or the tail (right).
type ListEnd bool

// The ends of a list.
const (
	ListHead ListEnd = true
	ListTail ListEnd = false
)

func (end ListEnd) pushEvent() string {
	if end == ListHead {
		return "lpush"
	}
	return "rpush"
}

func (end ListEnd) popEvent() string {
	if end == ListHead {
		return "lpop"
	}
	return "rpop"
}

// listOf returns the list at key for writing, or nil.
func (tx *Tx) listOf(key []byte) (*entry, *list, error) {
	e, err := tx.lookupWriteKind(key, KindList)
	if e == nil {
		return nil, nil, err
	}
	return e, e.list(), nil
}

// listRead returns the list at key for reading, or nil.
func (tx *Tx) listRead(key []byte) (*list, error) {
	e, err := tx.lookupKind(key, KindList)
	if e == nil {
		return nil, err
	}
	return e.list(), nil
}

// ListPush pushes vals one by one at end of the list at key, creating the
// list unless onlyExisting (LPUSHX/RPUSHX). It returns the new length, 0
// when onlyExisting and the key is absent.
func (tx *Tx) ListPush(key []byte, end ListEnd, vals [][]byte, onlyExisting bool) (int, error) {
	e, l, err := tx.listOf(key)
	if err != nil {
		return 0, err
	}
	if e == nil {
		if onlyExisting {
			return 0, nil
		}
		e = tx.create(key)
		l = newList()
		e.setColl(l)
	}
	tx.pushElems(e, l, end, vals)
	return l.n, nil
}

// pushElems pushes vals to l (the value of e), writes their records (and
// the metadata when the list is new), raises the event and marks the key
// ready for blocked clients.
func (tx *Tx) pushElems(e *entry, l *list, end ListEnd, vals [][]byte) {
	created := l.n == 0 // a list exists only while it has elements
	b, p := tx.elements(e)
	for _, v := range vals {
		var seq uint64
		if end == ListHead {
			l.pushFront(v)
			seq = l.seq
		} else {
			l.pushBack(v)
			seq = l.seq + uint64(l.n-1)
		}
		if b != nil {
			b.Set(listKey(&p, seq), v)
		}
	}
	if created {
		tx.saveMeta(e)
	}
	tx.notifyString(e.key, EventList, end.pushEvent())
	tx.MarkReady(tx.dbIndex, e.key)
}

// ListPop removes up to count elements from end of the list at key and
// appends them to dst, which may be nil or a caller's array (so that a
// pop of one allocates nothing). It returns nil when the key is absent,
// and non-nil otherwise. The slices stay valid until the list is next
// modified.
func (tx *Tx) ListPop(dst [][]byte, key []byte, end ListEnd, count int) ([][]byte, error) {
	e, l, err := tx.listOf(key)
	if e == nil {
		return nil, err
	}
	out := tx.popElems(dst, e, l, end, count)
	tx.deleteIfEmpty(e)
	return out, nil
}

// popElems pops up to count elements, appending them to dst (never
// returning nil), and deletes their records; the caller deletes the key
// if it became empty.
func (tx *Tx) popElems(dst [][]byte, e *entry, l *list, end ListEnd, count int) [][]byte {
	count = min(count, l.n)
	out := slices.Grow(dst, count)
	if out == nil {
		out = [][]byte{}
	}
	from := l.seq
	for range count {
		if end == ListHead {
			out = append(out, l.popFront())
		} else {
			out = append(out, l.popBack())
		}
	}
	if end == ListTail {
		from = l.seq + uint64(l.n)
	}
	tx.deleteSeqs(e, from, from+uint64(count))
	tx.notifyString(e.key, EventList, end.popEvent())
	return out
}

// deleteSeqs deletes the element records with sequence numbers in
// [from, to): one Delete for a single element, a DeleteRange otherwise.
func (tx *Tx) deleteSeqs(e *entry, from, to uint64) {
	b, p := tx.elements(e)
	switch {
	case b == nil || from >= to:
	case to-from == 1:
		b.Delete(listKey(&p, from))
	default:
		start := bytes.Clone(listKey(&p, from))
		b.DeleteRange(start, listKey(&p, to))
	}
}

// ListLen returns the length of the list at key (0 when absent).
func (tx *Tx) ListLen(key []byte) (int, error) {
	l, err := tx.listRead(key)
	if l == nil {
		return 0, err
	}
	return l.n, nil
}

// listRange clamps Redis-style start/stop indexes (negative from the end)
// to [0, n); ok is false when the range is empty.
func listRange(n int, start, stop int64) (from, to int, ok bool) {
	if start < 0 {
		start += int64(n)
	}
	if stop < 0 {
		stop += int64(n)
	}
	start = max(start, 0)
	if start > stop || start >= int64(n) {
		return 0, 0, false
	}
	stop = min(stop, int64(n)-1)
	return int(start), int(stop), true
}

// ListRange returns the elements from start to stop inclusive (negative
// indexes count from the end).
func (tx *Tx) ListRange(key []byte, start, stop int64) ([][]byte, error) {
	l, err := tx.listRead(key)
	if l == nil {
		return nil, err
	}
	from, to, ok := listRange(l.n, start, stop)
	if !ok {
		return [][]byte{}, nil
	}
	out := make([][]byte, 0, to-from+1)
	l.each(from, func(i int, v []byte) bool {
		out = append(out, v)
		return i < to
	})
	return out, nil
}

// listIndex resolves a possibly negative index; ok is false out of range.
func listIndex(n int, idx int64) (int, bool) {
	if idx < 0 {
		idx += int64(n)
	}
	if idx < 0 || idx >= int64(n) {
		return 0, false
	}
	return int(idx), true
}

// ListIndex returns the element at idx (negative from the end).
func (tx *Tx) ListIndex(key []byte, idx int64) ([]byte, bool, error) {
	l, err := tx.listRead(key)
	if l == nil {
		return nil, false, err
	}
	i, ok := listIndex(l.n, idx)
	if !ok {
		return nil, false, nil
	}
	return l.at(i), true, nil
}

// ListPosOptions are LPOS's RANK, COUNT and MAXLEN.
type ListPosOptions struct {
	Rank   int64 // 1 = first match from the head; negative from the tail
	Count  int64 // matches to return; 0 = all
	MaxLen int64 // elements to compare at most; 0 = all
}

// ListPos returns the indexes of elements equal to val.
func (tx *Tx) ListPos(key, val []byte, o ListPosOptions) ([]int64, error) {
	l, err := tx.listRead(key)
	if l == nil {
		return nil, err
	}
	var out []int64
	// As Redis: the rank-th match and later ones are reported. Negating
	// the most negative rank leaves it negative, so every match counts.
	rank := o.Rank
	if rank < 0 {
		rank = -rank
	}
	matches, compared := int64(0), int64(0)
	match := func(i int, v []byte) bool {
		if o.MaxLen != 0 && compared >= o.MaxLen {
			return false
		}
		compared++
		if bytes.Equal(v, val) {
			matches++
			if matches >= rank {
				out = append(out, int64(i))
				if o.Count != 0 && int64(len(out)) >= o.Count {
					return false
				}
			}
		}
		return true
	}
	if o.Rank < 0 {
		l.eachBack(match)
	} else {
		l.each(0, match)
	}
	return out, nil
}

// ListMove pops an element from one end of src and pushes it to an end of
// dst (LMOVE, RPOPLPUSH). ok is false when src is absent. dst must hold a
// list or nothing; it is checked before anything is popped.
func (tx *Tx) ListMove(src, dst []byte, from, to ListEnd) (val []byte, ok bool, err error) {
	se, sl, err := tx.listOf(src)
	if se == nil {
		return nil, false, err
	}
	de, dl, err := tx.listOf(dst)
	if err != nil {
		return nil, false, err
	}
	// Push a copy of the element first, then pop it: the keyspace events
	// come in Redis's order (push on dst, pop on src, del of an emptied
	// src), and it also rotates a list onto itself correctly.
	i := 0
	if from == ListTail {
		i = sl.size() - 1
	}
	val = bytes.Clone(sl.at(i))
	if de == nil {
		de = tx.create(dst)
		dl = newList()
		de.setColl(dl)
	}
	tx.pushElems(de, dl, to, [][]byte{val})
	var popped [1][]byte
	tx.popElems(popped[:0], se, sl, from, 1)
	if se != de {
		tx.deleteIfEmpty(se)
	}
	return val, true, nil
}

// ListMPop pops up to count elements from end of the first non-empty list
// among keys (LMPOP). key is nil when every list is empty.
func (tx *Tx) ListMPop(keys [][]byte, end ListEnd, count int) (key []byte, vals [][]byte, err error) {
	for _, k := range keys {
		e, l, err := tx.listOf(k)
		if err != nil {
			return nil, nil, err
		}
		if e != nil {
			vals = tx.popElems(nil, e, l, end, count)
			tx.deleteIfEmpty(e)
			return k, vals, nil
		}
	}
	return nil, nil, nil
}
