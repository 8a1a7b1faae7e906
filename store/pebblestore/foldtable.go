package pebblestore

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/objstorage/objstorageprovider"
	"github.com/cockroachdb/pebble/v2/sstable"
	"github.com/cockroachdb/pebble/v2/vfs"
)

// foldTable gathers up to foldTableSize bytes of a segment's operations
// and turns them into one sorted sstable that Pebble ingests. That skips
// Pebble's memtable (a skiplist insertion a record) and its flush (a
// merge of the memtables back out of it), about half of a fold's CPU,
// and a table that overlaps nothing Pebble holds (appends to a list or a
// stream) goes straight to the bottom level, where no compaction needs
// to rewrite it.
//
// Pebble gives every key of an ingested table one sequence number, so the
// table must hold the operations' outcome, not the operations:
//   - of the point writes (Set, Delete) of a key, only the last counts;
//   - a point write that a later range deletion covers is dropped;
//   - the range deletions are written as their union. Pebble's range
//     deletion does not delete a point of its own table (same sequence
//     number), so a point written after a range deletion survives it,
//     as it should.
//
// A table is applied atomically; a crash between two leaves Pebble with
// a prefix of the segment's operations, which a second fold repeats.
type foldTable struct {
	buf    []byte  // the operations, as Pebble's batch encoding, records back to back
	points []opRef // Set and Delete operations
	ranges []opRef // DeleteRange operations
	pos    int32
}

// opRef is one operation in a foldTable's buf.
type opRef struct {
	off uint32 // its kind byte
	pos int32  // its place among the table's operations: later wins
}

// foldTableSize bounds a table's input (a variable so that tests can
// split segments into several tables).
var foldTableSize = 64 << 20

// newFoldTable returns a table whose buffer fits size bytes of records
// (the segments to fold), up to a full table.
func newFoldTable(size int64) *foldTable {
	return &foldTable{buf: make([]byte, 0, min(size, int64(foldTableSize)+64<<10))}
}

// full reports whether the table should be written before it takes a
// record of n more bytes.
func (t *foldTable) full(n int) bool {
	return len(t.buf) > 0 && len(t.buf)+n > foldTableSize
}

func (t *foldTable) reset() {
	t.buf, t.points, t.ranges, t.pos = t.buf[:0], t.points[:0], t.ranges[:0], 0
}

func (t *foldTable) empty() bool { return len(t.points) == 0 && len(t.ranges) == 0 }

// add takes the operations of one journal record, a Pebble batch
// representation with its 12-byte header.
func (t *foldTable) add(payload []byte) error {
	if uint64(len(t.buf))+uint64(len(payload)) > math.MaxUint32 {
		return ErrBatchTooLarge
	}
	base := len(t.buf)
	t.buf = append(t.buf, payload[batchHeader:]...)
	data := t.buf[base:]
	for off := 0; off < len(data); {
		kind, n, err := opLen(data[off:])
		if err != nil {
			return err
		}
		ref := opRef{off: uint32(base + off), pos: t.pos}
		t.pos++
		switch kind {
		case pebble.InternalKeyKindSet, pebble.InternalKeyKindDelete:
			t.points = append(t.points, ref)
		case pebble.InternalKeyKindRangeDelete:
			t.ranges = append(t.ranges, ref)
		default:
			return fmt.Errorf("a %v record", kind)
		}
		off += n
	}
	return nil
}

// batchHeader is the length of a Pebble batch representation's header
// (sequence number and count).
const batchHeader = 12

var errBadOp = errors.New("malformed operation")

// opLen decodes the kind of the operation at the start of p and its
// length in bytes: a kind byte, the key, and for Set and DeleteRange a
// value (the range's end).
func opLen(p []byte) (pebble.InternalKeyKind, int, error) {
	if len(p) == 0 {
		return 0, 0, errBadOp
	}
	kind := pebble.InternalKeyKind(p[0])
	n := 1
	fields := 1
	if kind == pebble.InternalKeyKindSet || kind == pebble.InternalKeyKindRangeDelete {
		fields = 2
	}
	for ; fields > 0; fields-- {
		l, w := binary.Uvarint(p[n:])
		if w <= 0 || l > uint64(len(p)-n-w) {
			return 0, 0, errBadOp
		}
		n += w + int(l)
	}
	return kind, n, nil
}

// op decodes the operation ref points at; add checked it.
func (t *foldTable) op(ref opRef) (kind pebble.InternalKeyKind, k, v []byte) {
	p := t.buf[ref.off:]
	kind = pebble.InternalKeyKind(p[0])
	k, p = varString(p[1:])
	if kind != pebble.InternalKeyKindDelete {
		v, _ = varString(p)
	}
	return kind, k, v
}

func (t *foldTable) key(ref opRef) []byte {
	k, _ := varString(t.buf[ref.off+1:])
	return k
}

func varString(p []byte) (s, rest []byte) {
	l, w := binary.Uvarint(p)
	return p[w : w+int(l)], p[w+int(l):]
}

// write writes the table's outcome, and mark under foldedKey if mark is
// set, to sstables at path and path+".mark" for ingest, and returns the
// paths it created, also on error.
func (t *foldTable) write(fs vfs.FS, path string, wo sstable.WriterOptions, mark []byte) ([]string, error) {
	var paths []string
	if !t.empty() {
		paths = append(paths, path)
		if err := writeTable(fs, path, wo, t.emit); err != nil {
			return paths, err
		}
	}
	if mark != nil {
		// A table of its own: the mark, at the end of the key space, in
		// every data table would make each overlap all others, and none
		// could go below level 0.
		paths = append(paths, path+".mark")
		if err := writeTable(fs, path+".mark", wo, func(w *sstable.Writer) error {
			return w.Set(foldedKey, mark)
		}); err != nil {
			return paths, err
		}
	}
	return paths, nil
}

func writeTable(fs vfs.FS, path string, wo sstable.WriterOptions, fill func(*sstable.Writer) error) error {
	f, err := fs.Create(path, vfs.WriteCategoryUnspecified)
	if err != nil {
		return err
	}
	// Close syncs the file (objstorageprovider's Finish): Ingest needs
	// it synced.
	w := sstable.NewWriter(objstorageprovider.NewFileWritable(f), wo)
	if err := fill(w); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}

// emit writes the outcome of the table's operations to w in key order.
func (t *foldTable) emit(w *sstable.Writer) error {
	t.dropOverwritten()
	// Each key's writes together, the last first; a run of appends is
	// already in order (or in reverse, for LPUSH), which the sort finds
	// in linear time.
	slices.SortFunc(t.points, func(a, b opRef) int {
		if c := bytes.Compare(t.key(a), t.key(b)); c != 0 {
			return c
		}
		return cmp.Compare(b.pos, a.pos)
	})
	slices.SortFunc(t.ranges, func(a, b opRef) int {
		_, as, _ := t.op(a)
		_, bs, _ := t.op(b)
		return bytes.Compare(as, bs)
	})
	cover := rangeCover{t: t}
	var prev []byte
	for i, ref := range t.points {
		kind, k, v := t.op(ref)
		if i > 0 && bytes.Equal(k, prev) {
			continue // overwritten later in the table
		}
		prev = k
		if cover.latest(k) > ref.pos {
			continue // a later range deletion removes it
		}
		var err error
		if kind == pebble.InternalKeyKindSet {
			err = w.Set(k, v)
		} else {
			err = w.Delete(k)
		}
		if err != nil {
			return err
		}
	}
	return t.emitRanges(w)
}

// dropOverwritten keeps only the last point write of each key when the
// table's writes repeat keys much, as a cache's SETs over 100,000 keys
// do: sorting every write of such a table, in random order, cost twice
// as much as a hash lookup each and a sort of the survivors. It gives up
// when the first lastWritesSample writes are nearly all of distinct keys
// (appends to lists and streams), or the keys are too many to track.
// Dropping a write for a later one of the same key is safe whatever lies
// between them: the later write alone decides what the key holds.
func (t *foldTable) dropOverwritten() {
	slot := make(map[string]int32) // key → index into kept
	kept := t.points[:0]           // never overtakes i
	for i, ref := range t.points {
		if i == lastWritesSample && len(kept) > lastWritesSample*9/10 || len(kept) > lastWritesMaxKeys {
			t.points = append(kept, t.points[i:]...)
			return
		}
		k := t.key(ref)
		if s, ok := slot[string(k)]; ok {
			kept[s] = ref
			continue
		}
		slot[string(k)] = int32(len(kept))
		kept = append(kept, ref)
	}
	t.points = kept
}

// lastWritesSample is how many point writes dropOverwritten reads before
// it judges whether the table overwrites enough to pay for the lookups (a
// variable so that tests can take the other path).
var lastWritesSample = 1 << 16

// lastWritesMaxKeys bounds dropOverwritten's memory.
const lastWritesMaxKeys = 1 << 20

// emitRanges writes the union of the range deletions: the writer takes
// them sorted and without overlap, and one sequence number makes
// overlapping deletions the same as their union.
func (t *foldTable) emitRanges(w *sstable.Writer) error {
	var start, end []byte
	for _, ref := range t.ranges {
		_, s, e := t.op(ref)
		if bytes.Compare(s, e) >= 0 {
			continue // empty
		}
		if start != nil && bytes.Compare(s, end) <= 0 {
			if bytes.Compare(e, end) > 0 {
				end = e
			}
			continue
		}
		if start != nil {
			if err := w.DeleteRange(start, end); err != nil {
				return err
			}
		}
		start, end = s, e
	}
	if start == nil {
		return nil
	}
	return w.DeleteRange(start, end)
}

// rangeCover answers, for keys asked in ascending order, the latest
// position of a range deletion that covers the key (-1 for none). It
// sweeps the ranges, sorted by start, keeping those begun in a heap by
// position; one that ended before the key asked ends before every later
// key too, so it leaves the heap for good.
type rangeCover struct {
	t    *foldTable
	next int     // the first range not yet begun
	heap []opRef // begun ranges, the latest on top
}

func (c *rangeCover) latest(k []byte) int32 {
	for c.next < len(c.t.ranges) {
		_, s, _ := c.t.op(c.t.ranges[c.next])
		if bytes.Compare(s, k) > 0 {
			break
		}
		c.push(c.t.ranges[c.next])
		c.next++
	}
	for len(c.heap) > 0 {
		_, _, e := c.t.op(c.heap[0])
		if bytes.Compare(e, k) > 0 {
			return c.heap[0].pos
		}
		c.pop()
	}
	return -1
}

func (c *rangeCover) push(r opRef) {
	c.heap = append(c.heap, r)
	for i := len(c.heap) - 1; i > 0; {
		p := (i - 1) / 2
		if c.heap[p].pos >= c.heap[i].pos {
			break
		}
		c.heap[p], c.heap[i] = c.heap[i], c.heap[p]
		i = p
	}
}

func (c *rangeCover) pop() {
	last := len(c.heap) - 1
	c.heap[0] = c.heap[last]
	c.heap = c.heap[:last]
	for i := 0; ; {
		l, r, top := 2*i+1, 2*i+2, i
		if l < len(c.heap) && c.heap[l].pos > c.heap[top].pos {
			top = l
		}
		if r < len(c.heap) && c.heap[r].pos > c.heap[top].pos {
			top = r
		}
		if top == i {
			return
		}
		c.heap[i], c.heap[top] = c.heap[top], c.heap[i]
		i = top
	}
}

// ingest writes the table (and mark) and has Pebble ingest it, which
// syncs it and the MANIFEST: once ingest returns, Pebble holds the
// operations durably.
func (e *Engine) ingest(t *foldTable, mark []byte) error {
	if err := e.Err(); err != nil {
		return err
	}
	path := e.fs.PathJoin(e.dir, foldTablePrefix+"table.sst")
	paths, err := t.write(e.fs, path, e.writerOpts, mark)
	if err == nil && len(paths) > 0 {
		err = e.db.Ingest(context.Background(), paths)
	}
	if err != nil {
		for _, p := range paths {
			e.fs.Remove(p) // Ingest removes them on success only
		}
		return err
	}
	t.reset()
	return nil
}
