package store_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/cairn-db/cairn/store"
)

// String and keyspace operations for the restart property test.
func init() {
	randomOps["strings"] = []randomOp{
		func(tx *store.Tx, r *rand.Rand) {
			o := store.SetOptions{}
			if r.IntN(3) == 0 {
				o.Expire = tx.Now() + int64(r.IntN(5000))
			}
			tx.Set(randomKey(r), []byte(fmt.Sprint(r.IntN(1000))), o)
		},
		func(tx *store.Tx, r *rand.Rand) { tx.Set(randomKey(r), []byte("x"), store.SetOptions{KeepTTL: true}) },
		func(tx *store.Tx, r *rand.Rand) { tx.Append(randomKey(r), []byte("-tail")) },
		func(tx *store.Tx, r *rand.Rand) { tx.IncrBy(randomKey(r), int64(r.IntN(10))) },
		func(tx *store.Tx, r *rand.Rand) { tx.IncrByFloat(randomKey(r), []byte("0.5")) },
		func(tx *store.Tx, r *rand.Rand) { tx.SetRange(randomKey(r), int64(r.IntN(8)), []byte("zz")) },
		func(tx *store.Tx, r *rand.Rand) { tx.GetDel(randomKey(r)) },
		func(tx *store.Tx, r *rand.Rand) {
			tx.MSetNX([][]byte{randomKey(r), []byte("a"), randomKey(r), []byte("b")})
		},
		func(tx *store.Tx, r *rand.Rand) {
			tx.GetEx(randomKey(r), store.GetExOptions{Expire: tx.Now() + int64(r.IntN(3000))})
		},
	}
	randomOps["keyspace"] = []randomOp{
		func(tx *store.Tx, r *rand.Rand) { tx.Del(randomKey(r)) },
		func(tx *store.Tx, r *rand.Rand) { tx.Rename(randomKey(r), randomKey(r), r.IntN(2) == 0) },
		func(tx *store.Tx, r *rand.Rand) { tx.Copy(randomKey(r), randomKey(r), r.IntN(3), r.IntN(2) == 0) },
		func(tx *store.Tx, r *rand.Rand) { tx.Move(randomKey(r), r.IntN(3)) },
		func(tx *store.Tx, r *rand.Rand) {
			tx.Expire(randomKey(r), tx.Now()+int64(r.IntN(4000))-500, store.ExpireCond(r.IntN(6)))
		},
		func(tx *store.Tx, r *rand.Rand) { tx.Persist(randomKey(r)) },
		func(tx *store.Tx, r *rand.Rand) {
			if r.IntN(20) == 0 {
				tx.SwapDB(r.IntN(3), r.IntN(3))
			}
		},
		func(tx *store.Tx, r *rand.Rand) {
			if r.IntN(50) == 0 {
				tx.FlushDB()
			}
		},
	}
}
