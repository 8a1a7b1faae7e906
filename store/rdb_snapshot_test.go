package store_test

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/cairn-db/cairn/store"
)

// TestSnapshotRDBIsOnePointInTime: random operations of every type
// (FLUSHDB, SWAPDB, RENAME, MOVE, expiry and the active expire cycle
// among them) run between the steps of a background save, and the file
// still holds exactly the dataset of the moment the save began. The save
// leaves no hook behind: a second save, with nothing between its steps,
// holds the dataset as it is then.
func TestSnapshotRDBIsOnePointInTime(t *testing.T) {
	for seed := uint64(1); seed <= 30; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, seed))
			src, clock, apply := randomStore(t)
			run := func(n int) { apply(r, n) }
			run(2000)
			want, at := src.Dump(), clock.Now()
			steps := 0
			restore := store.SetSnapshotSteps(1+r.IntN(4), 64<<r.IntN(6), func() {
				steps++
				run(r.IntN(10))
				if r.IntN(8) == 0 {
					clock.FastForward(time.Duration(r.IntN(2000)) * time.Millisecond)
					src.ExpireCycle(100)
				}
			})
			file, keys, err := src.SnapshotRDB(store.RDBOptions{})
			restore()
			if err != nil {
				t.Fatal(err)
			}
			if steps < 10 {
				t.Fatalf("only %d steps: the operations did not interleave with the save", steps)
			}
			got, loaded := loadRDB(t, file, at)
			if got != want {
				t.Fatalf("the save is not the dataset at its start (%d steps)\nwant:\n%s\ngot:\n%s", steps, want, got)
			}
			if keys != loaded {
				t.Fatalf("SnapshotRDB reported %d keys, the file holds %d", keys, loaded)
			}
			if n := src.SnapshotHooks(); n != 0 {
				t.Fatalf("%d keyspaces still hooked after the save", n)
			}
			if err := src.CheckMemory(); err != nil {
				t.Fatal(err)
			}

			run(500)
			want, at = src.Dump(), clock.Now()
			file, _, err = src.SnapshotRDB(store.RDBOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if got, _ := loadRDB(t, file, at); got != want {
				t.Fatalf("second save differs\nwant:\n%s\ngot:\n%s", want, got)
			}
		})
	}
}

// TestSnapshotRDBWithConcurrentWrites: the same while another goroutine
// writes as fast as it can (run under the race detector in CI).
func TestSnapshotRDBWithConcurrentWrites(t *testing.T) {
	for seed := uint64(1); seed <= 10; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			src, clock, apply := randomStore(t)
			apply(rand.New(rand.NewPCG(seed, seed)), 2000)
			defer store.SetSnapshotSteps(2, 256, nil)()
			want, at := src.Dump(), clock.Now()
			snap, err := src.StartSnapshot(store.RDBOptions{})
			if err != nil {
				t.Fatal(err)
			}
			stop, done := make(chan struct{}), make(chan int)
			go func() {
				w := rand.New(rand.NewPCG(seed, 0))
				n := 0
				for ; ; n++ {
					select {
					case <-stop:
						done <- n
						return
					default:
					}
					apply(w, 1)
				}
			}()
			pieces, _, err := snap.Encode()
			close(stop)
			writes := <-done
			if err != nil {
				t.Fatal(err)
			}
			file := bytes.Join(pieces, nil)
			snap.Release()
			if got, _ := loadRDB(t, file, at); got != want {
				t.Fatalf("the save is not the dataset at its start (%d concurrent writes)\nwant:\n%s\ngot:\n%s", writes, want, got)
			}
		})
	}
}

// TestAbortSnapshot: a save FLUSHALL aborts stops at its next step, fails
// with ErrSnapshotAborted and leaves no hook behind.
func TestAbortSnapshot(t *testing.T) {
	s, err := store.Open(store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Update(0, func(tx *store.Tx) error {
		for i := range 100 {
			tx.Set([]byte(fmt.Sprint("k", i)), []byte("v"), store.SetOptions{})
		}
		return nil
	})
	snap, err := s.StartSnapshot(store.RDBOptions{})
	if err != nil {
		t.Fatal(err)
	}
	steps := 0
	defer store.SetSnapshotSteps(10, 1<<20, func() {
		steps++
		s.Update(0, func(tx *store.Tx) error {
			tx.AbortSnapshot(snap)
			tx.FlushAll()
			return nil
		})
	})()
	if _, _, err := snap.Encode(); !errors.Is(err, store.ErrSnapshotAborted) {
		t.Fatalf("SnapshotRDB = %v, want ErrSnapshotAborted", err)
	}
	if steps != 1 {
		t.Fatalf("%d steps after the abort, want 1", steps)
	}
	if n := s.SnapshotHooks(); n != 0 {
		t.Fatalf("%d keyspaces still hooked after the abort", n)
	}
}

// randomStore opens a memory store on a manual clock, and returns it
// with a function that applies n random operations of every type, drawn
// from r, in random databases.
func randomStore(t *testing.T) (*store.Store, *store.ManualClock, func(r *rand.Rand, n int)) {
	t.Helper()
	clock := store.NewManualClock(time.UnixMilli(1_700_000_000_000))
	s, err := store.Open(store.Options{Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	ops := allRandomOps()
	return s, clock, func(r *rand.Rand, n int) {
		for range n {
			s.Update(r.IntN(3), func(tx *store.Tx) error {
				ops[r.IntN(len(ops))](tx, r)
				return nil
			})
		}
	}
}

// loadRDB imports file into an empty store whose clock reads at, and
// returns its Dump and the number of keys loaded.
func loadRDB(t *testing.T, file []byte, at time.Time) (string, int) {
	t.Helper()
	s, err := store.Open(store.Options{Clock: store.NewManualClock(at)})
	if err != nil {
		t.Fatal(err)
	}
	n, err := s.ImportRDB(file, libNameFromCode)
	if err != nil {
		t.Fatal(err)
	}
	return s.Dump(), n
}
