package pebblestore

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"testing"

	"github.com/cockroachdb/pebble/v2"
)

// applyOp applies one operation to a model of the database.
func applyOp(m map[string]string, op *foldOp) {
	switch op.kind {
	case pebble.InternalKeyKindSet:
		m[string(op.key)] = string(op.value)
	case pebble.InternalKeyKindDelete:
		delete(m, string(op.key))
	case pebble.InternalKeyKindRangeDelete:
		for k := range m {
			if string(op.key) <= k && k < string(op.value) {
				delete(m, k)
			}
		}
	}
}

// TestWindowKeepsTheOutcome: whatever the window drops, applying what it
// sends gives the same database as applying every operation, from any
// starting state; and it does drop overwritten writes.
func TestWindowKeepsTheOutcome(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	for round := 0; round < 50; round++ {
		keys := 1 + r.IntN(3000) // few keys: many overwrites; many: index collisions
		start := map[string]string{}
		for i := 0; i < keys/2; i++ {
			start[fmt.Sprint(r.IntN(keys))] = "old"
		}
		all, sent := maps.Clone(start), maps.Clone(start)
		dropped := 0
		w := newWindow(func(op *foldOp) error {
			applyOp(sent, op)
			return nil
		})
		n := 5000
		for i := 0; i < n; i++ {
			op := foldOp{key: []byte(fmt.Sprint(r.IntN(keys))), value: []byte(fmt.Sprint(i))}
			switch x := r.IntN(20); {
			case x < 14:
				op.kind = pebble.InternalKeyKindSet
			case x < 19:
				op.kind = pebble.InternalKeyKindDelete
			default:
				op.kind = pebble.InternalKeyKindRangeDelete
				op.value = []byte(fmt.Sprint(r.IntN(keys)))
			}
			applyOp(all, &op)
			if err := w.add(op.kind, op.key, op.value); err != nil {
				t.Fatal(err)
			}
		}
		for i := range w.ring {
			if w.ring[i].dead {
				dropped++
			}
		}
		if err := w.drain(); err != nil {
			t.Fatal(err)
		}
		if !maps.Equal(all, sent) {
			t.Fatalf("round %d (%d keys): the window changed the outcome", round, keys)
		}
		if keys < 100 && dropped == 0 {
			t.Fatalf("round %d: %d keys, nothing dropped", round, keys)
		}
	}
}
