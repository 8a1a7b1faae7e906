package store

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// bigSinCos evaluates sin and cos of x by Taylor series at 300 bits.
func bigSinCos(x float64) (sin, cos *big.Float) {
	const prec = 300
	bx := new(big.Float).SetPrec(prec).SetFloat64(x)
	x2 := new(big.Float).SetPrec(prec).Mul(bx, bx)
	sin, cos = new(big.Float).SetPrec(prec).Set(bx), new(big.Float).SetPrec(prec).SetInt64(1)
	ts, tc := new(big.Float).SetPrec(prec).Set(bx), new(big.Float).SetPrec(prec).SetInt64(1)
	for i := int64(1); i < 80; i++ {
		ts.Mul(ts, x2).Quo(ts, new(big.Float).SetInt64(-(2*i)*(2*i+1)))
		tc.Mul(tc, x2).Quo(tc, new(big.Float).SetInt64(-(2*i-1)*(2*i)))
		sin.Add(sin, ts)
		cos.Add(cos, tc)
	}
	return sin, cos
}

// TestGeoTrigCorrectlyRounded checks geoSin, geoCos and geoAsin against
// 300-bit evaluations over the haversine's argument range, where Go's
// math functions are an ulp off for a good share of arguments.
func TestGeoTrigCorrectlyRounded(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	goOff := 0
	for i := 0; i < 3000; i++ {
		x := (r.Float64()*2 - 1) * math.Pi
		s, c := bigSinCos(x)
		ws, _ := s.Float64()
		wc, _ := c.Float64()
		if got := geoSin(x); got != ws {
			t.Fatalf("geoSin(%v) = %v, want %v", x, got, ws)
		}
		if got := geoCos(x); got != wc {
			t.Fatalf("geoCos(%v) = %v, want %v", x, got, wc)
		}
		if math.Sin(x) != ws || math.Cos(x) != wc {
			goOff++
		}
		// asin: y is correctly rounded when sin(y) is nearer x than the
		// sine of either neighbour of y.
		a := r.Float64()
		y := geoAsin(a)
		dist := func(y float64) *big.Float {
			s, _ := bigSinCos(y)
			d := s.Sub(s, new(big.Float).SetFloat64(a))
			return d.Abs(d)
		}
		d := dist(y)
		for _, n := range []float64{math.Nextafter(y, 0), math.Nextafter(y, 2)} {
			if dist(n).Cmp(d) < 0 {
				t.Fatalf("geoAsin(%v) = %v, but %v is nearer", a, y, n)
			}
		}
	}
	t.Logf("Go's math.Sin/Cos differ from the correctly rounded value for %d of 3000 arguments", goOff)
}

var benchSink float64

// BenchmarkGeoDistance compares the exact (double-double) haversine with
// the one on Go's math functions, for points about 100 km apart.
func BenchmarkGeoDistance(b *testing.B) {
	for _, bc := range []struct {
		name string
		f    func(lon1, lat1, lon2, lat2 float64) float64
	}{{"exact", GeoDistance}, {"fast", geoDistanceFast}} {
		b.Run(bc.name, func(b *testing.B) {
			for i := range b.N {
				benchSink += bc.f(13.361389, 38.115556, 14+float64(i&255)*1e-3, 37.5)
			}
		})
	}
}
