package store

import (
	"math/rand/v2"
	"strconv"
	"testing"
)

// TestPrintedDistancesMatchExact: WITHDIST distances, recomputed only
// near a rounding midpoint, print as exact ones do. The points are placed
// (by bisection along a line from the centre) at distances within an ulp
// or so of a four-decimal midpoint in every unit, where the fast
// trigonometry's last bit decides the printed digit; few random ones are
// recomputed.
func TestPrintedDistancesMatchExact(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	units := []float64{1, 1000, 0.3048, 1609.34}
	for i := range 4000 {
		conv := units[i%len(units)]
		shape := GeoShape{Lon: r.Float64()*340 - 170, Lat: r.Float64()*160 - 80, Conversion: conv}
		dLon, dLat := r.NormFloat64()*r.Float64(), r.NormFloat64()*r.Float64()
		at := func(f float64) (float64, float64) { return shape.Lon + f*dLon, shape.Lat + f*dLat }
		exact := func(f float64) float64 {
			lon, lat := at(f)
			return GeoDistance(shape.Lon, shape.Lat, lon, lat) / conv * 1e4
		}
		mid := float64(int64(exact(1))) + 0.5
		lo, hi := 0.0, 1.0
		for range 80 {
			if m := (lo + hi) / 2; exact(m) < mid {
				lo = m
			} else {
				hi = m
			}
		}
		for _, f := range []float64{lo, hi} {
			lon, lat := at(f)
			pts := []GeoPoint{{Lon: lon, Lat: lat, Dist: geoDistanceFast(shape.Lon, shape.Lat, lon, lat)}}
			ExactDistances(pts, shape, true)
			got := strconv.FormatFloat(pts[0].Dist/conv, 'f', 4, 64)
			want := strconv.FormatFloat(GeoDistance(shape.Lon, shape.Lat, lon, lat)/conv, 'f', 4, 64)
			if got != want {
				t.Fatalf("distance from (%v,%v) to (%v,%v) in units of %v m prints %s, exact %s", shape.Lon, shape.Lat, lon, lat, conv, got, want)
			}
		}
	}
	recomputed := 0
	const n = 100_000
	for range n {
		shape := GeoShape{Lon: r.Float64()*340 - 170, Lat: r.Float64()*160 - 80, Conversion: 1000}
		lon, lat := shape.Lon+r.NormFloat64(), shape.Lat+r.NormFloat64()
		pts := []GeoPoint{{Lon: lon, Lat: lat, Dist: geoDistanceFast(shape.Lon, shape.Lat, lon, lat)}}
		fast := pts[0].Dist
		if ExactDistances(pts, shape, true); pts[0].Dist != fast {
			recomputed++
		}
	}
	if recomputed > n/100 {
		t.Errorf("%d of %d random distances recomputed", recomputed, n)
	}
}
