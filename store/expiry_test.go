package store

import (
	"math/rand/v2"
	"sort"
	"testing"
	"time"
)

// TestExpiryHeapOrder: the active cycle removes keys in deadline order,
// once they are due and not before, however TTLs were set, extended (which
// leaves the heap slot early), shortened and removed.
func TestExpiryHeapOrder(t *testing.T) {
	clock := NewManualClock(time.UnixMilli(0))
	s, _ := Open(Options{Clock: clock})
	r := rand.New(rand.NewPCG(1, 2))
	want := map[string]int64{}
	s.Update(0, func(tx *Tx) error {
		for i := 0; i < 2000; i++ {
			k := []byte{byte('a' + r.IntN(26)), byte('a' + r.IntN(26))}
			switch r.IntN(4) {
			case 0:
				tx.Persist(k)
				if _, ok := want[string(k)]; ok {
					want[string(k)] = 0
				}
			default:
				at := int64(1 + r.IntN(10000))
				tx.Set(k, []byte("v"), SetOptions{Expire: at})
				want[string(k)] = at
			}
		}
		return nil
	})
	var deadlines []int64
	for _, at := range want {
		if at != 0 {
			deadlines = append(deadlines, at)
		}
	}
	sort.Slice(deadlines, func(i, j int) bool { return deadlines[i] < deadlines[j] })
	for _, at := range deadlines {
		clock.Set(time.UnixMilli(at - 1))
		s.ExpireCycle(1 << 30)
		s.View(0, func(tx *Tx) error {
			for k, kat := range want {
				present := tx.db.keys.get([]byte(k)) != nil
				if kat >= at && !present {
					t.Fatalf("key %s (due %d) deleted at %d", k, kat, at-1)
				}
				if kat != 0 && kat < at && present {
					t.Fatalf("key %s (due %d) still there at %d", k, kat, at-1)
				}
			}
			return nil
		})
	}
	clock.Set(time.UnixMilli(20000))
	s.ExpireCycle(1 << 30)
	s.View(0, func(tx *Tx) error {
		for k, at := range want {
			present := tx.db.keys.get([]byte(k)) != nil
			if present != (at == 0) {
				t.Fatalf("key %s (due %d): present=%v after all deadlines", k, at, present)
			}
		}
		if len(tx.db.expires) != 0 {
			t.Fatalf("%d entries left in expiry heap", len(tx.db.expires))
		}
		return nil
	})
}
