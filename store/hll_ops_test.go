package store_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/cairn-db/cairn/store"
)

// HyperLogLog operations for the restart property test: adds that keep
// keys sparse and adds that make them dense, counts that write the cached
// cardinality, merges, and the odd corrupt string.
func init() {
	randomOps["hll"] = []randomOp{
		func(tx *store.Tx, r *rand.Rand) {
			n := r.IntN(4)
			if r.IntN(10) == 0 {
				n = 2000 // past hll-sparse-max-bytes: dense
			}
			elems := make([][]byte, n)
			for i := range elems {
				elems[i] = []byte(fmt.Sprint("e", r.IntN(100_000)))
			}
			tx.PFAdd(randomKey(r), elems)
		},
		func(tx *store.Tx, r *rand.Rand) { tx.PFCount([][]byte{randomKey(r)}) },
		func(tx *store.Tx, r *rand.Rand) { tx.PFCount([][]byte{randomKey(r), randomKey(r)}) },
		func(tx *store.Tx, r *rand.Rand) { tx.PFMerge([][]byte{randomKey(r), randomKey(r), randomKey(r)}) },
		func(tx *store.Tx, r *rand.Rand) {
			if r.IntN(10) == 0 { // a truncated sparse HyperLogLog
				tx.Set(randomKey(r), []byte("HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f"), store.SetOptions{})
			}
		},
	}
}
