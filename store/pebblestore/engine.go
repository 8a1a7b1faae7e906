package pebblestore

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/bloom"
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
	// MemTableSize bounds each memtable. Larger memtables absorb write
	// bursts (bulk seeding) before flushes stall writes. Default 64 MiB.
	MemTableSize uint64
	// Sync is the fsync policy (appendfsync). Default SyncEverySec.
	Sync SyncMode

	syncEvery time.Duration // everysec's period; tests stretch it
}

// ErrLocked: another process (or another engine in this process) has the
// directory open.
var ErrLocked = errors.New("data directory is in use by another Cairn process (its LOCK file is held)")

// ErrNotPebble: the directory holds files but no Pebble database, so it
// is not a Cairn data directory. Opening it would create a database among
// someone else's files.
var ErrNotPebble = errors.New("directory is not empty and holds no Cairn data (no Pebble MANIFEST)")

// Engine is a store.Engine backed by a Pebble database. It commits the
// store's batches without syncing, and applies the fsync policy in Flush,
// which the server calls outside the keyspace lock before it acknowledges
// writes (group commit), and in a background syncer for everysec.
type Engine struct {
	db   *pebble.DB
	dir  string
	fs   vfs.FS
	wal  *walFS
	mode atomic.Int32

	committed atomic.Uint64 // batches committed (under the store's lock)
	gc        groupCommit
	fsynced   atomic.Uint64 // commits covered by the last real fsync

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

// Open opens (or creates) the Pebble database in dir.
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
	e := &Engine{dir: dir, fs: o.FS, syncEvery: o.syncEvery, stop: make(chan struct{}), stopped: make(chan struct{})}
	e.mode.Store(int32(mode.code()))
	e.gc.cond = sync.NewCond(&e.gc.mu)
	e.wal = &walFS{FS: o.FS, dir: filepath.Clean(dir), realSync: func() bool { return e.Mode() == SyncAlways }}
	opts := &pebble.Options{
		FS:                 e.wal,
		CacheSize:          o.CacheSize,
		MemTableSize:       o.MemTableSize,
		FormatMajorVersion: pebble.FormatNewest,
		Logger:             quietLogger{},
		EventListener: &pebble.EventListener{
			// A memtable flush that fails (disk full) stops writes before
			// memtables fill up and Pebble stalls commits, which would
			// stall the keyspace lock and every reader with it. Other
			// background errors (a compaction, table statistics) are
			// retried by Pebble and do not endanger acknowledged writes.
			FlushEnd: func(info pebble.FlushInfo) {
				// A flush whose data was all deleted writes no table and
				// reports "pebble: empty table": not a failure.
				if info.Err != nil && info.Err.Error() != "pebble: empty table" {
					e.fail(info.Err)
				}
			},
		},
	}
	for i := range opts.Levels {
		opts.Levels[i].FilterPolicy = bloom.FilterPolicy(10)
	}
	db, err := pebble.Open(dir, opts)
	if err != nil {
		if isLockError(err) {
			return nil, fmt.Errorf("%w: %v", ErrLocked, err)
		}
		return nil, err
	}
	e.db = db
	go e.syncLoop()
	return e, nil
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
	other := 0
	for _, n := range names {
		switch {
		case strings.HasPrefix(n, "MANIFEST-"):
			return nil
		case n == "LOCK" || n == checkpointsDir || strings.HasPrefix(n, "."):
		default:
			other++
		}
	}
	if other > 0 {
		return ErrNotPebble
	}
	return nil
}

func isLockError(err error) bool {
	return errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.EACCES) ||
		strings.Contains(err.Error(), "lock held by current process")
}

// Dir returns the data directory.
func (e *Engine) Dir() string { return e.dir }

// NewBatch returns an empty batch.
func (e *Engine) NewBatch() store.Batch { return &batch{b: e.db.NewBatch()} }

// Commit applies b without waiting for an fsync. After a write error it
// refuses every batch: the in-memory state may already be ahead of the
// disk, and the server answers writes with MISCONF until a restart.
func (e *Engine) Commit(b store.Batch) (err error) {
	pb := b.(*batch).b
	if err := e.Err(); err != nil {
		pb.Close()
		return err
	}
	defer func() {
		// Pebble treats a failed WAL append as fatal (Logger.Fatalf, which
		// quietLogger turns into a panic); the store holds its lock here,
		// so turn it into an error rather than unwind through the store.
		if r := recover(); r != nil {
			err = pebbleFatal(r)
			e.fail(err)
		}
	}()
	if err := pb.Commit(pebble.NoSync); err != nil {
		e.fail(err)
		pb.Close()
		return err
	}
	pb.Close()
	e.committed.Add(1)
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

// Iterate calls fn for every record in [lower, upper).
func (e *Engine) Iterate(lower, upper []byte, fn func(k, v []byte) error) error {
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
	close(e.stop)
	<-e.stopped
	serr := error(nil)
	if e.Err() == nil {
		serr = e.Sync()
	}
	defer func() {
		if r := recover(); r != nil {
			err = pebbleFatal(r)
		}
	}()
	cerr := e.db.Close()
	if serr != nil {
		return serr
	}
	return cerr
}

type batch struct{ b *pebble.Batch }

func (b *batch) Set(k, v []byte)         { b.b.Set(k, v, nil) }
func (b *batch) Delete(k []byte)         { b.b.Delete(k, nil) }
func (b *batch) DeleteRange(s, e []byte) { b.b.DeleteRange(s, e, nil) }
func (b *batch) Empty() bool             { return b.b.Empty() }
func (b *batch) Close()                  { b.b.Close() }

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
