package store_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/cairn-db/cairn/store"
)

// BenchmarkGeoSearch searches a 100k-member geo set (points spread over
// ±10°) with a 50 km radius, as GEOSEARCH … BYRADIUS 50 km does: about
// 60 members inside, with their exact distances (WITHDIST).
func BenchmarkGeoSearch(b *testing.B) {
	s, _ := store.Open(store.Options{})
	r := rand.New(rand.NewPCG(1, 1))
	const n = 100_000
	scores, members := make([]float64, n), make([][]byte, n)
	for i := range scores {
		scores[i], _ = store.GeoEncode(r.Float64()*20-10, r.Float64()*20-10)
		members[i] = fmt.Appendf(nil, "p%d", i)
	}
	s.Update(0, func(tx *store.Tx) error {
		_, err := tx.ZAdd([]byte("g"), store.ZAddOptions{}, scores, members)
		return err
	})
	found := 0
	b.ResetTimer()
	for i := range b.N {
		shape := store.GeoShape{Lon: float64(i%17) - 8, Lat: float64(i%13) - 6, Radius: 50, Conversion: 1000}
		s.View(0, func(tx *store.Tx) error {
			g, _ := tx.GeoSet([]byte("g"))
			pts := g.Search(shape, 0)
			store.ExactDistances(pts, shape, true)
			found += len(pts)
			return nil
		})
	}
	b.ReportMetric(float64(found)/float64(b.N), "members/op")
}
