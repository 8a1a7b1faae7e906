package pebblestore

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"
)

// BenchmarkFold measures folding one segment of 64 MiB into Pebble, for
// records shaped like SET of random keys and like XADD (one new element
// record a commit, in key order).
func BenchmarkFold(b *testing.B) {
	for _, shape := range []string{"set", "xadd"} {
		b.Run(shape, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				e, err := Open(b.TempDir(), Options{FS: vfs.Default, Sync: SyncNo, FoldSize: 1 << 40})
				if err != nil {
					b.Fatal(err)
				}
				r := rand.New(rand.NewPCG(1, 1))
				val := make([]byte, 40)
				var id [16]byte
				n := 0
				for e.j.size < 64<<20 {
					bt := e.NewBatch()
					if shape == "set" {
						bt.Set(fmt.Appendf(nil, "M\x00key:%012d", r.IntN(100000)), val)
					} else {
						binary.BigEndian.PutUint64(id[:], uint64(n))
						bt.Set(append([]byte("D\x00\x00\x00\x00\x0cbench:stream"), id[:]...), val[:20])
					}
					e.Commit(bt)
					n++
					if n%1000 == 0 {
						e.write(noSync)
					}
				}
				e.write(noSync)
				e.j.wmu.Lock()
				last, _ := e.j.rotate()
				e.j.wmu.Unlock()
				b.StartTimer()
				e.foldMu.Lock()
				if err := e.fold(e.pendingSegments(last), false); err != nil {
					b.Fatal(err)
				}
				e.foldMu.Unlock()
				b.StopTimer()
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n*(i+1)), "ns/commit")
				e.Close()
			}
		})
	}
}
