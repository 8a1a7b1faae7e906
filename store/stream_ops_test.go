package store_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/cairn-db/cairn/store"
)

// Stream operations for the restart property test: entries, deletions,
// trims, groups, deliveries, acks, claims and consumer changes.
func init() {
	group := func(r *rand.Rand) []byte { return []byte(fmt.Sprintf("g%d", r.IntN(3))) }
	consumer := func(r *rand.Rand) []byte { return []byte(fmt.Sprintf("c%d", r.IntN(3))) }
	someID := func(r *rand.Rand) store.StreamID {
		return store.StreamID{Ms: uint64(1_700_000_000_000 + r.IntN(20_000)), Seq: uint64(r.IntN(3))}
	}
	randomOps["streams"] = []randomOp{
		func(tx *store.Tx, r *rand.Rand) {
			for n := r.IntN(5) + 1; n > 0; n-- {
				tx.XAdd(randomKey(r), store.XAddArgs{AutoID: true, Fields: [][]byte{[]byte("f"), []byte(fmt.Sprint(r.IntN(100)))}})
			}
		},
		func(tx *store.Tx, r *rand.Rand) {
			tx.XAdd(randomKey(r), store.XAddArgs{ID: someID(r), Fields: [][]byte{[]byte("a"), []byte("b"), []byte("c"), []byte("")}})
		},
		func(tx *store.Tx, r *rand.Rand) {
			tx.XAdd(randomKey(r), store.XAddArgs{AutoID: true, Fields: [][]byte{[]byte("x"), []byte("y")},
				Trim: store.TrimArgs{Strategy: store.TrimMaxLen, MaxLen: int64(r.IntN(4)), Approx: r.IntN(2) == 0}})
		},
		func(tx *store.Tx, r *rand.Rand) {
			tx.XTrim(randomKey(r), store.TrimArgs{Strategy: store.TrimMinID, MinID: someID(r)})
		},
		func(tx *store.Tx, r *rand.Rand) {
			k := randomKey(r)
			es, _ := tx.XRange(k, store.StreamID{}, store.MaxStreamID, 0, false)
			if len(es) > 0 {
				tx.XDel(k, []store.StreamID{es[r.IntN(len(es))].ID, someID(r)})
			}
		},
		func(tx *store.Tx, r *rand.Rand) {
			tx.XGroupCreate(randomKey(r), group(r), store.GroupStart{Last: r.IntN(2) == 0, EntriesRead: -1}, r.IntN(2) == 0)
		},
		func(tx *store.Tx, r *rand.Rand) {
			tx.XReadGroup(randomKey(r), store.XReadGroupArgs{Group: group(r), Consumer: consumer(r), New: true, Count: r.IntN(3), NoAck: r.IntN(5) == 0})
		},
		func(tx *store.Tx, r *rand.Rand) {
			tx.XReadGroup(randomKey(r), store.XReadGroupArgs{Group: group(r), Consumer: consumer(r)})
		},
		func(tx *store.Tx, r *rand.Rand) {
			k, g := randomKey(r), group(r)
			ps, _ := tx.XPendingRange(k, g, store.XPendingArgs{End: store.MaxStreamID, Count: 10})
			if len(ps) > 0 {
				tx.XAck(k, g, []store.StreamID{ps[r.IntN(len(ps))].ID})
			}
		},
		func(tx *store.Tx, r *rand.Rand) {
			k, g := randomKey(r), group(r)
			ps, _ := tx.XPendingRange(k, g, store.XPendingArgs{End: store.MaxStreamID, Count: 10})
			if len(ps) > 0 {
				tx.XClaim(k, g, consumer(r), store.XClaimArgs{IDs: []store.StreamID{ps[0].ID, someID(r)}, DeliveryTime: -1, RetryCount: -1, Force: r.IntN(2) == 0})
			}
		},
		func(tx *store.Tx, r *rand.Rand) {
			tx.XAutoClaim(randomKey(r), group(r), consumer(r), int64(r.IntN(2000)), store.StreamID{}, r.IntN(3)+1, r.IntN(2) == 0)
		},
		func(tx *store.Tx, r *rand.Rand) { tx.XGroupCreateConsumer(randomKey(r), group(r), consumer(r)) },
		func(tx *store.Tx, r *rand.Rand) { tx.XGroupDelConsumer(randomKey(r), group(r), consumer(r)) },
		func(tx *store.Tx, r *rand.Rand) {
			tx.XGroupSetID(randomKey(r), group(r), store.GroupStart{ID: someID(r), EntriesRead: int64(r.IntN(3)) - 1})
		},
		func(tx *store.Tx, r *rand.Rand) {
			if r.IntN(4) == 0 {
				tx.XGroupDestroy(randomKey(r), group(r))
			}
		},
		func(tx *store.Tx, r *rand.Rand) {
			k := randomKey(r)
			if last, err := tx.XLastID(k); err == nil {
				next, _ := last.Next()
				tx.XSetID(k, store.XSetIDArgs{LastID: next, EntriesAdded: -1})
			}
		},
	}
}
