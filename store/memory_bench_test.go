package store_test

import (
	"fmt"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/cairn-db/cairn/store"
)

// BenchmarkMemoryPerElement measures the heap each hash, set and sorted-set
// element costs, for small collections (packed encodings, 16 elements per
// key) and big ones (tables and skip lists, 100 000 elements in one key).
// It reports B/elem (heap growth per element, key overhead included) and
// data-B/elem (the bytes the element itself carries: member, or field and
// value, plus 8 for a score), so the ratio is the encoding's overhead.
//
//	go test ./store -run '^$' -bench MemoryPerElement -benchtime 1x
func BenchmarkMemoryPerElement(b *testing.B) {
	shapes := []struct {
		name       string
		keys, each int
	}{{"small", 20000, 16}, {"big", 1, 100000}}
	types := []struct {
		name string
		data int // bytes of one element's data
		add  func(tx *store.Tx, key []byte, i int)
	}{
		{"hash", 22, func(tx *store.Tx, key []byte, i int) {
			f := fmt.Appendf(nil, "field%06d", i)
			tx.HSet(key, [][]byte{f, fmt.Appendf(nil, "value%06d", i)}, false)
		}},
		{"set", 12, func(tx *store.Tx, key []byte, i int) {
			tx.SAdd(key, [][]byte{fmt.Appendf(nil, "member%06d", i)})
		}},
		{"zset", 20, func(tx *store.Tx, key []byte, i int) {
			tx.ZAdd(key, store.ZAddOptions{}, []float64{float64(i)}, [][]byte{fmt.Appendf(nil, "member%06d", i)})
		}},
	}
	for _, sh := range shapes {
		for _, ty := range types {
			b.Run(ty.name+"/"+sh.name, func(b *testing.B) {
				for range b.N {
					s, _ := store.Open(store.Options{})
					before := heap()
					n := 0
					for k := 0; k < sh.keys; k++ {
						key := fmt.Appendf(nil, "key:%06d", k)
						s.Update(0, func(tx *store.Tx) error {
							for i := 0; i < sh.each; i++ {
								ty.add(tx, key, i)
								n++
							}
							return nil
						})
					}
					after := heap()
					b.ReportMetric(float64(after-before)/float64(n), "B/elem")
					b.ReportMetric(float64(ty.data), "data-B/elem")
					runtime.KeepAlive(s)
				}
			})
		}
	}
}

func heap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// BenchmarkSeedMemory loads issue 9's seeding workload straight into the
// store: 498 501 keys like rate:10123:10456 (16 bytes) with ~40-byte
// values, 500 SETs per transaction as a pipelined MSET of 500 pairs does.
// It reports the live heap per key after a full GC (heap-B/key), Cairn's
// own accounting (used-B/key), the heap objects per key, which is what
// GC marking costs, and the wall time of a full GC with the keys live.
//
//	go test ./store -run '^$' -bench SeedMemory -benchtime 1x
func BenchmarkSeedMemory(b *testing.B) {
	const keys = 498501
	for range b.N {
		b.StopTimer()
		s, _ := store.Open(store.Options{Databases: 1})
		before := heap()
		var m0 runtime.MemStats
		runtime.ReadMemStats(&m0)
		b.StartTimer()
		for i := 0; i < keys; i += 500 {
			s.Update(0, func(tx *store.Tx) error {
				for j := i; j < min(i+500, keys); j++ {
					k := fmt.Appendf(nil, "rate:%05d:%05d", 10000+j/1000, 10000+j%1000)
					v := fmt.Appendf(nil, `{"rate":%d.%02d,"svc":"ground","zone":%03d}`, 5+j%40, j%100, j%997)
					tx.Set(k, v, store.SetOptions{})
				}
				return nil
			})
		}
		b.StopTimer()
		after := heap()
		var m1 runtime.MemStats
		runtime.ReadMemStats(&m1)
		b.ReportMetric(float64(after-before)/keys, "heap-B/key")
		b.ReportMetric(float64(s.UsedMemory())/keys, "used-B/key")
		b.ReportMetric(float64(m1.HeapObjects-m0.HeapObjects)/keys, "objs/key")
		// What one collection costs with this keyspace live (the median
		// of five full GCs, wall time on this machine).
		var gcs []time.Duration
		for range 5 {
			t := time.Now()
			runtime.GC()
			gcs = append(gcs, time.Since(t))
		}
		slices.Sort(gcs)
		b.ReportMetric(float64(gcs[2].Microseconds())/1000, "gc-ms")
		runtime.KeepAlive(s)
	}
}
