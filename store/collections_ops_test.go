package store_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/cairn-db/cairn/store"
)

// Hash, set and sorted-set operations for the restart property test.
// Field and member names sometimes exceed the packed-encoding limits and
// the element space is large enough that some keys convert to tables.
func init() {
	elem := func(r *rand.Rand) []byte {
		if r.IntN(50) == 0 {
			return []byte(fmt.Sprintf("long-%070d", r.IntN(10)))
		}
		return []byte(fmt.Sprintf("e%d", r.IntN(200)))
	}
	elems := func(r *rand.Rand) [][]byte {
		out := make([][]byte, 1+r.IntN(20))
		for i := range out {
			out[i] = elem(r)
		}
		return out
	}
	randomOps["hash"] = []randomOp{
		func(tx *store.Tx, r *rand.Rand) {
			var pairs [][]byte
			for _, f := range elems(r) {
				pairs = append(pairs, f, []byte(fmt.Sprint(r.IntN(100))))
			}
			tx.HSet(randomKey(r), pairs, r.IntN(4) == 0)
		},
		func(tx *store.Tx, r *rand.Rand) { tx.HDel(randomKey(r), elems(r)) },
		func(tx *store.Tx, r *rand.Rand) { tx.HIncrBy(randomKey(r), elem(r), int64(r.IntN(10))) },
		func(tx *store.Tx, r *rand.Rand) { tx.HIncrByFloat(randomKey(r), elem(r), []byte("1.5")) },
	}
	randomOps["set"] = []randomOp{
		func(tx *store.Tx, r *rand.Rand) { tx.SAdd(randomKey(r), elems(r)) },
		func(tx *store.Tx, r *rand.Rand) { tx.SRem(randomKey(r), elems(r)) },
		func(tx *store.Tx, r *rand.Rand) { tx.SPop(randomKey(r), int64(r.IntN(5))) },
		func(tx *store.Tx, r *rand.Rand) { tx.SMove(randomKey(r), randomKey(r), elem(r)) },
		func(tx *store.Tx, r *rand.Rand) {
			tx.SetOpStore(store.SetOp(r.IntN(3)), randomKey(r), [][]byte{randomKey(r), randomKey(r)})
		},
	}
	randomOps["zset"] = []randomOp{
		func(tx *store.Tx, r *rand.Rand) {
			ms := elems(r)
			scores := make([]float64, len(ms))
			for i := range scores {
				scores[i] = float64(r.IntN(20)) / 4
			}
			o := store.ZAddOptions{NX: r.IntN(5) == 0, GT: r.IntN(5) == 0}
			tx.ZAdd(randomKey(r), o, scores, ms)
		},
		func(tx *store.Tx, r *rand.Rand) {
			tx.ZAdd(randomKey(r), store.ZAddOptions{Incr: true}, []float64{1.25}, [][]byte{elem(r)})
		},
		func(tx *store.Tx, r *rand.Rand) { tx.ZRem(randomKey(r), elems(r)) },
		func(tx *store.Tx, r *rand.Rand) { tx.ZPop(randomKey(r), int64(r.IntN(4)), r.IntN(2) == 0) },
		func(tx *store.Tx, r *rand.Rand) {
			sp := store.ZRangeSpec{By: store.ByScore, Min: store.ScoreBound{Value: 1}, Max: store.ScoreBound{Value: 2, Excl: true}}
			tx.ZRemRange(randomKey(r), sp, "zremrangebyscore")
		},
		func(tx *store.Tx, r *rand.Rand) {
			sp := store.ZRangeSpec{By: store.ByRank, Start: 0, Stop: int64(r.IntN(3)), Count: -1}
			tx.ZRangeStore(randomKey(r), randomKey(r), sp)
		},
		func(tx *store.Tx, r *rand.Rand) {
			tx.ZCombineStore(store.ZCombineOp(r.IntN(3)), randomKey(r), [][]byte{randomKey(r), randomKey(r)}, nil, store.Aggregate(r.IntN(3)))
		},
	}
	randomOps["sort"] = []randomOp{
		func(tx *store.Tx, r *rand.Rand) {
			tx.Sort(randomKey(r), store.SortOptions{Alpha: true, Desc: r.IntN(2) == 0, Store: randomKey(r)})
		},
	}
}
