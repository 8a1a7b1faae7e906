package store_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/cairn-db/cairn/store"
)

// randomEnd picks a list end.
func randomEnd(r *rand.Rand) store.ListEnd { return store.ListEnd(r.IntN(2) == 0) }

// randomElems returns 1-4 short values, sometimes a long one so chunks split.
func randomElems(r *rand.Rand) [][]byte {
	out := make([][]byte, 1+r.IntN(4))
	for i := range out {
		if r.IntN(50) == 0 {
			out[i] = make([]byte, 3000+r.IntN(9000))
			for j := range out[i] {
				out[i][j] = byte('a' + j%26)
			}
			continue
		}
		out[i] = []byte(fmt.Sprint("v", r.IntN(12)))
	}
	return out
}

// List operations for the restart property test.
func init() {
	randomOps["lists"] = []randomOp{
		func(tx *store.Tx, r *rand.Rand) { tx.ListPush(randomKey(r), randomEnd(r), randomElems(r), false) },
		func(tx *store.Tx, r *rand.Rand) { tx.ListPush(randomKey(r), randomEnd(r), randomElems(r), false) },
		func(tx *store.Tx, r *rand.Rand) { tx.ListPush(randomKey(r), randomEnd(r), randomElems(r), true) },
		func(tx *store.Tx, r *rand.Rand) { tx.ListPop(nil, randomKey(r), randomEnd(r), 1+r.IntN(3)) },
		func(tx *store.Tx, r *rand.Rand) {
			tx.ListSet(randomKey(r), int64(r.IntN(10)-5), []byte(fmt.Sprint("s", r.IntN(5))))
		},
		func(tx *store.Tx, r *rand.Rand) {
			tx.ListInsert(randomKey(r), r.IntN(2) == 0, []byte(fmt.Sprint("v", r.IntN(12))), []byte("ins"))
		},
		func(tx *store.Tx, r *rand.Rand) {
			tx.ListRem(randomKey(r), int64(r.IntN(5)-2), []byte(fmt.Sprint("v", r.IntN(12))))
		},
		func(tx *store.Tx, r *rand.Rand) {
			tx.ListTrim(randomKey(r), int64(r.IntN(6)-2), int64(r.IntN(12)-4))
		},
		func(tx *store.Tx, r *rand.Rand) {
			tx.ListMove(randomKey(r), randomKey(r), randomEnd(r), randomEnd(r))
		},
		func(tx *store.Tx, r *rand.Rand) {
			tx.ListMPop([][]byte{randomKey(r), randomKey(r)}, randomEnd(r), 1+r.IntN(3))
		},
	}
}
