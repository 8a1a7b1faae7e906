package pebblestore

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"
)

// SyncMode is the fsync policy, named as Redis's appendfsync.
//
// A commit only appends to the journal's buffer (see journal.go), so in
// every mode the server waits, before it acknowledges a write, for a
// barrier (Flush) that hands everything committed so far to the OS (see
// journal.put). The modes differ only in when the OS is told to fsync:
//
//   - always: the barrier fsyncs the journal. An acknowledged write
//     survives a process crash and a machine crash.
//   - everysec: a background syncer fsyncs the journal once a second. A
//     process crash loses no acknowledged write; a machine crash loses at
//     most about the last second.
//   - no: the OS writes back when it likes (Linux: dirty pages older than
//     ~30 s). A process crash loses nothing acknowledged; a machine crash
//     loses what the OS had not written.
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

// groupCommit lets concurrent Flush callers share one barrier: one
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
		always := e.Mode() == SyncAlways
		g.mu.Unlock()
		start := now()
		sync := noSync
		if always {
			sync = barrierSync
		}
		upto, err := e.write(sync)
		d := time.Since(start)
		g.mu.Lock()
		g.running = false
		if err == nil {
			e.stats.flushes.Add(1)
			if always {
				e.stats.observeFsync(d)
				if f := e.stats.onAlways.Load(); f != nil {
					(*f)(d)
				}
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
	start := now()
	upto, err := e.write(backgroundSync)
	if err != nil {
		return err
	}
	e.stats.observeFsync(time.Since(start))
	ratchet(&e.fsynced, upto)
	return nil
}

// syncKind says whether, and how, write fsyncs.
type syncKind uint8

const (
	noSync syncKind = iota
	// barrierSync is always's fsync, which the event loop waits for
	// before its replies, as Redis's loop does: a raw system call on the
	// OS filesystem, so the scheduler does not hand the loop's processor
	// to another thread and back around every fsync. The loop keeps its
	// processor, and a garbage collection waits for the fsync to end.
	barrierSync
	// backgroundSync is the everysec syncer's fsync (and SAVE's, and
	// Close's): an ordinary system call, which frees the processor while
	// the disk works.
	backgroundSync
)

// write hands every committed batch to the OS, fsyncing the segment
// unless sync is noSync, and returns how many commits that covers. A segment that
// has reached the fold size is closed and folded into Pebble in the
// background. The fsync runs after the writer's lock is released, so the
// event loop's next barrier does not wait for the everysec syncer's
// fsync (Redis fsyncs its AOF on a thread of its own for the same
// reason); syncMu keeps rotation from closing the file under it. A write
// error is sticky (see Err): the journal may now end in half a record,
// which only replay's torn-tail rule can take.
func (e *Engine) write(sync syncKind) (upto uint64, err error) {
	j := &e.j
	j.wmu.Lock()
	if err := e.Err(); err != nil {
		j.wmu.Unlock()
		return 0, err
	}
	err = j.writeOut(func() { upto = e.committed.Load() })
	if err == nil && j.size >= e.foldSize.Load() && !e.closing.Load() && e.folding.CompareAndSwap(false, true) {
		var closed uint64
		if closed, err = j.rotate(); err == nil {
			e.foldInBackground(closed)
		} else {
			e.folding.Store(false)
		}
	}
	var f vfs.File
	raw := j.raw && sync == barrierSync
	if err == nil && sync != noSync {
		j.syncMu.Lock()
		f = j.file
	}
	j.wmu.Unlock()
	if f != nil {
		err = syncFile(f, raw)
		j.syncMu.Unlock()
	}
	if err != nil {
		e.fail(err)
		return 0, err
	}
	return upto, nil
}

func ratchet(v *atomic.Uint64, to uint64) {
	for {
		cur := v.Load()
		if cur >= to || v.CompareAndSwap(cur, to) {
			return
		}
	}
}

// syncLoop is appendfsync everysec's background fsync, and writes out
// what no barrier has in the other modes.
func (e *Engine) syncLoop() {
	defer close(e.stopped)
	t := time.NewTicker(e.syncEvery)
	defer t.Stop()
	for {
		select {
		case <-e.stop:
			return
		case <-t.C:
			if e.Err() != nil {
				continue
			}
			if e.Mode() == SyncEverySec && e.committed.Load() > e.fsynced.Load() {
				e.Sync()
			} else {
				// Commits no client waits for (expiry, eviction) reach
				// the OS within a period in every mode, and the buffer
				// stays small.
				e.Flush()
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
	flushes    atomic.Int64 // journal barriers run for acknowledgements
	folds      atomic.Int64 // journal folds into Pebble
	fsyncs     atomic.Int64
	fsyncNanos atomic.Int64
	lastNanos  atomic.Int64
	maxNanos   atomic.Int64
	buckets    [10]atomic.Uint64 // per FsyncBuckets bound, not cumulative
	onAlways   atomic.Pointer[func(time.Duration)]
}

// OnAlwaysFsync makes the engine call f with the duration of every
// barrier (write and fsync) run under appendfsync always, after it, from
// the goroutine that ran it: the server's latency monitor records them as
// Redis's aof-fsync-always event.
func (e *Engine) OnAlwaysFsync(f func(time.Duration)) { e.stats.onAlways.Store(&f) }

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
