package store

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestKeyspaceIndex checks the open-addressing index against a map through
// random inserts and deletes, growth and shrinking, including a table
// small enough that probe runs wrap around its end.
func TestKeyspaceIndex(t *testing.T) {
	for _, n := range []int{10, 3000, 50000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			k := newKeyspace()
			model := map[string]*entry{}
			r := rand.New(rand.NewPCG(1, uint64(n)))
			check := func() {
				t.Helper()
				if k.len() != len(model) {
					t.Fatalf("len %d, model %d", k.len(), len(model))
				}
				for key, e := range model {
					if got := k.get([]byte(key)); got != e {
						t.Fatalf("get(%q) = %p, want %p", key, got, e)
					}
					if k.at(int(e.pos)) != e {
						t.Fatalf("dense[%d] is not %q", e.pos, key)
					}
				}
				if k.get([]byte("absent")) != nil {
					t.Fatal("found an absent key")
				}
			}
			for round := 0; round < 3; round++ {
				for i := 0; i < n; i++ {
					key := fmt.Sprintf("k%d", r.IntN(2*n))
					if e, ok := model[key]; ok {
						k.remove(e)
						delete(model, key)
					} else {
						model[key] = k.add([]byte(key))
					}
				}
				check()
				// Delete most keys, which shrinks the table.
				for key, e := range model {
					if r.IntN(10) > 0 {
						k.remove(e)
						delete(model, key)
					}
				}
				check()
			}
		})
	}
}
