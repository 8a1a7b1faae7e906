package pebblestore

import (
	"fmt"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"
)

// BenchmarkBarrier measures an event-loop round's durability barrier
// under everysec: two SET-shaped commits, then Flush, which hands them
// to the OS without an fsync. (-P 1 rounds serve about two requests.)
func BenchmarkBarrier(b *testing.B) {
	e, err := Open(b.TempDir(), Options{FS: vfs.Default, Sync: SyncEverySec, FoldSize: 1 << 40})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	val := make([]byte, 3)
	keys := make([][]byte, 1024)
	for i := range keys {
		keys[i] = fmt.Appendf(nil, "M\x00key:%012d", i*7919)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for k := range 2 {
			bt := e.NewBatch()
			bt.Set(keys[(2*i+k)%len(keys)], val)
			e.Commit(bt)
		}
		if err := e.Flush(); err != nil {
			b.Fatal(err)
		}
	}
}
