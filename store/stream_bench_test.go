package store_test

import (
	"runtime"
	"testing"
	"time"

	"github.com/cairn-db/cairn/store"
)

// BenchmarkXAdd appends entries with auto IDs to one stream (memory
// engine), and reports the live heap per entry and the wall time of a full
// GC with the stream live.
func BenchmarkXAdd(b *testing.B) {
	s, _ := store.Open(store.Options{})
	key := []byte("s")
	a := store.XAddArgs{AutoID: true, Fields: [][]byte{[]byte("field"), []byte("value-123")}}
	before := heap()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		s.Update(0, func(tx *store.Tx) error {
			_, _, err := tx.XAdd(key, a)
			return err
		})
	}
	b.StopTimer()
	b.ReportMetric(float64(heap()-before)/float64(b.N), "heap-B/entry")
	start := time.Now()
	runtime.GC()
	b.ReportMetric(float64(time.Since(start).Microseconds())/1000, "gc-ms")
	runtime.KeepAlive(s)
}
