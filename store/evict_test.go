package store_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/cairn-db/cairn/store"
)

// fill sets n keys "prefix:i" to 100-byte values, with a TTL when ttl is
// set, in one transaction.
func fill(t *testing.T, s *store.Store, prefix string, n int, ttl bool) {
	t.Helper()
	val := make([]byte, 100)
	s.Update(0, func(tx *store.Tx) error {
		for i := range n {
			o := store.SetOptions{}
			if ttl {
				o.Expire = tx.Now() + int64(1000+i)*1000
			}
			tx.Set(fmt.Appendf(nil, "%s:%d", prefix, i), val, o)
		}
		return nil
	})
}

func exists(s *store.Store, key string) bool {
	var n int
	s.View(0, func(tx *store.Tx) error { n = tx.Exists([]byte(key)); return nil })
	return n == 1
}

func evict(s *store.Store) error {
	return s.Update(0, func(tx *store.Tx) error { return tx.Evict() })
}

func TestEvictNoEvictionIsOOM(t *testing.T) {
	s, _ := store.Open(store.Options{})
	fill(t, s, "k", 100, false)
	s.SetEviction(store.Eviction{MaxMemory: s.UsedMemory() / 2, Policy: store.NoEviction})
	if err := evict(s); !errors.Is(err, store.ErrOOM) {
		t.Fatalf("Evict under noeviction = %v, want ErrOOM", err)
	}
	if got := s.Stats().EvictedKeys.Load(); got != 0 {
		t.Fatalf("evicted %d keys under noeviction", got)
	}
}

func TestEvictStaysUnderMaxMemory(t *testing.T) {
	for _, p := range []store.EvictionPolicy{store.AllKeysLRU, store.AllKeysLFU, store.AllKeysRandom} {
		t.Run(p.String(), func(t *testing.T) {
			s, _ := store.Open(store.Options{})
			fill(t, s, "k", 1000, false)
			max := s.UsedMemory() / 4
			s.SetEviction(store.Eviction{MaxMemory: max, Policy: p})
			if err := evict(s); err != nil {
				t.Fatal(err)
			}
			if used := s.UsedMemory(); used > max {
				t.Fatalf("used %d after eviction, over maxmemory %d", used, max)
			}
			if n := s.Stats().EvictedKeys.Load(); n < 700 || n > 800 {
				t.Fatalf("evicted %d of 1000 keys to free three quarters of memory", n)
			}
			if err := s.CheckMemory(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestEvictLRUKeepsRecentlyRead: keys read after the others were written
// survive an eviction that removes half the keys.
func TestEvictLRUKeepsRecentlyRead(t *testing.T) {
	clock := store.NewManualClock(time.UnixMilli(1_700_000_000_000))
	s, _ := store.Open(store.Options{Clock: clock})
	fill(t, s, "k", 1000, false)
	clock.FastForward(100 * time.Second)
	s.View(0, func(tx *store.Tx) error {
		for i := range 100 {
			tx.Get(fmt.Appendf(nil, "k:%d", i))
		}
		return nil
	})
	clock.FastForward(10 * time.Second)
	s.SetEviction(store.Eviction{MaxMemory: s.UsedMemory() / 2, Policy: store.AllKeysLRU, Samples: 10})
	if err := evict(s); err != nil {
		t.Fatal(err)
	}
	for i := range 100 {
		if !exists(s, fmt.Sprintf("k:%d", i)) {
			t.Fatalf("k:%d was read recently but was evicted", i)
		}
	}
}

// TestEvictLFUKeepsFrequentlyRead: keys read many times survive; OBJECT
// FREQ reports their higher counter.
func TestEvictLFUKeepsFrequentlyRead(t *testing.T) {
	// A manual clock: on the real one a minute boundary between the fill
	// and the check decays the cold key's counter (lfu-decay-time 1).
	s, _ := store.Open(store.Options{Clock: store.NewManualClock(time.UnixMilli(1_700_000_000_000))})
	s.SetEviction(store.Eviction{Policy: store.AllKeysLFU, LFULogFactor: 10, LFUDecayTime: 1, Samples: 10})
	fill(t, s, "k", 1000, false)
	s.View(0, func(tx *store.Tx) error {
		for range 50 {
			for i := range 100 {
				tx.Get(fmt.Appendf(nil, "k:%d", i))
			}
		}
		return nil
	})
	s.View(0, func(tx *store.Tx) error {
		hot, _ := tx.Object([]byte("k:1"))
		cold, _ := tx.Object([]byte("k:500"))
		if cold.Freq != 5 || hot.Freq <= cold.Freq {
			t.Fatalf("OBJECT FREQ hot %d, cold %d; want cold 5 (the initial value) and hot higher", hot.Freq, cold.Freq)
		}
		return nil
	})
	s.SetEviction(store.Eviction{MaxMemory: s.UsedMemory() / 2, Policy: store.AllKeysLFU, LFULogFactor: 10, LFUDecayTime: 1, Samples: 10})
	if err := evict(s); err != nil {
		t.Fatal(err)
	}
	for i := range 100 {
		if !exists(s, fmt.Sprintf("k:%d", i)) {
			t.Fatalf("k:%d was read often but was evicted", i)
		}
	}
}

// TestLFUDecay: the counter loses one per lfu-decay-time minutes idle.
func TestLFUDecay(t *testing.T) {
	clock := store.NewManualClock(time.UnixMilli(1_700_000_000_000))
	s, _ := store.Open(store.Options{Clock: clock})
	s.SetEviction(store.Eviction{Policy: store.AllKeysLFU, LFULogFactor: 10, LFUDecayTime: 2})
	fill(t, s, "k", 1, false)
	freq := func() int {
		var f int
		s.View(0, func(tx *store.Tx) error { o, _ := tx.Object([]byte("k:0")); f = o.Freq; return nil })
		return f
	}
	if f := freq(); f != 5 {
		t.Fatalf("new key freq %d, want 5", f)
	}
	clock.FastForward(4 * time.Minute)
	if f := freq(); f != 3 {
		t.Fatalf("freq after 4 idle minutes with decay 2: %d, want 3", f)
	}
}

// TestEvictVolatileOnlyTouchesTTLKeys: volatile policies never evict a key
// without a TTL, and are OOM once no TTL key is left.
func TestEvictVolatileOnlyTouchesTTLKeys(t *testing.T) {
	for _, p := range []store.EvictionPolicy{store.VolatileLRU, store.VolatileLFU, store.VolatileRandom, store.VolatileTTL} {
		t.Run(p.String(), func(t *testing.T) {
			s, _ := store.Open(store.Options{})
			fill(t, s, "keep", 500, false)
			fill(t, s, "ttl", 500, true)
			s.SetEviction(store.Eviction{MaxMemory: s.UsedMemory() * 3 / 4, Policy: p})
			if err := evict(s); err != nil {
				t.Fatal(err)
			}
			for i := range 500 {
				if !exists(s, fmt.Sprintf("keep:%d", i)) {
					t.Fatalf("keep:%d has no TTL but was evicted", i)
				}
			}
			s.SetEviction(store.Eviction{MaxMemory: s.UsedMemory() / 4, Policy: p})
			if err := evict(s); !errors.Is(err, store.ErrOOM) {
				t.Fatalf("Evict with only non-TTL keys left = %v, want ErrOOM", err)
			}
			if n := s.Stats().EvictedKeys.Load(); n != 500 {
				t.Fatalf("evicted %d keys, want the 500 with a TTL", n)
			}
		})
	}
}

// TestEvictVolatileTTLPicksSoonest: volatile-ttl evicts the keys closest
// to expiring first (approximately: from a sampled pool).
func TestEvictVolatileTTLPicksSoonest(t *testing.T) {
	s, _ := store.Open(store.Options{})
	fill(t, s, "ttl", 1000, true) // ttl:i expires after 1000+i seconds
	s.SetEviction(store.Eviction{MaxMemory: s.UsedMemory() / 2, Policy: store.VolatileTTL, Samples: 10})
	if err := evict(s); err != nil {
		t.Fatal(err)
	}
	for i := 900; i < 1000; i++ {
		if !exists(s, fmt.Sprintf("ttl:%d", i)) {
			t.Fatalf("ttl:%d expires last but was evicted", i)
		}
	}
}

// TestEvictionPersists: evicted keys are deleted on disk too, and the
// accounting survives random operations with eviction between them.
func TestEvictionPersists(t *testing.T) {
	fs := vfs.NewMem()
	clock := store.NewManualClock(time.UnixMilli(1_700_000_000_000))
	s := openPebble(t, fs, clock)
	r := rand.New(rand.NewPCG(7, 7))
	ops := allRandomOps()
	fill(t, s, "bulk", 2000, false)
	s.SetEviction(store.Eviction{MaxMemory: s.UsedMemory() / 3, Policy: store.AllKeysLRU})
	for i := 0; i < 2000; i++ {
		s.Update(r.IntN(3), func(tx *store.Tx) error {
			if err := tx.Evict(); err != nil {
				t.Fatal(err)
			}
			ops[r.IntN(len(ops))](tx, r)
			return nil
		})
	}
	if s.Stats().EvictedKeys.Load() == 0 {
		t.Fatal("nothing was evicted")
	}
	if err := s.CheckMemory(); err != nil {
		t.Fatal(err)
	}
	before := s.Dump()
	s.Close()
	s2 := openPebble(t, fs, clock)
	defer s2.Close()
	if after := s2.Dump(); after != before {
		t.Fatalf("keyspace changed across restart\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

// TestEvictTimedReportsEachDeletion: EvictTimed times every evicted key's
// deletion (the latency monitor's eviction-del), and ExpireCycleTimed the
// time a cycle held the lock.
func TestEvictTimedReportsEachDeletion(t *testing.T) {
	s, _ := store.Open(store.Options{})
	fill(t, s, "k", 1000, false)
	s.SetEviction(store.Eviction{MaxMemory: s.UsedMemory() / 2, Policy: store.AllKeysRandom})
	var calls int64
	s.Update(0, func(tx *store.Tx) error {
		return tx.EvictTimed(func(d time.Duration) {
			if d < 0 {
				t.Errorf("negative deletion time %v", d)
			}
			calls++
		})
	})
	if n := s.Stats().EvictedKeys.Load(); calls != n || n == 0 {
		t.Fatalf("%d deletions timed, %d keys evicted", calls, n)
	}
	if more, held := s.ExpireCycleTimed(10); more || held < 0 {
		t.Fatalf("ExpireCycleTimed = %v, %v", more, held)
	}
}
