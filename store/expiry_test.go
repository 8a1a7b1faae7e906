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

// TestHoldExpiry: while expiry is held (CLIENT PAUSE) a due key reads as
// missing but stays, uncounted in expired_keys; a write that recreates it
// replaces the old entry instead of adding a second one; once released the
// next read reclaims what is left.
func TestHoldExpiry(t *testing.T) {
	clock := NewManualClock(time.UnixMilli(1000))
	s, _ := Open(Options{Clock: clock})
	s.Update(0, func(tx *Tx) error {
		tx.Set([]byte("a"), []byte("1"), SetOptions{Expire: 1500})
		tx.Set([]byte("b"), []byte("2"), SetOptions{Expire: 1500})
		return nil
	})
	s.HoldExpiry(true)
	clock.Set(time.UnixMilli(2000))
	s.Update(0, func(tx *Tx) error {
		if tx.Exists([]byte("a"), []byte("b")) != 0 {
			t.Error("due keys visible while expiry is held")
		}
		if tx.DBSize() != 2 {
			t.Errorf("DBSIZE = %d while held, want the 2 unreclaimed keys", tx.DBSize())
		}
		tx.Set([]byte("b"), []byte("new"), SetOptions{})
		return nil
	})
	if n := s.stats.ExpiredKeys.Load(); n != 1 {
		t.Errorf("expired_keys = %d after recreating one held key, want 1", n)
	}
	s.HoldExpiry(false)
	s.Update(0, func(tx *Tx) error {
		if tx.Exists([]byte("a")) != 0 || tx.DBSize() != 1 {
			t.Errorf("after release: a exists %d, DBSIZE %d", tx.Exists([]byte("a")), tx.DBSize())
		}
		if v, _, _ := tx.Get([]byte("b")); string(v) != "new" {
			t.Errorf("b = %q, want new", v)
		}
		return nil
	})
	if n := s.stats.ExpiredKeys.Load(); n != 2 {
		t.Errorf("expired_keys = %d after release, want 2", n)
	}
}
