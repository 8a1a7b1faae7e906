package store_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/cairn-db/cairn/store"
	"github.com/cairn-db/cairn/store/pebblestore"
)

// randomOp applies one random operation to tx. Each value type registers
// its operations in randomOps (see strings_ops_test.go), so the restart
// property below covers every type.
type randomOp func(tx *store.Tx, r *rand.Rand)

var randomOps = map[string][]randomOp{}

// allRandomOps lists every type's operations in a fixed order, so a seed
// replays the same operations (map iteration order is random).
func allRandomOps() []randomOp {
	names := make([]string, 0, len(randomOps))
	for name := range randomOps {
		names = append(names, name)
	}
	sort.Strings(names)
	var ops []randomOp
	for _, name := range names {
		ops = append(ops, randomOps[name]...)
	}
	return ops
}

// randomKey draws from a small key space so operations collide.
func randomKey(r *rand.Rand) []byte { return []byte(fmt.Sprintf("k%d", r.IntN(40))) }

// TestRestartPreservesKeyspace is the durability invariant: after random
// operations of every type, closing and reopening the Pebble engine gives
// back exactly the same keyspace. A second round of operations runs on
// the reopened store, so what load derives rather than reads (a list's
// sequence numbers, a stream's last ID) is used before the next restart.
func TestRestartPreservesKeyspace(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, seed))
			fs := vfs.NewMem()
			clock := store.NewManualClock(time.UnixMilli(1_700_000_000_000))
			s := openPebble(t, fs, clock)
			ops := allRandomOps()
			for round := 1; round <= 2; round++ {
				for i := 0; i < 1000; i++ {
					db := r.IntN(3)
					s.Update(db, func(tx *store.Tx) error {
						ops[r.IntN(len(ops))](tx, r)
						return nil
					})
					if i%500 == 0 {
						clock.FastForward(time.Duration(r.IntN(3000)) * time.Millisecond)
						s.ExpireCycle(1000)
					}
				}
				if err := s.CheckMemory(); err != nil {
					t.Fatalf("round %d, before restart: %v", round, err)
				}
				before := s.Dump()
				if err := s.Close(); err != nil {
					t.Fatal(err)
				}
				s = openPebble(t, fs, clock)
				if after := s.Dump(); after != before {
					t.Fatalf("round %d: keyspace changed across restart\nbefore:\n%s\nafter:\n%s", round, before, after)
				}
				if err := s.CheckMemory(); err != nil {
					t.Fatalf("round %d, after restart: %v", round, err)
				}
			}
			s.Close()
		})
	}
}

func openPebble(t *testing.T, fs vfs.FS, clock store.Clock) *store.Store {
	t.Helper()
	// A small fold size folds the journal into Pebble many times a test.
	eng, err := pebblestore.Open("data", pebblestore.Options{FS: fs, FoldSize: 8 << 10})
	if err != nil {
		t.Fatal(err)
	}
	s, err := store.Open(store.Options{Engine: eng, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestRestartDropsExpiredKeys: keys whose TTL passes while the store is
// closed do not come back, and their records are deleted.
func TestRestartDropsExpiredKeys(t *testing.T) {
	fs := vfs.NewMem()
	clock := store.NewManualClock(time.UnixMilli(1_700_000_000_000))
	s := openPebble(t, fs, clock)
	s.Update(0, func(tx *store.Tx) error {
		tx.Set([]byte("short"), []byte("v"), store.SetOptions{Expire: tx.Now() + 1000})
		tx.Set([]byte("long"), []byte("v"), store.SetOptions{Expire: tx.Now() + 100_000})
		tx.Set([]byte("forever"), []byte("v"), store.SetOptions{})
		return nil
	})
	s.Close()
	clock.FastForward(2 * time.Second)
	s = openPebble(t, fs, clock)
	defer s.Close()
	want := fmt.Sprintf("0 \"forever\" string 0 \"v\"\n0 \"long\" string %d \"v\"\n", 1_700_000_000_000+100_000)
	if got := s.Dump(); got != want {
		t.Fatalf("after restart:\n%s\nwant:\n%s", got, want)
	}
}

// TestOpenRefusesForeignData: a directory with records Cairn did not
// write is an error, never an empty database.
func TestOpenRefusesForeignData(t *testing.T) {
	fs := vfs.NewMem()
	writeRecords(t, fs, func(b store.Batch) { b.Set([]byte("someone else's key"), []byte("v")) })
	eng, err := pebblestore.Open("data", pebblestore.Options{FS: fs})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.Open(store.Options{Engine: eng}); err == nil {
		t.Fatal("Open accepted foreign data")
	}
	eng.Close()
}

// writeRecords commits records straight to the engine in fs, as another
// program, or an older Cairn, would have left them.
func writeRecords(t *testing.T, fs vfs.FS, fill func(b store.Batch)) {
	t.Helper()
	eng, err := pebblestore.Open("data", pebblestore.Options{FS: fs})
	if err != nil {
		t.Fatal(err)
	}
	b := eng.NewBatch()
	fill(b)
	if err := eng.Commit(b); err != nil {
		t.Fatal(err)
	}
	if err := eng.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestLoadStops: a load whose stop channel is closed gives up with
// ErrLoadInterrupted instead of reading every record.
func TestLoadStops(t *testing.T) {
	fs := vfs.NewMem()
	s := openPebble(t, fs, nil)
	s.Update(0, func(tx *store.Tx) error {
		for i := 0; i < 20_000; i++ {
			tx.Set([]byte(fmt.Sprint("k", i)), []byte("v"), store.SetOptions{})
		}
		return nil
	})
	s.Close()
	eng, err := pebblestore.Open("data", pebblestore.Options{FS: fs})
	if err != nil {
		t.Fatal(err)
	}
	u, err := store.OpenUnloaded(store.Options{Engine: eng})
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	stop := make(chan struct{})
	close(stop)
	if err := u.Load(stop); !errors.Is(err, store.ErrLoadInterrupted) {
		t.Fatalf("Load with a closed stop channel: %v", err)
	}
}
