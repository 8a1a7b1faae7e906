package store_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/cairn-db/cairn/store"
)

// Geo operations for the restart property test: GEOADD's scores and
// GEOSEARCHSTORE's stored results must survive a restart like any
// sorted set's.
func init() {
	randomOps["geo"] = []randomOp{
		func(tx *store.Tx, r *rand.Rand) {
			n := 1 + r.IntN(10)
			scores, members := make([]float64, n), make([][]byte, n)
			for i := range scores {
				scores[i], _ = store.GeoEncode(r.Float64()*360-180, r.Float64()*170-85)
				members[i] = []byte(fmt.Sprintf("p%d", r.IntN(100)))
			}
			tx.ZAdd(randomKey(r), store.ZAddOptions{CH: true}, scores, members)
		},
		func(tx *store.Tx, r *rand.Rand) {
			g, err := tx.GeoSet(randomKey(r))
			if err != nil {
				return
			}
			shape := store.GeoShape{Lon: r.Float64()*360 - 180, Lat: r.Float64()*170 - 85,
				Radius: float64(r.IntN(5000)), Box: r.IntN(2) == 0, Width: 3000, Height: 2000, Conversion: 1000}
			pts := g.Search(shape, r.IntN(3))
			tx.GeoStore(randomKey(r), pts, r.IntN(2) == 0, 1000, "geosearchstore")
		},
	}
}
