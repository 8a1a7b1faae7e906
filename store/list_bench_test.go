package store_test

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/cairn-db/cairn/store"
)

// heapInUse returns the live heap after a full collection.
func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// BenchmarkListMemoryPerElement pushes a million elements of a given size
// onto one list and reports the heap it costs per element ("B/elem") next
// to the element's own bytes.
func BenchmarkListMemoryPerElement(b *testing.B) {
	for _, size := range []int{10, 100} {
		b.Run(fmt.Sprintf("%dB", size), func(b *testing.B) {
			const n = 1_000_000
			val := make([]byte, size)
			batch := make([][]byte, 1000)
			for i := range batch {
				batch[i] = val
			}
			for i := 0; i < b.N; i++ {
				s, _ := store.Open(store.Options{})
				before := heapInUse()
				for j := 0; j < n; j += len(batch) {
					s.Update(0, func(tx *store.Tx) error {
						_, err := tx.ListPush([]byte("q"), store.ListTail, batch, false)
						return err
					})
				}
				after := heapInUse()
				b.ReportMetric(float64(after-before)/n, "B/elem")
				runtime.KeepAlive(s)
			}
		})
	}
}

// BenchmarkListPushPop is a queue in steady state: RPUSH one element, LPOP
// one, on a list holding 100,000.
func BenchmarkListPushPop(b *testing.B) {
	s, _ := store.Open(store.Options{})
	val := make([]byte, 16)
	key := []byte("q")
	s.Update(0, func(tx *store.Tx) error {
		for i := 0; i < 100_000; i++ {
			tx.ListPush(key, store.ListTail, [][]byte{val}, false)
		}
		return nil
	})
	vals := [][]byte{val}
	popped := make([][]byte, 0, 1)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.Update(0, func(tx *store.Tx) error {
			tx.ListPush(key, store.ListTail, vals, false)
			tx.ListPop(popped, key, store.ListHead, 1)
			return nil
		})
	}
}
