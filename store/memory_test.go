package store

import (
	"fmt"
	"runtime"
	"testing"
)

// TestUsedMemoryTracksHeap calibrates the accounting: the used memory of
// many small strings must be close to the live heap they really take.
func TestUsedMemoryTracksHeap(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates ~100 MB")
	}
	for _, tc := range []struct {
		name   string
		keys   int
		valLen int
		ttl    bool
	}{
		{"small", 200_000, 40, false},
		{"ttl", 200_000, 40, true},
		{"large", 20_000, 1000, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Open(Options{Databases: 1})
			if err != nil {
				t.Fatal(err)
			}
			val := make([]byte, tc.valLen)
			before := liveHeap()
			s.Update(0, func(tx *Tx) error {
				for i := range tc.keys {
					o := SetOptions{}
					if tc.ttl {
						o.Expire = tx.Now() + 3_600_000
					}
					tx.Set(fmt.Appendf(nil, "rate:%05d:%05d", i/1000, i%1000), val, o)
				}
				return nil
			})
			heap := liveHeap() - before
			used := s.UsedMemory()
			ratio := float64(used) / float64(heap)
			t.Logf("%d keys: used %d B/key, heap %d B/key, ratio %.2f", tc.keys, used/int64(tc.keys), heap/int64(tc.keys), ratio)
			if ratio < 0.8 || ratio > 1.25 {
				t.Errorf("used memory %d is %.2f x the live heap %d, want within 0.8-1.25", used, ratio, heap)
			}
			runtime.KeepAlive(s)
		})
	}
}

func liveHeap() int64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}
