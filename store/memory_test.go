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
		{"5KB", 10_000, 5000, false},   // size class 5376
		{"13KB", 5_000, 13_000, false}, // size class 13568
		{"40KB", 1_000, 40_000, false}, // five pages
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

// TestCollectionMemoryIsSampled: pushing to a long list one element per
// transaction keeps used memory close to the list's real memory(), while
// memory() (which walks the list) runs only O(log n) times.
func TestCollectionMemoryIsSampled(t *testing.T) {
	s, _ := Open(Options{Databases: 1})
	val := [][]byte{make([]byte, 30)}
	for range 100_000 {
		s.Update(0, func(tx *Tx) error {
			_, err := tx.ListPush([]byte("l"), ListTail, val, false)
			return err
		})
	}
	var exact int
	s.View(0, func(tx *Tx) error { exact = tx.db.keys.get([]byte("l")).memory(); return nil })
	used := s.UsedMemory()
	if r := float64(used) / float64(exact); r < 0.7 || r > 1.3 {
		t.Fatalf("used memory %d for a list whose memory() is %d", used, exact)
	}
}

// BenchmarkListPushAccounting: an RPUSH to a long list must not pay for
// walking the list.
func BenchmarkListPushAccounting(b *testing.B) {
	s, _ := Open(Options{Databases: 1})
	val := [][]byte{make([]byte, 30)}
	s.Update(0, func(tx *Tx) error {
		for range 1_000_000 {
			tx.ListPush([]byte("l"), ListTail, val, false)
		}
		return nil
	})
	b.ResetTimer()
	for range b.N {
		s.Update(0, func(tx *Tx) error {
			_, err := tx.ListPush([]byte("l"), ListTail, val, false)
			return err
		})
	}
}

// TestSizeClassIsGosAllocation: for every size up to a few pages,
// sizeClass is the capacity Go's allocator gives a byte slice of that
// size (above the tiny allocator's 16 bytes).
func TestSizeClassIsGosAllocation(t *testing.T) {
	src := make([]byte, 3*maxSmallAlloc)
	for n := 17; n <= len(src); n++ {
		if got, want := sizeClass(n), cap(append([]byte(nil), src[:n]...)); got != want {
			t.Fatalf("sizeClass(%d) = %d, the allocator gives %d", n, got, want)
		}
	}
}
