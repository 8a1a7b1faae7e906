package store

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

// Vectors from redis-server 7.0.15 (GEOADD, ZSCORE, GEOPOS, GEOHASH,
// GEODIST) and Redis's tests/unit/geo.tcl.
func TestGeoEncodeDecodeVectors(t *testing.T) {
	tests := []struct {
		lon, lat float64
		score    float64
		pos      [2]string // as GEOPOS prints them ("%.17Lf" trimmed)
		hash     string
	}{
		{13.361389, 38.115556, 3479099956230698, [2]string{"13.36138933897018433", "38.11555639549629859"}, "sqc8b49rny0"},
		{15.087269, 37.502669, 3479447370796909, [2]string{"15.08726745843887329", "37.50266842333162032"}, "sqdtr74hyu0"},
		{180, 85.05112878, 13510798882111488, [2]string{"180", "85.0511287799999991"}, "bp05b5048p0"},
		{-180, -85.05112878, 0, [2]string{"-179.99999731779098511", "-85.05112751263942528"}, "00bh0hbj200"},
		{0, 0, 3377699720527872, [2]string{"0.00000268220901489", "0.00000126736058093"}, "s0000000000"},
	}
	human := func(f float64) string {
		s := strconv.FormatFloat(f, 'f', 17, 64)
		for s[len(s)-1] == '0' {
			s = s[:len(s)-1]
		}
		if s[len(s)-1] == '.' {
			s = s[:len(s)-1]
		}
		return s
	}
	for _, tc := range tests {
		score, ok := GeoEncode(tc.lon, tc.lat)
		if !ok || score != tc.score {
			t.Errorf("GeoEncode(%v, %v) = %v, %v; want %v", tc.lon, tc.lat, score, ok, tc.score)
		}
		lon, lat, ok := GeoDecode(tc.score)
		if !ok || human(lon) != tc.pos[0] || human(lat) != tc.pos[1] {
			t.Errorf("GeoDecode(%v) = %s, %s; want %v", tc.score, human(lon), human(lat), tc.pos)
		}
		if h, ok := GeoHashString(tc.score); !ok || h != tc.hash {
			t.Errorf("GeoHashString(%v) = %q; want %q", tc.score, h, tc.hash)
		}
	}
}

func TestGeoEncodeLimits(t *testing.T) {
	for _, p := range [][2]float64{{180.0000001, 0}, {-180.0000001, 0}, {0, 85.06}, {0, -85.06}} {
		if _, ok := GeoEncode(p[0], p[1]); ok {
			t.Errorf("GeoEncode(%v) accepted a position outside the limits", p)
		}
	}
}

func TestGeoDistance(t *testing.T) {
	plon, plat, _ := GeoDecode(3479099956230698)
	clon, clat, _ := GeoDecode(3479447370796909)
	// GEODIST Sicily Palermo Catania: "166274.1516", and in km "166.2742".
	if got := strconv.FormatFloat(GeoDistance(plon, plat, clon, clat), 'f', 4, 64); got != "166274.1516" {
		t.Errorf("distance = %s, want 166274.1516", got)
	}
	if d := GeoDistance(plon, plat, plon, plat); d != 0 {
		t.Errorf("distance to itself = %v", d)
	}
}

func TestGeoInterleave(t *testing.T) {
	for _, v := range [][2]uint32{{0, 0}, {1, 0}, {0, 1}, {0x3ffffff, 0x1234567}, {0xffffffff, 0xffffffff}} {
		got := deinterleave64(interleave64(v[0], v[1]))
		if uint32(got) != v[0] || uint32(got>>32) != v[1] {
			t.Errorf("deinterleave(interleave(%x, %x)) = %x", v[0], v[1], got)
		}
	}
	if got := interleave64(1, 0); got != 1 {
		t.Errorf("interleave64(1, 0) = %b: the first value takes the even bits", got)
	}
}

func TestGeoNeighbors(t *testing.T) {
	// A step-2 hash (a 4×4 grid) at cell x=1, y=1: its neighbours are
	// one cell away in each direction, and the grid wraps at the edges.
	cell := func(x, y uint32) geoHash { return geoHash{bits: interleave64(y, x), step: 2} }
	n := cell(1, 1).neighbors()
	want := map[int]geoHash{
		geoNorth: cell(1, 2), geoSouth: cell(1, 0), geoEast: cell(2, 1), geoWest: cell(0, 1),
		geoNorthEast: cell(2, 2), geoNorthWest: cell(0, 2), geoSouthEast: cell(2, 0), geoSouthWest: cell(0, 0),
	}
	for i, w := range want {
		if n[i] != w {
			t.Errorf("neighbour %d = %b, want %b", i, n[i].bits, w.bits)
		}
	}
	if e := cell(3, 0).neighbors()[geoEast]; e != cell(0, 0) {
		t.Errorf("east of the last column = %b, want wrap to column 0", e.bits)
	}
	if s := cell(0, 0).neighbors()[geoSouth]; s != cell(0, 3) {
		t.Errorf("south of the first row = %b, want wrap to row 3", s.bits)
	}
}

func TestGeoEstimateSteps(t *testing.T) {
	tests := []struct {
		meters, lat float64
		want        uint8
	}{
		{0, 0, 26}, {1, 0, 24}, {1000, 0, 14}, {100000, 0, 7}, {100000, 70, 6}, {100000, 85, 5},
		{5000000, 0, 2}, {1e9, 0, 1},
	}
	for _, tc := range tests {
		if got := geoEstimateSteps(tc.meters, tc.lat); got != tc.want {
			t.Errorf("geoEstimateSteps(%v, %v) = %d, want %d", tc.meters, tc.lat, got, tc.want)
		}
	}
}

func TestGeoShapeContains(t *testing.T) {
	c := GeoShape{Lon: 15, Lat: 37, Radius: 200, Conversion: 1000}
	plon, plat, _ := GeoDecode(3479099956230698) // Palermo, ~190.44 km away
	if d, ok := c.contains(plon, plat); !ok || strconv.FormatFloat(d/1000, 'f', 4, 64) != "190.4424" {
		t.Errorf("circle: %v, %v", d, ok)
	}
	c.Radius = 190
	if _, ok := c.contains(plon, plat); ok {
		t.Error("circle of 190 km contains Palermo")
	}
	b := GeoShape{Lon: 15, Lat: 37, Box: true, Width: 400, Height: 400, Conversion: 1000}
	if _, ok := b.contains(plon, plat); !ok {
		t.Error("400 km box misses Palermo")
	}
	b.Height = 100 // Palermo is ~124 km north of the centre
	if _, ok := b.contains(plon, plat); ok {
		t.Error("100 km high box contains Palermo")
	}
}

// TestContainsShortcuts: the latitude test, and for circles the
// longitude bound, that spare the trigonometry never turn away a
// position the full test keeps, on the shape's edge (bisected to within
// an ulp along the meridian, the parallel and random directions from the
// centre) and at random.
func TestContainsShortcuts(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	full := func(s *GeoShape, lon, lat float64) bool {
		if !s.Box {
			return geoDistanceFast(s.Lon, s.Lat, lon, lat) <= s.Radius*s.Conversion
		}
		return geoDistanceFast(lon, lat, s.Lon, lat) <= s.Width*s.Conversion/2 &&
			geoDistanceFast(lon, lat, lon, s.Lat) <= s.Height*s.Conversion/2
	}
	bounded := 0
	for i := range 20000 {
		s := GeoShape{Lon: r.Float64()*360 - 180, Lat: r.Float64()*170 - 85, Conversion: []float64{1, 1000, 0.3048, 1609.34}[i%4]}
		reach := 1 + r.Float64()*200_000/s.Conversion
		s.Box = i%3 == 2
		s.Radius, s.Width, s.Height = reach, 2*reach, 2*reach
		s.boundLongitude()
		if s.maxLonGap > 0 {
			bounded++
		}
		angle := r.Float64() * 2 * math.Pi
		for _, dir := range [][2]float64{{0, 1}, {0, -1}, {1, 0}, {-1, 0}, {math.Cos(angle), math.Sin(angle)}} {
			at := func(f float64) (float64, float64) { return s.Lon + f*dir[0], s.Lat + f*dir[1] }
			// Bisect from the centre (inside) to 10° away (outside).
			lo, hi := 0.0, 10.0
			if lon, lat := at(hi); full(&s, lon, lat) {
				continue
			}
			for range 100 {
				m := (lo + hi) / 2
				if lon, lat := at(m); full(&s, lon, lat) {
					lo = m
				} else {
					hi = m
				}
			}
			for _, f := range []float64{lo, hi} {
				lon, lat := at(f)
				if _, in := s.contains(lon, lat); in != full(&s, lon, lat) {
					t.Fatalf("%+v contains (%v, %v): %v, the full test says %v", s, lon, lat, in, !in)
				}
			}
		}
		lon, lat := s.Lon+r.NormFloat64(), s.Lat+r.NormFloat64()
		if _, in := s.contains(lon, lat); in != full(&s, lon, lat) {
			t.Fatalf("%+v contains (%v, %v): %v, the full test says %v", s, lon, lat, in, !in)
		}
	}
	if bounded < 5000 {
		t.Fatalf("only %d of the shapes had a longitude bound", bounded)
	}
}
