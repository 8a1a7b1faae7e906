package store

import (
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"unsafe"
)

// This file holds what hashes, sets and sorted sets share: creating and
// replacing collection keys, writing element records, SCAN over a dense
// array, and random sampling.

// elemWriter writes the element records of one collection; with no engine
// it does nothing.
type elemWriter struct {
	b Batch
	p dataPrefix
}

func (tx *Tx) elemWriter(e *entry) elemWriter {
	b, p := tx.elements(e)
	return elemWriter{b: b, p: p}
}

func (w *elemWriter) put(sub, val []byte) {
	if w.b != nil {
		w.b.Set(w.p.key(sub), val)
	}
}

func (w *elemWriter) del(sub []byte) {
	if w.b != nil {
		w.b.Delete(w.p.key(sub))
	}
}

// createColl adds key holding obj and saves its metadata.
func (tx *Tx) createColl(key []byte, obj collection) *entry {
	e := tx.create(key)
	e.setColl(obj)
	tx.saveMeta(e)
	return e
}

// storeColl makes key hold obj (the destination of SINTERSTORE,
// ZUNIONSTORE…): any old value is replaced, and an empty obj deletes the
// key. It reports whether the key holds a value afterwards.
func (tx *Tx) storeColl(key []byte, obj collection, class EventClass, event string) bool {
	old := tx.lookupWrite(key)
	if obj.size() == 0 {
		if old != nil {
			tx.delete(old)
		}
		return false
	}
	if old != nil {
		tx.remove(old)
	}
	e := tx.create(key)
	e.setColl(obj)
	tx.saveWhole(e)
	tx.notify(key, class, event)
	return true
}

// CollScanOptions filter an HSCAN, SSCAN or ZSCAN.
type CollScanOptions struct {
	Match string // glob pattern; "" matches everything
	Count int    // elements to examine per call
}

// denseScan walks a dense array downward from cursor, as keyspace SCAN
// does: removals swap the last element into the hole, so an element below
// the cursor never moves above it, and every element present for the
// whole iteration is returned. visit gets each index; it returns the next
// cursor (0 when done).
func denseScan(n int, cursor uint64, count int, visit func(i int)) uint64 {
	i := uint64(n)
	if cursor != 0 && cursor < i {
		i = cursor
	}
	for count = max(count, 1); i > 0 && count > 0; count-- {
		i--
		visit(int(i))
	}
	return i
}

// sampleIndexes picks positions in [0, n) as Redis's random commands do:
// count < 0 draws -count positions with repetition; count >= n returns
// every position in order; otherwise count distinct positions.
func sampleIndexes(n int, count int64) []int {
	switch {
	case n == 0 || count == 0:
		return nil
	case count < 0:
		out := make([]int, -count)
		for i := range out {
			out[i] = rand.IntN(n)
		}
		return out
	case count >= int64(n):
		out := make([]int, n)
		for i := range out {
			out[i] = i
		}
		return out
	}
	if count*4 <= int64(n) {
		// Few of many: draw until distinct, O(count) instead of a
		// permutation of the whole collection (SPOP on a big set).
		seen := make(map[int]struct{}, count)
		out := make([]int, 0, count)
		for int64(len(out)) < count {
			i := rand.IntN(n)
			if _, dup := seen[i]; !dup {
				seen[i] = struct{}{}
				out = append(out, i)
			}
		}
		return out
	}
	return rand.Perm(n)[:count]
}

// quoteSorted renders strings canonically for dump.
func quoteSorted(items []string) string {
	sort.Strings(items)
	var b strings.Builder
	b.WriteByte('{')
	for i, s := range items {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(s)
	}
	b.WriteByte('}')
	return b.String()
}

func quote(b []byte) string { return strconv.Quote(string(b)) }

// bview views an element string as bytes without copying, for replies
// and comparisons. Element strings are never modified, so the view stays
// valid; callers must not write to it. An empty string gives a non-nil
// empty slice, so it is not taken for a missing value.
func bview(s string) []byte {
	if len(s) == 0 {
		return []byte{}
	}
	return unsafe.Slice(unsafe.StringData(s), len(s))
}

// unsafeString views b as a string for a lookup that does not keep it.
func unsafeString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(unsafe.SliceData(b), len(b))
}
