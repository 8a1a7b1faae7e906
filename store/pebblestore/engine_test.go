package pebblestore

import (
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/cockroachdb/pebble/v2/vfs/errorfs"
)

func openT(t *testing.T, fs vfs.FS, dir string, mode SyncMode) *Engine {
	t.Helper()
	e, err := Open(dir, Options{FS: fs, Sync: mode})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func put(t *testing.T, e *Engine, k string) {
	t.Helper()
	b := e.NewBatch()
	b.Set([]byte(k), []byte("v"))
	if err := e.Commit(b); err != nil {
		t.Fatal(err)
	}
}

// keys opens the database in fs read-write, lists its keys and closes it.
func keys(t *testing.T, fs vfs.FS, dir string) string {
	t.Helper()
	e := openT(t, fs, dir, SyncNo)
	defer e.Close()
	var ks []string
	if err := e.Iterate(nil, nil, func(k, v []byte) error {
		ks = append(ks, string(k))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return strings.Join(ks, ",")
}

// TestSyncModesAfterCrash pins down what each appendfsync mode keeps,
// using Pebble's crashable in-memory filesystem: a process crash keeps
// what was written to files (synced or not), a machine crash keeps only
// what was fsynced.
func TestSyncModesAfterCrash(t *testing.T) {
	for _, c := range []struct {
		mode SyncMode
		// machine is what survives a machine crash after Flush.
		machine string
	}{
		{SyncAlways, "a"},
		{SyncEverySec, ""},
		{SyncNo, ""},
	} {
		t.Run(string(c.mode), func(t *testing.T) {
			fs := vfs.NewCrashableMem()
			// No background fsync during the test, however slow the machine.
			e, err := Open("data", Options{FS: fs, Sync: c.mode, syncEvery: time.Hour})
			if err != nil {
				t.Fatal(err)
			}
			defer e.Close()
			put(t, e, "a")
			if err := e.Flush(); err != nil {
				t.Fatal(err)
			}
			put(t, e, "b") // committed, not flushed: in the journal's buffer

			// Flush wrote "a" to the OS, so a process crash keeps it; "b"
			// survives only if the background syncer happened to write it.
			process := fs.CrashClone(vfs.CrashCloneCfg{UnsyncedDataPercent: 100, RNG: rand.New(rand.NewPCG(1, 1))})
			if got := keys(t, process, "data"); got != "a" && got != "a,b" {
				t.Errorf("after a process crash: %q, want a (or a,b)", got)
			}
			machine := fs.CrashClone(vfs.CrashCloneCfg{})
			if got := keys(t, machine, "data"); got != c.machine {
				t.Errorf("after a machine crash: %q, want %q", got, c.machine)
			}
			if err := e.Sync(); err != nil {
				t.Fatal(err)
			}
			machine = fs.CrashClone(vfs.CrashCloneCfg{})
			if got := keys(t, machine, "data"); got != "a,b" {
				t.Errorf("after Sync and a machine crash: %q, want a,b", got)
			}
		})
	}
}

// startWriters starts writers goroutines that each commit each keys,
// under a mutex standing for the store's keyspace lock, and Flush after
// every commit, as the server's clients do.
func startWriters(t *testing.T, e *Engine, writers, each int, key func(w, i int) []byte) *sync.WaitGroup {
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				mu.Lock()
				b := e.NewBatch()
				b.Set(key(w, i), []byte("v"))
				err := e.Commit(b)
				mu.Unlock()
				if err == nil {
					err = e.Flush()
				}
				if err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	return &wg
}

// TestGroupCommit: concurrent writers share journal barriers.
func TestGroupCommit(t *testing.T) {
	e := openT(t, vfs.NewMem(), "data", SyncAlways)
	defer e.Close()
	const writers, each = 16, 50
	startWriters(t, e, writers, each, func(w, i int) []byte { return []byte{byte(w), byte(i)} }).Wait()
	m := e.Metrics()
	if m.Committed != writers*each {
		t.Fatalf("committed %d", m.Committed)
	}
	if m.Flushes == 0 || m.Flushes > writers*each {
		t.Fatalf("flushes %d for %d commits", m.Flushes, m.Committed)
	}
	if m.Unsynced != 0 {
		t.Fatalf("always mode left %d commits unsynced", m.Unsynced)
	}
	t.Logf("%d commits, %d barriers", m.Committed, m.Flushes)
}

func TestSecondOpenIsLocked(t *testing.T) {
	dir := t.TempDir()
	e := openT(t, nil, dir, SyncNo)
	defer e.Close()
	_, err := Open(dir, Options{})
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second Open: %v, want ErrLocked", err)
	}
}

func TestForeignDirectoryRefused(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644)
	if _, err := Open(dir, Options{}); !errors.Is(err, ErrNotPebble) {
		t.Fatalf("Open: %v, want ErrNotPebble", err)
	}
	// A new, empty or missing directory is fine.
	e := openT(t, nil, filepath.Join(dir, "new"), SyncNo)
	e.Close()
}

func TestCorruptDirectoryRefused(t *testing.T) {
	dir := t.TempDir()
	e := openT(t, nil, dir, SyncAlways)
	put(t, e, "a")
	e.Close()
	names, _ := os.ReadDir(dir)
	n := 0
	for _, de := range names {
		if strings.HasPrefix(de.Name(), "MANIFEST-") {
			os.WriteFile(filepath.Join(dir, de.Name()), []byte("garbage garbage garbage"), 0o644)
			n++
		}
	}
	if n == 0 {
		t.Fatal("no MANIFEST found")
	}
	if e, err := Open(dir, Options{}); err == nil {
		e.Close()
		t.Fatal("Open accepted a corrupt MANIFEST")
	}
}

// TestWriteErrorStopsWrites: after the WAL cannot be written, Flush
// reports it, later commits are refused, reads go on, and what was
// flushed before is intact after reopening.
func TestWriteErrorStopsWrites(t *testing.T) {
	mem := vfs.NewMem()
	toggle := &errorfs.Toggle{Injector: errorfs.InjectorFunc(func(op errorfs.Op) error {
		if strings.HasSuffix(op.Path, journalSuffix) && (op.Kind == errorfs.OpFileWrite || op.Kind == errorfs.OpFileSync || op.Kind == errorfs.OpFileSyncData) {
			return errorfs.ErrInjected
		}
		return nil
	})}
	e := openT(t, errorfs.Wrap(mem, toggle), "data", SyncAlways)
	put(t, e, "a")
	if err := e.Flush(); err != nil {
		t.Fatal(err)
	}
	toggle.On()
	put(t, e, "b")
	if err := e.Flush(); err == nil {
		t.Fatal("Flush succeeded on a failing disk")
	}
	if e.Err() == nil {
		t.Fatal("Err is nil after a failed flush")
	}
	b := e.NewBatch()
	b.Set([]byte("c"), []byte("v"))
	if err := e.Commit(b); err == nil {
		t.Fatal("Commit accepted after a write error")
	}
	if err := e.Iterate(nil, nil, func(k, v []byte) error { return nil }); err != nil {
		t.Fatalf("reads fail after a write error: %v", err)
	}
	toggle.Off()
	e.Close()
	if got := keys(t, mem, "data"); !strings.HasPrefix(got, "a") {
		t.Fatalf("after reopening: %q, want a first", got)
	}
}

func TestCheckpointOpens(t *testing.T) {
	dir := t.TempDir()
	e := openT(t, nil, dir, SyncEverySec)
	put(t, e, "a")
	put(t, e, "b")
	dest := filepath.Join(DefaultCheckpointDir(dir), "one")
	if err := e.Checkpoint(dest); err != nil {
		t.Fatal(err)
	}
	put(t, e, "c")
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if got := keys(t, vfs.Default, dest); got != "a,b" {
		t.Fatalf("checkpoint holds %q, want a,b", got)
	}
	// The data directory still opens with checkpoints inside it.
	if got := keys(t, vfs.Default, dir); got != "a,b,c" {
		t.Fatalf("data directory holds %q", got)
	}
}

func TestParseSyncMode(t *testing.T) {
	for in, want := range map[string]SyncMode{"always": SyncAlways, "EVERYSEC": SyncEverySec, "No": SyncNo} {
		if got, err := ParseSyncMode(in); err != nil || got != want {
			t.Errorf("ParseSyncMode(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseSyncMode("sometimes"); err == nil {
		t.Error("ParseSyncMode accepted sometimes")
	}
}

// TestEverySecSyncer: under everysec, the background syncer fsyncs
// committed writes without anyone asking, so a machine crash a period
// later keeps them.
func TestEverySecSyncer(t *testing.T) {
	fs := vfs.NewCrashableMem()
	e, err := Open("data", Options{FS: fs, Sync: SyncEverySec, syncEvery: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	put(t, e, "a")
	deadline := time.Now().Add(10 * time.Second)
	for e.Metrics().Unsynced != 0 {
		if time.Now().After(deadline) {
			t.Fatal("the background syncer never synced")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if got := keys(t, fs.CrashClone(vfs.CrashCloneCfg{}), "data"); got != "a" {
		t.Fatalf("after the background fsync and a machine crash: %q, want a", got)
	}
}

// TestFoldErrorStopsWrites: when a fold cannot write its sstable (disk
// full), the engine refuses writes instead of letting the journal grow
// without bound.
func TestFoldErrorStopsWrites(t *testing.T) {
	inj := errorfs.InjectorFunc(func(op errorfs.Op) error {
		if op.Kind == errorfs.OpCreate && strings.HasSuffix(op.Path, ".sst") {
			return errorfs.ErrInjected
		}
		return nil
	})
	e, err := Open("data", Options{FS: errorfs.Wrap(vfs.NewMem(), inj), MemTableSize: 1 << 20, FoldSize: 64 << 10, Sync: SyncNo})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	val := make([]byte, 1024)
	deadline := time.Now().Add(10 * time.Second)
	for i := 0; e.Err() == nil; i++ {
		if time.Now().After(deadline) {
			t.Fatal("a failing fold did not stop writes")
		}
		b := e.NewBatch()
		b.Set([]byte(strconv.Itoa(i)), val)
		if err := e.Commit(b); err != nil {
			break
		}
		if err := e.Flush(); err != nil {
			break
		}
		if i%1000 == 999 {
			time.Sleep(10 * time.Millisecond) // let the fold run
		}
	}
	b := e.NewBatch()
	b.Set([]byte("after"), val)
	if err := e.Commit(b); err == nil {
		t.Fatal("Commit accepted after a failed fold")
	}
}

// TestOnAlwaysFsync: under appendfsync always every barrier is reported
// (the server's aof-fsync-always latency event); under everysec none is.
func TestOnAlwaysFsync(t *testing.T) {
	for _, mode := range []SyncMode{SyncAlways, SyncEverySec} {
		e := openT(t, vfs.NewMem(), "data", mode)
		var n int
		e.OnAlwaysFsync(func(d time.Duration) {
			if d < 0 {
				t.Errorf("negative barrier time %v", d)
			}
			n++
		})
		for i := range 3 {
			put(t, e, strconv.Itoa(i))
			if err := e.Flush(); err != nil {
				t.Fatal(err)
			}
		}
		if want := map[SyncMode]int{SyncAlways: 3}[mode]; n != want {
			t.Errorf("%s: %d barriers reported, want %d", mode, n, want)
		}
		e.Close()
	}
}
