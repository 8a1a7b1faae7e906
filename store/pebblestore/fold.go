package pebblestore

import (
	"encoding/binary"
	"fmt"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/batchrepr"
)

// Folding applies closed journal segments to Pebble, in commit order,
// and then deletes them: Pebble is a checkpoint of the journal, and the
// journal stays short because start-up replays it. The writer closes a
// segment once it holds FoldSize bytes and a background fold takes it,
// so the command path never waits for Pebble. A fold records the last
// segment it applied (foldedKey) in the same Pebble batch as that
// segment's last records, and flushes Pebble's memtable before it deletes
// the segments. Pebble keeps no WAL of its own: the journal is the log,
// and writing every folded record to a second log doubled the disk
// traffic that competes with the journal's fsyncs under always.
//
// A crash during a fold leaves Pebble holding a prefix of the segments'
// records; start-up applies them again from the segment after foldedKey.
// That is safe because every record is a blind write (Set, Delete,
// DeleteRange): applying a sequence of them over any prefix of itself
// ends in the same state as applying it once.

// foldedKey holds the number of the last segment Pebble has wholly. It
// sorts after the store's records (their spaces are single letters) and
// Iterate never shows it.
var foldedKey = []byte("\xff\xffcairn/journal/folded")

// foldBatchSize is how many bytes of records one Pebble commit applies:
// big enough that Pebble's commit pipeline costs nothing per record, and
// a quarter of a memtable at most (see apply).
const foldBatchSize = 4 << 20

// readFolded returns the last segment folded into Pebble, 0 for none.
func (e *Engine) readFolded() (uint64, error) {
	v, closer, err := e.db.Get(foldedKey)
	if err == pebble.ErrNotFound {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	defer closer.Close()
	if len(v) != 8 {
		return 0, ErrJournalCorrupt
	}
	return binary.BigEndian.Uint64(v), nil
}

// fold applies segments seqs (ascending, all newer than e.folded) to
// Pebble, syncs, and deletes them. tail says the last of them may end in
// a torn record (only at start-up: later segments are closed fsynced).
// The caller holds e.foldMu.
func (e *Engine) fold(seqs []uint64, tail bool) (err error) {
	if len(seqs) == 0 {
		return nil
	}
	defer func() {
		if r := recover(); r != nil {
			err = pebbleFatal(r)
		}
	}()
	// Sized for foldBatch and kept across Reset (Pebble drops a buffer
	// over 1 MiB by default): regrowing it by doubling for every commit
	// copied each record three times over.
	big := e.db.NewBatch(pebble.WithInitialSizeBytes(e.foldBatch+64<<10), pebble.WithMaxRetainedSizeBytes(2*e.foldBatch+64<<10))
	defer big.Close()
	var mark [8]byte
	for i, seq := range seqs {
		if err := e.foldSegment(seq, tail && i == len(seqs)-1, big); err != nil {
			return err
		}
		binary.BigEndian.PutUint64(mark[:], seq)
		if err := big.Set(foldedKey, mark[:], nil); err != nil {
			return err
		}
		if err := e.apply(big); err != nil {
			return err
		}
	}
	if err := e.flushed(); err != nil {
		return err
	}
	e.folded = seqs[len(seqs)-1]
	e.stats.folds.Add(1)
	for _, seq := range seqs {
		if err := e.fs.Remove(e.j.path(seq)); err != nil {
			return err
		}
	}
	return nil
}

// foldSegment applies segment seq's records to Pebble through big, in
// order, except the point writes that a later write of the same key
// overwrites: all of them when the segment overwrites much (see
// lastWrites), those a write soon after overwrites otherwise (see
// window).
func (e *Engine) foldSegment(seq uint64, tail bool, big *pebble.Batch) error {
	emit := func(kind pebble.InternalKeyKind, k, v []byte) error {
		switch kind {
		case pebble.InternalKeyKindSet:
			big.Set(k, v, nil)
		case pebble.InternalKeyKindDelete:
			big.Delete(k, nil)
		case pebble.InternalKeyKindRangeDelete:
			big.DeleteRange(k, v, nil)
		default:
			return fmt.Errorf("%w: %s holds a %v record", ErrJournalCorrupt, segmentName(seq), kind)
		}
		if big.Len() < e.foldBatch {
			return nil
		}
		return e.apply(big)
	}
	lw, err := e.findLastWrites(seq, tail)
	if err != nil {
		return err
	}
	if lw != nil {
		var pos int32
		return e.segmentOps(seq, tail, func(kind pebble.InternalKeyKind, k, v []byte) error {
			at := pos
			pos++
			if isPointWrite(kind) && !lw.isLast(k, at) {
				return nil
			}
			return emit(kind, k, v)
		})
	}
	w := newWindow(func(op *foldOp) error { return emit(op.kind, op.key, op.value) })
	err = e.segmentOps(seq, tail, func(kind pebble.InternalKeyKind, k, v []byte) error {
		return w.add(kind, k, v)
	})
	if err != nil {
		return err
	}
	return w.drain()
}

// segmentOps calls fn for every operation of every record in segment
// seq, in order. k and v stay valid until segmentOps returns.
func (e *Engine) segmentOps(seq uint64, tail bool, fn func(kind pebble.InternalKeyKind, k, v []byte) error) error {
	return e.j.replay(seq, tail, func(p []byte) error {
		for r := batchrepr.Read(p); ; {
			kind, k, v, ok, err := r.Next()
			if err != nil {
				return fmt.Errorf("%w: %s: %v", ErrJournalCorrupt, segmentName(seq), err)
			}
			if !ok {
				return nil
			}
			if err := fn(kind, k, v); err != nil {
				return err
			}
		}
	})
}

// flushed waits until Pebble has flushed what the fold applied: durable
// then, since a flush syncs its sstables and the MANIFEST. Pebble retries
// a flush that fails (disk full) forever; the failure reaches e.fail
// through the FlushEnd listener, and the fold gives up then rather than
// hang Close.
func (e *Engine) flushed() error {
	done, err := e.db.AsyncFlush()
	if err != nil {
		return err
	}
	select {
	case <-done:
		return nil
	case <-e.failedCh:
		return e.Err()
	}
}

// apply commits b to Pebble and empties it. It stops at the first write
// error: once memtables cannot be flushed (the disk is full), Pebble
// stalls every commit until one can, with no way to give up, so a fold
// that went on would hang Close. The flush failure is reported (FlushEnd)
// long before the queue of memtables fills up, because a batch is at
// most a quarter of a memtable.
func (e *Engine) apply(b *pebble.Batch) error {
	if err := e.Err(); err != nil {
		return err
	}
	if err := e.db.Apply(b, pebble.NoSync); err != nil {
		return err
	}
	b.Reset()
	return nil
}

// foldInBackground folds the segments up to last, which the writer has
// just closed. A failure stops writes: the journal would otherwise grow
// without bound.
func (e *Engine) foldInBackground(last uint64) {
	e.foldWG.Add(1)
	e.bg.start()
	go func() {
		defer e.foldWG.Done()
		defer e.bg.end()
		defer e.folding.Store(false)
		e.foldMu.Lock()
		defer e.foldMu.Unlock()
		if err := e.fold(e.pendingSegments(last), false); err != nil {
			e.fail(err)
		}
	}()
}

// pendingSegments lists the closed segments newer than e.folded, up to
// last. The caller holds e.foldMu.
func (e *Engine) pendingSegments(last uint64) []uint64 {
	var seqs []uint64
	for s := e.folded + 1; s <= last; s++ {
		seqs = append(seqs, s)
	}
	return seqs
}

// foldAll closes the current segment and folds every segment into
// Pebble, so Pebble alone holds every commit made before the call (SAVE,
// BGSAVE).
func (e *Engine) foldAll() error {
	e.foldMu.Lock()
	defer e.foldMu.Unlock()
	e.j.wmu.Lock()
	// As in write: after a failed write the journal may end in half a
	// record, and nothing may follow it.
	if err := e.Err(); err != nil {
		e.j.wmu.Unlock()
		return err
	}
	err := e.j.writeOut(func() {})
	var closed uint64
	if err == nil {
		closed, err = e.j.rotate()
	}
	e.j.wmu.Unlock()
	if err != nil {
		e.fail(err)
		return err
	}
	if err := e.fold(e.pendingSegments(closed), false); err != nil {
		e.fail(err)
		return err
	}
	return nil
}
