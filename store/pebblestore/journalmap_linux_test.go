package pebblestore

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"
)

// TestMappedSegment: records copied into the mapped segment, across
// several windows and segments and one record larger than a window, are
// in the files for a process that reads them while the engine runs (as
// after a SIGKILL), and after Close.
func TestMappedSegment(t *testing.T) {
	dir := t.TempDir()
	e := openT(t, nil, dir, SyncEverySec)
	e.foldSize.Store(9 << 20) // two segments, one folded
	put(t, e, "probe")
	if err := e.Flush(); err != nil {
		t.Fatal(err)
	}
	if e.j.win == nil {
		t.Skip("the segment is not mapped: fallocate or mmap is not available here")
	}
	val := strings.Repeat("v", 1000)
	var want []string
	write := func(k, v string) {
		b := e.NewBatch()
		b.Set([]byte(k), []byte(v))
		if err := e.Commit(b); err != nil {
			t.Fatal(err)
		}
		if err := e.Flush(); err != nil {
			t.Fatal(err)
		}
		want = append(want, k)
	}
	var windows []int64
	for i := range 12000 {
		write(fmt.Sprintf("k%05d", i), val)
		if i == 6000 {
			write("huge", strings.Repeat("h", preallocStep+preallocStep/2))
		}
		if n := len(windows); n == 0 || windows[n-1] != e.j.winOff {
			windows = append(windows, e.j.winOff)
		}
	}
	if len(windows) < 4 {
		t.Fatalf("the writes used windows at %v; want at least 4", windows)
	}
	if e.j.written.Load() < 12<<20 {
		t.Fatalf("the journal wrote %d bytes", e.j.written.Load())
	}
	for deadline := time.Now().Add(30 * time.Second); e.folding.Load(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the fold did not end")
		}
	}
	want = append(want, "probe")
	check := func(what, dir string) {
		t.Helper()
		got := keys(t, vfs.Default, dir)
		if n := strings.Count(got, ",") + 1; n != len(want) {
			t.Fatalf("%s holds %d keys, want %d", what, n, len(want))
		}
	}
	check("a copy taken while the engine runs", crashCopy(t, dir))
	size, seg := e.j.size, filepath.Join(dir, segmentName(e.j.seq))
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(seg); err != nil || st.Size() != size {
		t.Fatalf("after Close the segment is %v bytes, want %d (err %v)", st.Size(), size, err)
	}
	check("the directory after Close", dir)
}

// TestMappedFaultIsAnError: a fault under the mapping (here the file cut
// short beneath it; on a disk, an I/O error) fails the write instead of
// killing the process.
func TestMappedFaultIsAnError(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "seg"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	page := int64(os.Getpagesize())
	if err := f.Truncate(2 * page); err != nil {
		t.Fatal(err)
	}
	win, err := syscall.Mmap(int(f.Fd()), 0, int(2*page), syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
	if err != nil {
		t.Skip("mmap:", err)
	}
	defer syscall.Munmap(win)
	if n, err := copyMapped(win, []byte("ok")); n != 2 || err != nil {
		t.Fatalf("copy into the mapping: %d, %v", n, err)
	}
	if err := f.Truncate(0); err != nil {
		t.Fatal(err)
	}
	if _, err := copyMapped(win[page:], []byte("gone")); err == nil {
		t.Fatal("a copy past the file's end succeeded")
	}
}

// TestWriteAfterMappedRecords: when the mapping gives out mid-segment
// (mmap or fallocate failing), the records that follow are written after
// the mapped ones, not over them: the copies never moved the file's
// offset.
func TestWriteAfterMappedRecords(t *testing.T) {
	dir := t.TempDir()
	e := openT(t, nil, dir, SyncEverySec)
	put(t, e, "a")
	put(t, e, "b")
	if err := e.Flush(); err != nil {
		t.Fatal(err)
	}
	if e.j.win == nil {
		t.Skip("the segment is not mapped: fallocate or mmap is not available here")
	}
	e.j.wmu.Lock()
	e.j.unmap()
	e.j.noMap = true
	e.j.wmu.Unlock()
	put(t, e, "c")
	if err := e.Flush(); err != nil {
		t.Fatal(err)
	}
	if got := keys(t, vfs.Default, crashCopy(t, dir)); got != "a,b,c" {
		t.Fatalf("a copy taken while the engine runs holds %q, want a,b,c", got)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if got := keys(t, vfs.Default, dir); got != "a,b,c" {
		t.Fatalf("after Close the directory holds %q, want a,b,c", got)
	}
}
