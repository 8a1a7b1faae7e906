package pebblestore

import (
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"
)

// Folding applies closed journal segments to Pebble, in commit order,
// and then deletes them: Pebble is a checkpoint of the journal, and the
// journal stays short because start-up replays it. The writer closes a
// segment once it holds FoldSize bytes and a background fold takes it,
// so the command path never waits for Pebble. A fold writes each
// segment's outcome as a sorted sstable that Pebble ingests (see
// foldtable.go), with the number of the segment (foldedKey) in a table
// ingested with its last one; Pebble syncs ingested tables and its
// MANIFEST before Ingest returns, and only then does the fold delete the
// segments. Pebble keeps no WAL of its own: the journal is the log.
//
// A crash during a fold leaves Pebble holding a prefix of the segments'
// tables; start-up applies them again from the segment after foldedKey.
// That is safe because every record is a blind write (Set, Delete,
// DeleteRange): applying a sequence of them over any prefix of itself
// ends in the same state as applying it once.

// foldedKey holds the number of the last segment Pebble has wholly. It
// sorts after the store's records (their spaces are single letters) and
// Iterate never shows it.
var foldedKey = []byte("\xff\xffcairn/journal/folded")

// foldTablePrefix names the sstables a fold writes in the data directory
// before Pebble ingests (and renames) them; Open removes any a crash left.
const foldTablePrefix = "fold-"

// removeFoldTables removes the tables a fold wrote but a crash kept
// Pebble from ingesting; the fold will be done again. Open calls it once
// Pebble holds the directory's lock.
func removeFoldTables(fs vfs.FS, dir string) error {
	names, err := fs.List(dir)
	if err != nil {
		return err
	}
	for _, n := range names {
		if strings.HasPrefix(n, foldTablePrefix) {
			if err := fs.Remove(fs.PathJoin(dir, n)); err != nil {
				return err
			}
		}
	}
	return nil
}

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
// Pebble and deletes them. tail says the last of them may end in a torn
// record (only at start-up: later segments are closed fsynced). The
// caller holds e.foldMu.
func (e *Engine) fold(seqs []uint64, tail bool) (err error) {
	if len(seqs) == 0 {
		return nil
	}
	defer func() {
		if r := recover(); r != nil {
			err = pebbleFatal(r)
		}
	}()
	var size int64
	for _, seq := range seqs {
		if st, err := e.fs.Stat(e.j.path(seq)); err == nil {
			size += st.Size()
		}
	}
	t := newFoldTable(size)
	var mark [8]byte
	for i, seq := range seqs {
		err := e.j.replay(seq, tail && i == len(seqs)-1, func(p []byte) error {
			if t.full(len(p)) {
				if err := e.ingest(t, nil); err != nil {
					return err
				}
			}
			if err := t.add(p); err != nil {
				return fmt.Errorf("%w: %s: %v", ErrJournalCorrupt, segmentName(seq), err)
			}
			return nil
		})
		if err != nil {
			return err
		}
		binary.BigEndian.PutUint64(mark[:], seq)
		if err := e.ingest(t, mark[:]); err != nil {
			return err
		}
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
