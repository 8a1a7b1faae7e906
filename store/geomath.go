package store

import "math"

// Correctly rounded sin, cos and asin for the haversine distance. Redis
// calls glibc's, whose results are correctly rounded in all but
// vanishingly rare cases; Go's math.Sin, Cos and Asin are off by an ulp
// for a good share of arguments, which shows in full-precision STOREDIST
// scores. So these evaluate in double-double arithmetic (about 106 bits)
// and round once.

// dd is an unevaluated sum hi+lo with |lo| <= ulp(hi)/2.
type dd struct{ hi, lo float64 }

func twoSum(a, b float64) dd {
	s := a + b
	bb := s - a
	return dd{s, (a - (s - bb)) + (b - bb)}
}

func quickTwoSum(a, b float64) dd {
	s := a + b
	return dd{s, b - (s - a)}
}

func twoProd(a, b float64) dd {
	p := float64(a * b)
	return dd{p, math.FMA(a, b, -p)}
}

func ddAdd(a, b dd) dd {
	s := twoSum(a.hi, b.hi)
	t := twoSum(a.lo, b.lo)
	s.lo += t.hi
	s = quickTwoSum(s.hi, s.lo)
	s.lo += t.lo
	return quickTwoSum(s.hi, s.lo)
}

func ddNeg(a dd) dd { return dd{-a.hi, -a.lo} }

func ddMul(a, b dd) dd {
	p := twoProd(a.hi, b.hi)
	p.lo += float64(a.hi*b.lo) + float64(a.lo*b.hi)
	return quickTwoSum(p.hi, p.lo)
}

// ddDivF divides by a small integer-valued float64.
func ddDivF(a dd, b float64) dd {
	q1 := a.hi / b
	p := twoProd(q1, b)
	s := twoSum(a.hi, -p.hi)
	s.lo -= p.lo
	s.lo += a.lo
	q2 := (s.hi + s.lo) / b
	return quickTwoSum(q1, q2)
}

// π/2 as a sum of three float64s.
const (
	pio2a = 1.5707963267948966
	pio2b = 6.123233995736766e-17
	pio2c = -1.4973849048591698e-33
)

// reduce returns r = x - k·π/2 in double-double, |r| <= π/4, and k mod 4.
func reduce(x float64) (dd, int) {
	k := math.Round(x / pio2a)
	// k is small, so k·pio2a and the other products are exact.
	r := twoSum(x, -k*pio2a)
	r = ddAdd(r, dd{-k * pio2b, 0})
	r = ddAdd(r, dd{-k * pio2c, 0})
	return r, int(k) & 3
}

// seriesRecip[i] is 1/((i+1)(i+2)) in double-double: the factor from
// one Taylor term to the next (a multiplication is cheaper than ddDivF).
var seriesRecip = func() (t [32]dd) {
	for i := range t {
		t[i] = ddDivF(dd{1, 0}, float64((i+1)*(i+2)))
	}
	return t
}()

// series sums the Taylor series of sin r (odd) or cos r (even terms)
// until the terms fall below 2^-110 of the sum: a few terms for the small
// angles of nearby points, at most 14 for |r| <= π/4.
func series(r dd, odd bool) dd {
	r2 := ddNeg(ddMul(r, r))
	sum, term, n := dd{1, 0}, dd{1, 0}, 0
	if odd {
		sum, term, n = r, r, 1
	}
	for n < len(seriesRecip) {
		term = ddMul(ddMul(term, r2), seriesRecip[n])
		n += 2
		sum = ddAdd(sum, term)
		if math.Abs(term.hi) < 0x1p-110*math.Abs(sum.hi) {
			break
		}
	}
	return sum
}

// sinDD and cosDD are sin x and cos x in double-double, for |x| up to a
// few multiples of π (the haversine's arguments are at most π).
func sinDD(x float64) dd {
	r, q := reduce(x)
	switch q {
	case 1:
		return series(r, false)
	case 2:
		return ddNeg(series(r, true))
	case 3:
		return ddNeg(series(r, false))
	}
	return series(r, true)
}

func cosDD(x float64) dd {
	r, q := reduce(x)
	switch q {
	case 1:
		return ddNeg(series(r, true))
	case 2:
		return ddNeg(series(r, false))
	case 3:
		return series(r, true)
	}
	return series(r, false)
}

// geoSin is sin x correctly rounded.
func geoSin(x float64) float64 {
	if x == 0 || math.IsInf(x, 0) || math.IsNaN(x) || math.Abs(x) > 8 {
		return math.Sin(x)
	}
	s := sinDD(x)
	return s.hi + s.lo
}

// geoCos is cos x correctly rounded.
func geoCos(x float64) float64 {
	if math.IsInf(x, 0) || math.IsNaN(x) || math.Abs(x) > 8 {
		return math.Cos(x)
	}
	c := cosDD(x)
	return c.hi + c.lo
}

// geoAsin is asin x correctly rounded: one Newton step in double-double
// from math.Asin's estimate.
func geoAsin(x float64) float64 {
	y := math.Asin(x)
	if x == 0 || math.IsNaN(y) || math.Abs(x) == 1 {
		return y
	}
	s, c := sinDD(y), cosDD(y)
	f := ddAdd(s, dd{-x, 0})
	delta := (f.hi + f.lo) / (c.hi + c.lo)
	r := ddAdd(dd{y, 0}, dd{-delta, 0})
	return r.hi + r.lo
}
