package store

import (
	"strings"
	"testing"
)

// TestPqsortMatchesRedis checks the port of Redis's pqsort against the
// orders the C original gives (7.0.15's pqsort.c, compiled with a harness
// that sorts these arrays) for arrays with equal keys, where the order is
// the algorithm's own. (Unlike NetBSD's qsort, Redis's has no switch to
// insertion sort when a partition made no swaps.)
func TestPqsortMatchesRedis(t *testing.T) {
	tests := []struct {
		names string
		dists []float64
		want  string // the whole array after pqsort(…, 0, 3)
	}{
		{"abcdefghij", []float64{0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, "jbcdefghia"},
		{"gabcdeijfh", []float64{11.12, 6e-5, 6e-5, 6e-5, 6e-5, 6e-5, 6e-5, 6e-5, 11.12, 157.27}, "cabjdeigfh"},
		{"gabcdeijfh", []float64{11.12, 6e-5, 6e-5, 6e-5, 6e-5, 6e-5, 6e-5, 6e-5, 11.13, 157.27}, "cabjdeigfh"},
	}
	for _, tc := range tests {
		pts := make([]GeoPoint, len(tc.dists))
		for i := range pts {
			pts[i] = GeoPoint{Member: []byte{tc.names[i]}, Dist: tc.dists[i]}
		}
		cmp := func(a, b *GeoPoint) int {
			switch {
			case a.Dist > b.Dist:
				return 1
			case a.Dist == b.Dist:
				return 0
			}
			return -1
		}
		pqsort(pts, cmp, 0, 3)
		var got strings.Builder
		for _, p := range pts {
			got.Write(p.Member)
		}
		if got.String() != tc.want {
			t.Errorf("pqsort(%s) = %s, want %s", tc.names, got.String(), tc.want)
		}
	}
}
