//go:build unix

package store_test

import (
	"fmt"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/cairn-db/cairn/store"
	"github.com/cairn-db/cairn/store/pebblestore"
)

// BenchmarkRestart measures start-up on the Pebble engine: open a data
// directory on disk holding N string keys (12-byte keys, 10-byte values,
// one in ten with a TTL) and load them all into memory. "clean" reopens
// after a normal Close; "crash" reopens a directory whose engine was never
// closed, so Pebble replays the WAL as after a SIGKILL.
//
//	go test -run x -bench Restart -benchtime 1x ./store/
//	CAIRN_RESTART_KEYS=100000 go test -run x -bench Restart -benchtime 1x ./store/
func BenchmarkRestart(b *testing.B) {
	n := 1_000_000
	if v, err := strconv.Atoi(os.Getenv("CAIRN_RESTART_KEYS")); err == nil && v > 0 {
		n = v
	}
	for _, kind := range []string{"clean", "crash"} {
		b.Run(fmt.Sprintf("%s/%dkeys", kind, n), func(b *testing.B) {
			dir := b.TempDir()
			eng, err := pebblestore.Open(dir, pebblestore.Options{Sync: pebblestore.SyncNo})
			if err != nil {
				b.Fatal(err)
			}
			s, err := store.Open(store.Options{Engine: eng})
			if err != nil {
				b.Fatal(err)
			}
			far := time.Now().Add(24 * time.Hour).UnixMilli()
			for i := 0; i < n; i += 1000 {
				s.Update(0, func(tx *store.Tx) error {
					for j := i; j < i+1000 && j < n; j++ {
						o := store.SetOptions{}
						if j%10 == 0 {
							o.Expire = far
						}
						tx.Set(fmt.Appendf(nil, "key:%08d", j), []byte("value-0123"), o)
					}
					return nil
				})
			}
			if kind == "clean" {
				if err := s.Close(); err != nil {
					b.Fatal(err)
				}
			} else {
				// Leave the engine open, as a killed process would, and
				// read a copy of the directory instead.
				if err := s.Sync(); err != nil {
					b.Fatal(err)
				}
				dir2 := b.TempDir() + "/copy"
				if err := copyDir(dir, dir2); err != nil {
					b.Fatal(err)
				}
				s.Close()
				dir = dir2
			}
			b.ResetTimer()
			var disk uint64
			var cpu time.Duration
			for i := 0; i < b.N; i++ {
				before := cpuTime()
				eng, err := pebblestore.Open(dir, pebblestore.Options{})
				if err != nil {
					b.Fatal(err)
				}
				s, err := store.Open(store.Options{Engine: eng})
				if err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				cpu += cpuTime() - before
				var got int
				s.View(0, func(tx *store.Tx) error { got = tx.DBSize(); return nil })
				if got != n {
					b.Fatalf("loaded %d keys, want %d", got, n)
				}
				disk = eng.Metrics().DiskBytes
				s.Close()
				b.StartTimer()
			}
			b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/start")
			// CPU seconds (user+sys, all threads): on a shared machine the
			// wall time above mostly measures the neighbours.
			b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/start")
			b.ReportMetric(float64(disk)/float64(n), "diskB/key")
		})
	}
}

// copyDir copies a flat directory (a Pebble data directory).
func copyDir(src, dst string) error {
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	des, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	for _, de := range des {
		if de.IsDir() || de.Name() == "LOCK" {
			continue
		}
		data, err := os.ReadFile(src + "/" + de.Name())
		if err != nil {
			return err
		}
		if err := os.WriteFile(dst+"/"+de.Name(), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// cpuTime is the process's user+system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
