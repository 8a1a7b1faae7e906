package pebblestore

import (
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"
)

// SyncMode is the fsync policy, named as Redis's appendfsync.
//
// Pebble keeps commits made without Sync in its WAL writer's in-memory
// block (32 KiB) until something asks for a sync: a SIGKILL would lose
// them. So in every mode the server waits, before it acknowledges a write,
// for a WAL barrier (Flush) that hands everything committed so far to the
// OS. The modes differ only in when the OS is told to fsync:
//
//   - always: the barrier fsyncs the WAL. An acknowledged write survives a
//     process crash and a machine crash.
//   - everysec: the barrier only write(2)s the WAL; a background syncer
//     fsyncs it once a second. A process crash loses no acknowledged
//     write; a machine crash loses at most about the last second.
//   - no: the barrier only write(2)s; the OS writes back when it likes
//     (Linux: dirty pages older than ~30 s). A process crash loses nothing
//     acknowledged; a machine crash loses what the OS had not written.
//
// The WAL files are opened through walFS, which turns Pebble's per-commit
// WAL fsync into a no-op unless the mode is always, and fsyncs a WAL for
// real when Pebble closes it (rotation, shutdown), so an older WAL is
// never left with an unsynced tail.
type SyncMode string

// The appendfsync values.
const (
	SyncAlways   SyncMode = "always"
	SyncEverySec SyncMode = "everysec"
	SyncNo       SyncMode = "no"
)

var modes = []SyncMode{SyncAlways, SyncEverySec, SyncNo}

func (m SyncMode) code() int {
	for i, x := range modes {
		if x == m {
			return i
		}
	}
	return 1
}

// ParseSyncMode accepts appendfsync's values, case-insensitively.
func ParseSyncMode(s string) (SyncMode, error) {
	for _, m := range modes {
		if len(s) == len(m) && equalFold(s, string(m)) {
			return m, nil
		}
	}
	return "", fmt.Errorf("appendfsync must be always, everysec or no, not %q", s)
}

func equalFold(a, b string) bool {
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// Mode returns the current fsync policy.
func (e *Engine) Mode() SyncMode { return modes[e.mode.Load()] }

// SetMode changes the fsync policy (CONFIG SET appendfsync). Leaving
// everysec or no for always first fsyncs what is already committed.
func (e *Engine) SetMode(m SyncMode) error {
	old := e.Mode()
	e.mode.Store(int32(m.code()))
	if m == SyncAlways && old != SyncAlways {
		return e.Sync()
	}
	return nil
}

// groupCommit lets concurrent Flush callers share one WAL barrier: one
// caller (the leader) runs it for every commit made so far while the
// others wait on the condition variable.
type groupCommit struct {
	mu      sync.Mutex
	cond    *sync.Cond
	running bool
	done    uint64 // commits covered by the last completed barrier
}

// Flush returns once every batch committed before the call is as durable
// as the policy promises for an acknowledged write: fsynced under always,
// written to the OS otherwise (see SyncMode). The server calls it outside
// the keyspace lock, once per connection pipeline, so concurrent clients
// and a connection's pipelined commands share one barrier.
func (e *Engine) Flush() error {
	target := e.committed.Load()
	g := &e.gc
	g.mu.Lock()
	defer g.mu.Unlock()
	for g.done < target {
		if err := e.Err(); err != nil {
			return err
		}
		if g.running {
			g.cond.Wait()
			continue
		}
		g.running = true
		upto := e.committed.Load()
		always := e.Mode() == SyncAlways
		g.mu.Unlock()
		start := now()
		err := e.logBarrier()
		d := time.Since(start)
		g.mu.Lock()
		g.running = false
		if err == nil {
			e.stats.flushes.Add(1)
			if always {
				e.stats.observeFsync(d)
				ratchet(&e.fsynced, upto)
			}
			if upto > g.done {
				g.done = upto
			}
		}
		g.cond.Broadcast()
		if err != nil {
			return err
		}
	}
	return nil
}

// Sync fsyncs every committed batch, whatever the mode: used by the
// everysec syncer, SAVE and shutdown.
func (e *Engine) Sync() error {
	target := e.committed.Load()
	start := now()
	if err := e.logBarrier(); err != nil {
		return err
	}
	if e.Mode() != SyncAlways {
		if err := e.wal.fsyncCurrent(); err != nil {
			e.fail(err)
			return err
		}
	}
	e.stats.observeFsync(time.Since(start))
	ratchet(&e.fsynced, target)
	return nil
}

// logBarrier appends an empty record to the WAL with Sync: Pebble's flush
// loop writes every earlier record to the file and calls Sync on it (a
// real fsync only in always mode, see walFS).
func (e *Engine) logBarrier() (err error) {
	if err := e.Err(); err != nil {
		return err
	}
	defer func() {
		if r := recover(); r != nil {
			err = pebbleFatal(r)
			e.fail(err)
		}
	}()
	if err := e.db.LogData(nil, pebble.Sync); err != nil {
		e.fail(err)
		return err
	}
	return nil
}

func ratchet(v *atomic.Uint64, to uint64) {
	for {
		cur := v.Load()
		if cur >= to || v.CompareAndSwap(cur, to) {
			return
		}
	}
}

// syncLoop is appendfsync everysec's background fsync.
func (e *Engine) syncLoop() {
	defer close(e.stopped)
	t := time.NewTicker(e.syncEvery)
	defer t.Stop()
	for {
		select {
		case <-e.stop:
			return
		case <-t.C:
			if e.Mode() == SyncEverySec && e.committed.Load() > e.fsynced.Load() && e.Err() == nil {
				e.Sync()
			}
		}
	}
}

// FsyncBuckets are the upper bounds of the fsync latency histogram:
// 10 µs to 2.6 s, ×4 each.
var FsyncBuckets = func() []time.Duration {
	b := make([]time.Duration, 10)
	d := 10 * time.Microsecond
	for i := range b {
		b[i] = d
		d *= 4
	}
	return b
}()

// syncStats are the fsync figures Metrics reports.
type syncStats struct {
	flushes    atomic.Int64 // WAL barriers run for acknowledgements
	fsyncs     atomic.Int64
	fsyncNanos atomic.Int64
	lastNanos  atomic.Int64
	maxNanos   atomic.Int64
	buckets    [10]atomic.Uint64 // per FsyncBuckets bound, not cumulative
}

func (s *syncStats) observeFsync(d time.Duration) {
	n := int64(d)
	for i, ub := range FsyncBuckets {
		if d <= ub {
			s.buckets[i].Add(1)
			break
		}
	}
	s.fsyncs.Add(1)
	s.fsyncNanos.Add(n)
	s.lastNanos.Store(n)
	for {
		m := s.maxNanos.Load()
		if n <= m || s.maxNanos.CompareAndSwap(m, n) {
			return
		}
	}
}

// walFS wraps the filesystem to control fsyncs of WAL files (*.log).
type walFS struct {
	vfs.FS
	dir      string // the engine's WAL directory; checkpoints copy WALs elsewhere
	realSync func() bool

	mu  sync.Mutex
	cur *walFile // the WAL Pebble writes to now
}

func (fs *walFS) isWAL(name string) bool {
	return strings.HasSuffix(name, ".log") && filepath.Clean(fs.PathDir(name)) == fs.dir
}

func (fs *walFS) Create(name string, cat vfs.DiskWriteCategory) (vfs.File, error) {
	f, err := fs.FS.Create(name, cat)
	if err != nil || !fs.isWAL(name) {
		return f, err
	}
	return fs.track(f), nil
}

func (fs *walFS) ReuseForWrite(oldname, newname string, cat vfs.DiskWriteCategory) (vfs.File, error) {
	f, err := fs.FS.ReuseForWrite(oldname, newname, cat)
	if err != nil || !fs.isWAL(newname) {
		return f, err
	}
	return fs.track(f), nil
}

func (fs *walFS) track(f vfs.File) *walFile {
	w := &walFile{File: f, fs: fs}
	fs.mu.Lock()
	fs.cur = w
	fs.mu.Unlock()
	return w
}

// fsyncCurrent fsyncs the WAL being written. Older WALs were fsynced when
// Pebble closed them.
func (fs *walFS) fsyncCurrent() error {
	fs.mu.Lock()
	w := fs.cur
	fs.mu.Unlock()
	if w == nil {
		return nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil
	}
	return w.File.SyncData()
}

// walFile is a WAL whose Sync is real only in always mode.
type walFile struct {
	vfs.File
	fs     *walFS
	mu     sync.Mutex
	closed bool
}

func (f *walFile) Sync() error {
	if f.fs.realSync() {
		return f.File.Sync()
	}
	return nil
}

func (f *walFile) SyncData() error {
	if f.fs.realSync() {
		return f.File.SyncData()
	}
	return nil
}

func (f *walFile) SyncTo(length int64) (bool, error) {
	if f.fs.realSync() {
		return f.File.SyncTo(length)
	}
	return false, nil
}

// Close fsyncs for real: a WAL that is no longer written must be complete
// on disk, or recovery after a machine crash would find an older WAL with
// a torn tail, which Pebble reports as corruption.
func (f *walFile) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
	serr := f.File.Sync()
	cerr := f.File.Close()
	if serr != nil {
		return serr
	}
	return cerr
}
