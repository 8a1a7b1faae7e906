package pebblestore

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/cockroachdb/pebble/v2/vfs/errorfs"
)

// contents lists the engine's records as k=v pairs.
func contents(t *testing.T, e *Engine) string {
	t.Helper()
	var kv []string
	if err := e.Iterate(nil, nil, func(k, v []byte) error {
		kv = append(kv, string(k)+"="+string(v))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return strings.Join(kv, ",")
}

// smallChunks makes replay read 37 bytes at a time, so that records
// straddle its chunks.
func smallChunks(t *testing.T) {
	old := replayChunk
	replayChunk = 37
	t.Cleanup(func() { replayChunk = old })
}

// modelContents lists a model map as contents does.
func modelContents(m map[string]string) string {
	var kv []string
	for k, v := range m {
		kv = append(kv, k+"="+v)
	}
	sort.Strings(kv)
	return strings.Join(kv, ",")
}

// TestFoldKeepsEveryRecord: with a tiny fold size the journal is folded
// into Pebble over and over while Sets, Deletes and DeleteRanges go on;
// after a clean restart, and after a process or machine crash at an
// arbitrary moment (a fold half done), the records are exactly the
// model's.
func TestFoldKeepsEveryRecord(t *testing.T) {
	smallChunks(t)
	t.Run("process crash", func(t *testing.T) {
		// Flush wrote everything to the OS: a process crash keeps it all.
		testFoldKeepsEveryRecord(t, SyncEverySec, vfs.CrashCloneCfg{UnsyncedDataPercent: 100})
	})
	t.Run("machine crash", func(t *testing.T) {
		// Under always Flush fsynced everything: a machine crash keeps
		// it all too, so a fold may delete a segment only once what it
		// put in Pebble is synced.
		testFoldKeepsEveryRecord(t, SyncAlways, vfs.CrashCloneCfg{})
	})
	t.Run("several tables a segment", func(t *testing.T) {
		// A write overwritten, or deleted by a range, in a later table of
		// the same segment must not come back.
		defer func(n int) { foldTableSize = n }(foldTableSize)
		foldTableSize = 300
		testFoldKeepsEveryRecord(t, SyncAlways, vfs.CrashCloneCfg{})
	})
	t.Run("sorted unfiltered", func(t *testing.T) {
		// Judged on their first four writes, nearly all of distinct keys,
		// tables skip the hash lookups and sort every write.
		defer func(n int) { lastWritesSample = n }(lastWritesSample)
		lastWritesSample = 4
		testFoldKeepsEveryRecord(t, SyncEverySec, vfs.CrashCloneCfg{UnsyncedDataPercent: 100})
	})
}

func testFoldKeepsEveryRecord(t *testing.T, mode SyncMode, crash vfs.CrashCloneCfg) {
	fs := &linkSafeMem{MemFS: vfs.NewCrashableMem()}
	e, err := Open("data", Options{FS: fs, Sync: mode, FoldSize: 2 << 10, syncEvery: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	model := map[string]string{}
	key := func() string { return fmt.Sprintf("k%02d", r.IntN(60)) }
	var crashes []vfs.FS
	var crashModels []string
	for i := 0; i < 3000; i++ {
		b := e.NewBatch()
		switch n := r.IntN(10); {
		case n < 7:
			k, v := key(), fmt.Sprint(i)
			b.Set([]byte(k), []byte(v))
			model[k] = v
		case n < 9:
			k := key()
			b.Delete([]byte(k))
			delete(model, k)
		default:
			lo, hi := key(), key()
			if lo > hi {
				lo, hi = hi, lo
			}
			b.DeleteRange([]byte(lo), []byte(hi))
			for k := range model {
				if lo <= k && k < hi {
					delete(model, k)
				}
			}
		}
		if err := e.Commit(b); err != nil {
			t.Fatal(err)
		}
		if err := e.Flush(); err != nil {
			t.Fatal(err)
		}
		if i%200 == 0 {
			e.foldWG.Wait() // so the next full segment starts a fold
		}
		if i%500 == 250 {
			crash.RNG = rand.New(rand.NewPCG(3, uint64(i)))
			crashes = append(crashes, fs.CrashClone(crash))
			crashModels = append(crashModels, modelContents(model))
		}
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if n := e.stats.folds.Load(); n < 10 {
		t.Fatalf("only %d folds: the test did not exercise folding", n)
	}
	want := modelContents(model)
	e = openT(t, fs, "data", SyncNo)
	if got := contents(t, e); got != want {
		t.Fatalf("after restart:\n got %s\nwant %s", got, want)
	}
	e.Close()
	for i, crashed := range crashes {
		e := openT(t, crashed, "data", SyncNo)
		if got := contents(t, e); got != crashModels[i] {
			t.Fatalf("after crash %d:\n got %s\nwant %s", i, got, crashModels[i])
		}
		e.Close()
	}
}

// linkSafeMem is a crashable MemFS that can be cloned while a fold's
// ingest links a table: MemFS.Link read-locks the clone lock twice, and
// deadlocks if CrashClone asks for it in between.
type linkSafeMem struct {
	*vfs.MemFS
	mu sync.RWMutex
}

func (fs *linkSafeMem) Link(oldname, newname string) error {
	fs.mu.RLock()
	defer fs.mu.RUnlock()
	return fs.MemFS.Link(oldname, newname)
}

func (fs *linkSafeMem) CrashClone(cfg vfs.CrashCloneCfg) *vfs.MemFS {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.MemFS.CrashClone(cfg)
}

// segmentFiles lists the journal's segments in fs.
func segmentFiles(t *testing.T, fs vfs.FS) []string {
	t.Helper()
	names, err := fs.List("data")
	if err != nil {
		t.Fatal(err)
	}
	var segs []string
	for _, n := range names {
		if _, ok := parseSegment(n); ok {
			segs = append(segs, fs.PathJoin("data", n))
		}
	}
	sort.Strings(segs)
	return segs
}

// appendTo appends raw bytes to a file in fs.
func appendTo(t *testing.T, fs vfs.FS, name string, p []byte) {
	t.Helper()
	f, err := fs.OpenReadWrite(name, vfs.WriteCategoryUnspecified)
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt(p, st.Size()); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

// TestTornTailIsDropped: a crash in the middle of a write leaves half a
// record at the end of the last segment; start-up keeps every whole
// record before it.
func TestTornTailIsDropped(t *testing.T) {
	for name, tail := range map[string][]byte{
		"short header":    {1, 2, 3},
		"short payload":   {200, 0, 0, 0, 1, 2, 3, 4, 5},
		"huge length":     {255, 255, 255, 255, 0, 0, 0, 0},
		"bad checksum":    {2, 0, 0, 0, 9, 9, 9, 9, 'x', 'y'},
		"zeroed by crash": make([]byte, 64),
	} {
		t.Run(name, func(t *testing.T) {
			smallChunks(t)
			fs := vfs.NewMem()
			e := openT(t, fs, "data", SyncNo)
			put(t, e, "a")
			put(t, e, "b")
			if err := e.Close(); err != nil {
				t.Fatal(err)
			}
			segs := segmentFiles(t, fs)
			appendTo(t, fs, segs[len(segs)-1], tail)
			if got := keys(t, fs, "data"); got != "a,b" {
				t.Fatalf("after a torn tail: %q, want a,b", got)
			}
		})
	}
}

// TestCorruptSegmentRefused: a bad record in a segment that is not the
// last cannot be a torn write (segments are fsynced when closed), and
// replaying past it would skip acknowledged writes: Open refuses.
func TestCorruptSegmentRefused(t *testing.T) {
	fs := vfs.NewCrashableMem()
	e := openT(t, fs, "data", SyncAlways)
	put(t, e, "a")
	put(t, e, "b")
	if err := e.Flush(); err != nil {
		t.Fatal(err)
	}
	// Close the segment without folding it, as when the process dies
	// before its background fold runs.
	e.j.wmu.Lock()
	if _, err := e.j.rotate(); err != nil {
		t.Fatal(err)
	}
	e.j.wmu.Unlock()
	put(t, e, "c")
	if err := e.Flush(); err != nil {
		t.Fatal(err)
	}
	crashed := fs.CrashClone(vfs.CrashCloneCfg{})
	e.Close()

	segs := segmentFiles(t, crashed)
	if len(segs) != 2 {
		t.Fatalf("segments %v, want two", segs)
	}
	good := crashed.CrashClone(vfs.CrashCloneCfg{})
	flipLastByte(t, crashed, segs[0])
	if _, err := Open("data", Options{FS: crashed}); !errors.Is(err, ErrJournalCorrupt) {
		t.Fatalf("Open with a corrupt older segment: %v, want ErrJournalCorrupt", err)
	}
	if got := keys(t, good, "data"); got != "a,b,c" {
		t.Fatalf("the same journal intact: %q, want a,b,c", got)
	}
}

func flipLastByte(t *testing.T, fs vfs.FS, name string) {
	t.Helper()
	f, err := fs.OpenReadWrite(name, vfs.WriteCategoryUnspecified)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 1)
	if _, err := f.ReadAt(b, st.Size()-1); err != nil && err != io.EOF {
		t.Fatal(err)
	}
	b[0] ^= 0xff
	if _, err := f.WriteAt(b, st.Size()-1); err != nil {
		t.Fatal(err)
	}
}

// TestCheckpointFoldsJournal: a checkpoint is a Pebble copy with no
// journal, so it must hold what the journal had.
func TestCheckpointFoldsJournal(t *testing.T) {
	dir := t.TempDir()
	e := openT(t, nil, dir, SyncNo)
	put(t, e, "a")
	if err := e.Flush(); err != nil {
		t.Fatal(err)
	}
	put(t, e, "b") // committed, not yet written out
	dest := dir + "/checkpoints/x"
	if err := e.Checkpoint(dest); err != nil {
		t.Fatal(err)
	}
	e.Close()
	names, _ := os.ReadDir(dest)
	for _, n := range names {
		if _, ok := parseSegment(n.Name()); ok {
			t.Errorf("checkpoint holds journal segment %s", n.Name())
		}
	}
	if got := keys(t, vfs.Default, dest); got != "a,b" {
		t.Fatalf("checkpoint holds %q, want a,b", got)
	}
}

// TestFlushDoesNotWaitForBackgroundFsync: under everysec a barrier only
// writes; it must not queue behind the background syncer's fsync, which
// a slow disk can stretch to seconds (the event loop runs the barrier).
func TestFlushDoesNotWaitForBackgroundFsync(t *testing.T) {
	const delay = 500 * time.Millisecond
	slow := &errorfs.Toggle{Injector: errorfs.InjectorFunc(func(op errorfs.Op) error {
		if strings.HasSuffix(op.Path, journalSuffix) && (op.Kind == errorfs.OpFileSyncData || op.Kind == errorfs.OpFileSync) {
			time.Sleep(delay)
		}
		return nil
	})}
	e, err := Open("data", Options{FS: errorfs.Wrap(vfs.NewMem(), slow), Sync: SyncEverySec, syncEvery: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	put(t, e, "a")
	slow.On()
	synced := make(chan error, 1)
	go func() { synced <- e.Sync() }()
	time.Sleep(delay / 5) // the Sync is in its fsync
	put(t, e, "b")
	start := time.Now()
	if err := e.Flush(); err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(start); waited > delay/2 {
		t.Fatalf("Flush took %v: it waited for the background fsync", waited)
	}
	if err := <-synced; err != nil {
		t.Fatal(err)
	}
	slow.Off()
}

// TestConcurrentFoldsSyncsAndCheckpoints: writers, the everysec syncer,
// background folds (every 4 KiB) and checkpoints all at once lose nothing
// and race on nothing (run with -race).
func TestConcurrentFoldsSyncsAndCheckpoints(t *testing.T) {
	dir := t.TempDir()
	e, err := Open(dir, Options{Sync: SyncEverySec, FoldSize: 4 << 10, syncEvery: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	const writers, each = 4, 300
	wg := startWriters(t, e, writers, each, func(w, i int) []byte { return fmt.Appendf(nil, "w%d-%04d", w, i) })
	for i := 0; i < 3; i++ {
		if err := e.Checkpoint(fmt.Sprintf("%s/checkpoints/%d", dir, i)); err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	wg.Wait()
	// A checkpoint may have folded what a background fold was waiting
	// for; write on until a background fold has run for certain.
	extra := 0
	for before := e.stats.folds.Load(); e.stats.folds.Load() == before; extra++ {
		if extra > 10000 {
			t.Fatal("no background fold")
		}
		put(t, e, fmt.Sprintf("x%05d", extra))
		if err := e.Flush(); err != nil {
			t.Fatal(err)
		}
		e.foldWG.Wait()
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	e = openT(t, vfs.Default, dir, SyncNo)
	defer e.Close()
	n := 0
	e.Iterate(nil, nil, func(k, v []byte) error { n++; return nil })
	if n != writers*each+extra {
		t.Fatalf("%d keys after reopening, want %d", n, writers*each+extra)
	}
}

// crashCopy copies the data directory's files as they are at this moment
// (what a killed process leaves) to a new directory.
func crashCopy(t *testing.T, dir string) string {
	t.Helper()
	crashed := t.TempDir()
	names, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if n.Name() == "LOCK" || n.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, n.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(crashed, n.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return crashed
}

// TestPreallocatedSegment: on the OS filesystem a segment is allocated
// ahead of its records; a copy taken mid-run (as after a crash) ends in
// zeros and still opens with every record, and Close cuts the zeros off.
func TestPreallocatedSegment(t *testing.T) {
	dir := t.TempDir()
	e := openT(t, nil, dir, SyncAlways)
	put(t, e, "a")
	put(t, e, "b")
	if err := e.Flush(); err != nil {
		t.Fatal(err)
	}
	if e.j.alloc <= 0 {
		t.Skip("fallocate is not available on this filesystem")
	}
	seg := filepath.Join(dir, segmentName(e.j.seq))
	st, err := os.Stat(seg)
	if err != nil {
		t.Fatal(err)
	}
	if st.Size() != e.j.alloc || e.j.alloc <= e.j.size {
		t.Fatalf("segment is %d bytes with %d of records, allocated %d", st.Size(), e.j.size, e.j.alloc)
	}
	if got := keys(t, vfs.Default, crashCopy(t, dir)); got != "a,b" {
		t.Fatalf("a copy ending in allocated zeros holds %q, want a,b", got)
	}
	size := e.j.size
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(seg); err != nil || st.Size() != size {
		t.Fatalf("after Close the segment is %v bytes, want %d (err %v)", st.Size(), size, err)
	}
}

// TestJournalWithoutPebbleRefused: segments without the Pebble database
// they sit on would reopen as a database holding only the latest writes.
func TestJournalWithoutPebbleRefused(t *testing.T) {
	dir := t.TempDir()
	e := openT(t, nil, dir, SyncNo)
	put(t, e, "a")
	e.Close()
	names, _ := os.ReadDir(dir)
	for _, n := range names {
		if _, ok := parseSegment(n.Name()); !ok {
			os.RemoveAll(filepath.Join(dir, n.Name()))
		}
	}
	if _, err := Open(dir, Options{}); !errors.Is(err, ErrJournalWithoutPebble) {
		t.Fatalf("Open: %v, want ErrJournalWithoutPebble", err)
	}
}

// TestBackgroundReported: a fold is reported as background work starting
// and, once it and whatever Pebble flushed after it are done, ending.
func TestBackgroundReported(t *testing.T) {
	var mu sync.Mutex
	var calls []bool
	e, err := Open("data", Options{FS: vfs.NewMem(), Sync: SyncNo, FoldSize: 1 << 10, Background: func(busy bool) {
		mu.Lock()
		calls = append(calls, busy)
		mu.Unlock()
	}})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 100; i++ {
		put(t, e, fmt.Sprintf("k%03d", i))
		if err := e.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(calls) < 2 || !calls[0] || calls[len(calls)-1] {
		t.Fatalf("Background calls %v: want true first and false last", calls)
	}
	for i := 1; i < len(calls); i++ {
		if calls[i] == calls[i-1] {
			t.Fatalf("Background calls %v: not alternating", calls)
		}
	}
}

// TestOpenReplaysOlderWAL: a Cairn from before Pebble ran without a WAL
// left folded records in Pebble's WAL alone (its fold synced the WAL, not
// sstables, before deleting the segments). Opening that directory now
// must still replay the WAL.
func TestOpenReplaysOlderWAL(t *testing.T) {
	fs := vfs.NewCrashableMem()
	db, err := pebble.Open("data", &pebble.Options{FS: fs, FormatMajorVersion: pebble.FormatNewest, Logger: quietLogger{}})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Set([]byte("folded"), []byte("1"), pebble.Sync); err != nil {
		t.Fatal(err)
	}
	// The process dies: its memtable is gone, the synced WAL is on disk.
	crashed := fs.CrashClone(vfs.CrashCloneCfg{})
	db.Close()
	e := openT(t, crashed, "data", SyncNo)
	defer e.Close()
	if got := contents(t, e); got != "folded=1" {
		t.Fatalf("after opening an older Cairn's directory: %q, want folded=1", got)
	}
}

// TestOpenRemovesUningestedFoldTable: a crash between writing a fold's
// table and Pebble ingesting it leaves the table in the directory; the
// next start removes it and folds the segment again.
func TestOpenRemovesUningestedFoldTable(t *testing.T) {
	fs := vfs.NewMem()
	e := openT(t, fs, "data", SyncNo)
	put(t, e, "a")
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	// Start-up folds "a"; the segment it leaves holds nothing, so the next
	// start-up's fold writes the segment's mark and no table of data.
	if err := openT(t, fs, "data", SyncNo).Close(); err != nil {
		t.Fatal(err)
	}
	left := fs.PathJoin("data", foldTablePrefix+"table.sst")
	appendTo(t, fs, left, []byte("half a table"))
	e = openT(t, fs, "data", SyncNo)
	defer e.Close()
	if _, err := fs.Stat(left); err == nil {
		t.Fatalf("%s is still there after Open", left)
	}
	if got := contents(t, e); !strings.HasPrefix(got, "a=") || strings.Contains(got, ",") {
		t.Fatalf("contents %q, want key a alone", got)
	}
}
