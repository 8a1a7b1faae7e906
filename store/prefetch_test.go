package store_test

import (
	"fmt"
	"testing"

	"github.com/cairn-db/cairn/store"
)

// TestPrefetchChangesNothing: Prefetch over present, absent and repeated
// keys, more than PrefetchMax of them, in empty and full keyspaces, leaves
// every lookup's answer as it was.
func TestPrefetchChangesNothing(t *testing.T) {
	s, err := store.Open(store.Options{Databases: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var keys [][]byte
	for i := range 2 * store.PrefetchMax {
		keys = append(keys, fmt.Appendf(nil, "k%d", i%(store.PrefetchMax+7)))
	}
	s.Update(0, func(tx *store.Tx) error {
		tx.Prefetch(keys) // empty keyspace
		tx.Prefetch(nil)
		for i := 0; i < 5000; i += 2 {
			tx.Set(fmt.Appendf(nil, "k%d", i), fmt.Appendf(nil, "v%d", i), store.SetOptions{})
		}
		return nil
	})
	s.Update(0, func(tx *store.Tx) error {
		tx.Prefetch(keys)
		for _, k := range keys {
			v, ok, err := tx.Get(k)
			var i int
			fmt.Sscanf(string(k), "k%d", &i)
			if err != nil || ok != (i%2 == 0) || (ok && string(v) != fmt.Sprintf("v%d", i)) {
				t.Errorf("after Prefetch, GET %s = %q, %v, %v", k, v, ok, err)
			}
		}
		return nil
	})
	s.View(0, func(tx *store.Tx) error {
		if n := tx.DBSize(); n != 2500 {
			t.Fatalf("DBSize %d after Prefetch, want 2500", n)
		}
		return nil
	})
}
