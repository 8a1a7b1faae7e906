//go:build unix

package pebblestore

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"syscall"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"
)

// BenchmarkFold measures folding one segment of 64 MiB into Pebble, for
// records shaped like SET of random keys, like XADD (one new element
// record a commit, in key order) and like LPUSH (a 3-byte element a
// commit, in falling key order).
func BenchmarkFold(b *testing.B) {
	for _, shape := range []string{"set", "xadd", "lpush"} {
		b.Run(shape, func(b *testing.B) {
			var cpu time.Duration // of the whole process: Pebble flushes on goroutines of its own
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
					switch shape {
					case "set":
						bt.Set(fmt.Appendf(nil, "M\x00key:%012d", r.IntN(100000)), val)
					case "lpush":
						binary.BigEndian.PutUint64(id[:8], uint64(1<<62-n))
						bt.Set(append([]byte("D\x00\x00\x00\x00\x06mylist"), id[:8]...), val[:3])
					default:
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
				cpu0 := processCPU()
				b.StartTimer()
				e.foldMu.Lock()
				if err := e.fold(e.pendingSegments(last), false); err != nil {
					b.Fatal(err)
				}
				e.foldMu.Unlock()
				b.StopTimer()
				cpu += processCPU() - cpu0
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n*(i+1)), "ns/commit")
				b.ReportMetric(float64(cpu.Nanoseconds())/float64(n*(i+1)), "cpu-ns/commit")
				b.ReportMetric(float64(e.db.Metrics().DiskSpaceUsage())/float64(n), "disk-B/commit")
				e.Close()
			}
		})
	}
}

// processCPU is the user and system CPU the process has used so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
