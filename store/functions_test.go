package store_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/cairn-db/cairn/store"
)

// Libraries survive a restart; FLUSHALL leaves them, and deleting or
// flushing them is durable too.
func TestLibrariesRestart(t *testing.T) {
	fs := vfs.NewMem()
	s := openPebble(t, fs, nil)
	update := func(fn func(tx *store.Tx)) {
		t.Helper()
		if err := s.Update(0, func(tx *store.Tx) error { fn(tx); return nil }); err != nil {
			t.Fatal(err)
		}
	}
	update(func(tx *store.Tx) {
		tx.SaveLibrary("a", "#!lua name=a\ncode a")
		tx.SaveLibrary("b", "#!lua name=b\ncode b")
		tx.SaveLibrary("c", "c")
		tx.Set([]byte("k"), []byte("v"), store.SetOptions{})
	})
	update(func(tx *store.Tx) {
		tx.SaveLibrary("b", "#!lua name=b\ncode b2")
		tx.DeleteLibrary("c")
		tx.FlushAll()
	})
	want := "[{a #!lua name=a\ncode a} {b #!lua name=b\ncode b2}]"
	if got := fmt.Sprint(s.Libraries()); got != want {
		t.Fatalf("before restart: %s", got)
	}
	s.Close()
	s = openPebble(t, fs, nil)
	if got := fmt.Sprint(s.Libraries()); got != want {
		t.Fatalf("after restart: %s", got)
	}
	update(func(tx *store.Tx) { tx.FlushLibraries() })
	s.Close()
	s = openPebble(t, fs, nil)
	defer s.Close()
	if got := s.Libraries(); len(got) != 0 {
		t.Fatalf("after FlushLibraries and restart: %v", got)
	}
}

// Library operations for the restart property test.
func init() {
	lib := func(r *rand.Rand) string { return fmt.Sprintf("lib%d", r.IntN(5)) }
	randomOps["functions"] = []randomOp{
		func(tx *store.Tx, r *rand.Rand) {
			name := lib(r)
			tx.SaveLibrary(name, fmt.Sprintf("#!lua name=%s\n-- v%d", name, r.IntN(100)))
		},
		func(tx *store.Tx, r *rand.Rand) { tx.DeleteLibrary(lib(r)) },
		func(tx *store.Tx, r *rand.Rand) {
			if r.IntN(20) == 0 {
				tx.FlushLibraries()
			}
		},
	}
}
