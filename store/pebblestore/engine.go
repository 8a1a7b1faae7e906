package pebblestore

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/sstable"
	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/cairn-db/cairn/store"
)

// Options configure the engine.
type Options struct {
	// FS is the filesystem; nil means the OS. Tests pass vfs.NewMem() or
	// an errorfs to inject failures.
	FS vfs.FS
	// CacheSize is the block cache in bytes. Reads are served from memory,
	// so the cache only helps start-up and compactions. Default 8 MiB.
	CacheSize int64
	// MemTableSize bounds each memtable. Folds write sorted tables that
	// Pebble ingests, so memtables only hold what Pebble's own WAL of an
	// older Cairn brings back at start-up. Default 64 MiB.
	MemTableSize uint64
	// Sync is the fsync policy (appendfsync). Default SyncEverySec.
	Sync SyncMode
	// FoldSize is the journal segment length at which the segment is
	// folded into Pebble (see fold.go). Start-up replays up to about this
	// much. Default 64 MiB, Redis's auto-aof-rewrite-min-size.
	FoldSize int64
	// Background, if set, is called with true when background work (a
	// journal fold, a Pebble flush or compaction) starts while none ran,
	// and with false when the last of it ends. Calls are serialized.
	Background func(busy bool)

	syncEvery time.Duration // everysec's period; tests stretch it
}

// ErrLocked: another process (or another engine in this process) has the
// directory open.
var ErrLocked = errors.New("data directory is in use by another Cairn process (its LOCK file is held)")

// ErrJournalWithoutPebble: the directory holds journal segments but no
// Pebble database, which held everything folded before them.
var ErrJournalWithoutPebble = errors.New("directory holds journal segments but no Pebble database (no MANIFEST): the folded data is missing")

// ErrBatchTooLarge: one transaction's records exceed 4 GiB, more than a
// journal record holds.
var ErrBatchTooLarge = errors.New("a transaction's records exceed 4 GiB")

// ErrNotPebble: the directory holds files but no Pebble database, so it
// is not a Cairn data directory. Opening it would create a database among
// someone else's files.
var ErrNotPebble = errors.New("directory is not empty and holds no Cairn data (no Pebble MANIFEST)")

// Engine is a store.Engine: a journal of the store's batches (journal.go)
// in front of a Pebble database that holds the journal's folded past
// (fold.go). Commit appends to the journal's buffer; Flush, which the
// server calls outside the keyspace lock before it acknowledges writes
// (group commit), writes the buffer out and applies the fsync policy; a
// background syncer fsyncs for everysec.
type Engine struct {
	db   *pebble.DB
	dir  string
	fs   vfs.FS
	mode atomic.Int32

	j         journal
	committed atomic.Uint64 // batches committed (under the store's lock and j.mu)
	gc        groupCommit
	fsynced   atomic.Uint64 // commits covered by the last real fsync

	foldSize   atomic.Int64
	writerOpts sstable.WriterOptions // for the tables a fold ingests
	folding    atomic.Bool           // a background fold is running or about to
	closing    atomic.Bool           // Close has begun: no new background fold
	foldMu     sync.Mutex            // one fold at a time; guards folded
	folded     uint64                // the last segment Pebble holds wholly
	foldWG     sync.WaitGroup
	bg         background

	failMu    sync.Mutex
	failed    error // first write error: sticky, writes are refused after it
	hasFailed atomic.Bool

	stats     syncStats
	syncEvery time.Duration

	stop     chan struct{}
	stopped  chan struct{}
	closeMu  sync.Mutex
	isClosed bool
}

var _ store.Engine = (*Engine)(nil)

// Open opens (or creates) the database in dir and folds into Pebble the
// journal segments a previous run left.
func Open(dir string, o Options) (*Engine, error) {
	if o.CacheSize == 0 {
		o.CacheSize = 8 << 20
	}
	if o.MemTableSize == 0 {
		o.MemTableSize = 64 << 20
	}
	if o.FS == nil {
		o.FS = vfs.Default
	}
	if o.Sync == "" {
		o.Sync = SyncEverySec
	}
	mode, err := ParseSyncMode(string(o.Sync))
	if err != nil {
		return nil, err
	}
	if err := checkDir(o.FS, dir); err != nil {
		return nil, err
	}
	if o.syncEvery == 0 {
		o.syncEvery = time.Second
	}
	if o.FoldSize == 0 {
		o.FoldSize = 64 << 20
	}
	e := &Engine{dir: dir, fs: o.FS, syncEvery: o.syncEvery, stop: make(chan struct{}), stopped: make(chan struct{})}
	e.mode.Store(int32(mode.code()))
	e.foldSize.Store(o.FoldSize)
	e.gc.cond = sync.NewCond(&e.gc.mu)
	e.bg.notify = o.Background
	e.j = journal{fs: o.FS, dir: dir}
	opts := &pebble.Options{
		FS:                 o.FS,
		CacheSize:          o.CacheSize,
		MemTableSize:       o.MemTableSize,
		FormatMajorVersion: pebble.FormatNewest,
		// A fold's tables are synced by Ingest before it deletes its
		// journal segments (see fold.go): the journal is the only log.
		DisableWAL: true,
		Logger:     quietLogger{},
		EventListener: &pebble.EventListener{
			// A memtable flush that fails (disk full) stops writes before
			// memtables fill up and Pebble stalls commits, which would
			// stall the keyspace lock and every reader with it. Other
			// background errors (a compaction, table statistics) are
			// retried by Pebble and do not endanger acknowledged writes.
			FlushBegin: func(pebble.FlushInfo) { e.bg.start() },
			FlushEnd: func(info pebble.FlushInfo) {
				e.bg.end()
				// A flush whose data was all deleted writes no table and
				// reports "pebble: empty table": not a failure.
				if info.Err != nil && info.Err.Error() != "pebble: empty table" {
					e.fail(info.Err)
				}
			},
			CompactionBegin: func(pebble.CompactionInfo) { e.bg.start() },
			CompactionEnd:   func(pebble.CompactionInfo) { e.bg.end() },
		},
	}
	// No bloom filters: Pebble is read at start-up, by full scans, and
	// for the one foldedKey lookup; building filters cost every flush and
	// compaction about 2.5% of the CPU of a sustained XADD load.
	//
	// Row blocks, not columnar: Pebble reads them only at start-up, in
	// full scans, and they cost a fold about 15% less CPU to write and
	// take a fifth less disk.
	opts.Experimental.EnableColumnarBlocks = func() bool { return false }
	opts.EnsureDefaults() // for MakeWriterOptions; Open sets them on a copy
	db, err := pebble.Open(dir, opts)
	if err != nil {
		if isLockError(err) {
			return nil, fmt.Errorf("%w: %v", ErrLocked, err)
		}
		return nil, err
	}
	e.db = db
	e.writerOpts = opts.MakeWriterOptions(0, db.TableFormat())
	if err := removeFoldTables(o.FS, dir); err != nil { // under Pebble's lock
		db.Close()
		return nil, err
	}
	if err := e.recoverJournal(); err != nil {
		db.Close()
		return nil, err
	}
	go e.syncLoop()
	return e, nil
}

// recoverJournal folds the segments a previous run left into Pebble and
// starts a new segment, so that Pebble alone holds everything committed
// before the crash or shutdown.
func (e *Engine) recoverJournal() (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = pebbleFatal(r)
		}
	}()
	if e.folded, err = e.readFolded(); err != nil {
		return err
	}
	seqs, err := e.j.segments()
	if err != nil {
		return err
	}
	next := e.folded + 1
	var todo []uint64
	for _, seq := range seqs {
		if seq <= e.folded {
			// Folded and synced, but the fold did not get to delete it.
			if err := e.fs.Remove(e.j.path(seq)); err != nil {
				return err
			}
			continue
		}
		todo = append(todo, seq)
		next = seq + 1
	}
	if err := e.fold(todo, true); err != nil {
		return err
	}
	return e.j.create(next)
}

// checkDir refuses a directory that holds files but no Pebble database.
func checkDir(fs vfs.FS, dir string) error {
	names, err := fs.List(dir)
	if err != nil {
		if os.IsNotExist(err) || errors.Is(err, os.ErrNotExist) {
			return nil
		}
		return err
	}
	other, journals := 0, 0
	for _, n := range names {
		switch {
		case strings.HasPrefix(n, "MANIFEST-"):
			return nil
		case strings.HasSuffix(n, journalSuffix):
			journals++
		case n == "LOCK" || n == checkpointsDir || strings.HasPrefix(n, "."):
		default:
			other++
		}
	}
	switch {
	case journals > 0:
		// Segments are only written once Pebble exists: replaying them
		// into a new database would bring back only the latest writes.
		return ErrJournalWithoutPebble
	case other > 0:
		return ErrNotPebble
	}
	return nil
}

func isLockError(err error) bool {
	return errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.EACCES) ||
		strings.Contains(err.Error(), "lock held by current process")
}

// SetFoldSize changes the segment length at which the journal is folded
// into Pebble (CONFIG SET auto-aof-rewrite-min-size).
func (e *Engine) SetFoldSize(n int64) {
	if n > 0 {
		e.foldSize.Store(n)
	}
}

// Dir returns the data directory.
func (e *Engine) Dir() string { return e.dir }

// NewBatch returns an empty batch.
func (e *Engine) NewBatch() store.Batch { return (*batch)(e.db.NewBatch()) }

// Commit appends b to the journal's buffer; Flush writes it out. After a
// write error it refuses every batch: the in-memory state may already be
// ahead of the disk, and the server answers writes with MISCONF until a
// restart.
func (e *Engine) Commit(b store.Batch) error {
	pb := b.(*batch).pebble()
	defer pb.Close()
	if err := e.Err(); err != nil {
		return err
	}
	repr := pb.Repr()
	if uint64(len(repr)) > math.MaxUint32 {
		// A journal record's length is 32 bits. Memory is already ahead
		// of the disk: refuse writes, as after a write error.
		e.fail(ErrBatchTooLarge)
		return ErrBatchTooLarge
	}
	e.j.mu.Lock()
	e.j.append(repr)
	e.committed.Add(1)
	e.j.mu.Unlock()
	return nil
}

// Err returns the first write error the engine hit, or nil. Once set, the
// engine refuses writes until it is reopened.
func (e *Engine) Err() error {
	if !e.hasFailed.Load() {
		return nil
	}
	e.failMu.Lock()
	defer e.failMu.Unlock()
	return e.failed
}

func (e *Engine) fail(err error) {
	if err == nil {
		return
	}
	e.failMu.Lock()
	if e.failed == nil {
		e.failed = err
		e.hasFailed.Store(true)
	}
	e.failMu.Unlock()
}

// Iterate calls fn for every record in [lower, upper). Only Open's fold
// writes to Pebble, so it sees every commit made before Open returned;
// the engine's own keys are hidden.
func (e *Engine) Iterate(lower, upper []byte, fn func(k, v []byte) error) error {
	if upper == nil || bytes.Compare(upper, engineKeys) > 0 {
		upper = engineKeys
	}
	it, err := e.db.NewIter(&pebble.IterOptions{LowerBound: lower, UpperBound: upper})
	if err != nil {
		return err
	}
	for ok := it.First(); ok; ok = it.Next() {
		v, err := it.ValueAndErr()
		if err != nil {
			it.Close()
			return err
		}
		if err := fn(it.Key(), v); err != nil {
			it.Close()
			return err
		}
	}
	if err := it.Error(); err != nil {
		it.Close()
		return err
	}
	return it.Close()
}

// Close syncs what was committed, stops the background syncer and closes
// the database. Safe to call more than once.
func (e *Engine) Close() (err error) {
	e.closeMu.Lock()
	defer e.closeMu.Unlock()
	if e.isClosed {
		return nil
	}
	e.isClosed = true
	e.closing.Store(true)
	close(e.stop)
	<-e.stopped
	e.foldWG.Wait()
	serr := error(nil)
	if e.Err() == nil {
		serr = e.Sync()
	}
	e.j.wmu.Lock()
	jerr := e.j.close()
	e.j.wmu.Unlock()
	defer func() {
		if r := recover(); r != nil {
			err = pebbleFatal(r)
		}
	}()
	cerr := e.db.Close()
	return errors.Join(serr, jerr, cerr)
}

// batch is a Pebble batch under the store's Batch interface. It is the
// batch itself, not a wrapper around it, so a commit allocates nothing
// for it (Pebble pools its batches).
type batch pebble.Batch

func (b *batch) pebble() *pebble.Batch   { return (*pebble.Batch)(b) }
func (b *batch) Set(k, v []byte)         { b.pebble().Set(k, v, nil) }
func (b *batch) Delete(k []byte)         { b.pebble().Delete(k, nil) }
func (b *batch) DeleteRange(s, e []byte) { b.pebble().DeleteRange(s, e, nil) }
func (b *batch) Empty() bool             { return b.pebble().Empty() }
func (b *batch) Close()                  { b.pebble().Close() }

// engineKeys starts the key range the engine keeps for itself (foldedKey).
var engineKeys = []byte{0xff, 0xff}

// quietLogger drops Pebble's informational chatter ("Found 0 WALs"); the
// errors Pebble reports reach the caller as return values.
type quietLogger struct{}

func (quietLogger) Infof(string, ...any)  {}
func (quietLogger) Errorf(string, ...any) {}
func (quietLogger) Fatalf(format string, args ...any) {
	panic(fmt.Sprintf("pebble: fatal: "+format, args...))
}

// now is a seam for sync latency measurements.
var now = time.Now

// pebbleFatal turns a recovered Pebble fatal error into an error.
func pebbleFatal(r any) error { return fmt.Errorf("%v", r) }
