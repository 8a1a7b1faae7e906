package store

import (
	"math/big"
	"strings"
)

// Redis computes INCRBYFLOAT and HINCRBYFLOAT in C's long double (x87
// extended precision: a 64-bit mantissa) and prints the result with
// "%.17Lf" minus trailing zeros. float64 arithmetic would give different
// digits (0.1+0.2 is "0.3" in Redis), so these helpers do the same
// arithmetic with math/big at 64 bits of precision.

// longDoubleMax is the largest finite x87 extended value.
var longDoubleMax, _, _ = big.ParseFloat("1.18973149535723176502e+4932", 10, 64, big.ToNearestEven)

// parseLongDouble parses b as Redis's string2ld does: strtold syntax, no
// leading space, no trailing bytes, no NaN, no overflow.
func parseLongDouble(b []byte) (*big.Float, bool) {
	if len(b) == 0 || len(b) >= 5*1024 || b[0] == ' ' || b[0] == '\t' || b[0] == '\n' || b[0] == '\r' {
		return nil, false
	}
	s := string(b)
	if strings.ContainsRune(s, '_') {
		return nil, false
	}
	f, _, err := big.ParseFloat(s, 0, 64, big.ToNearestEven)
	if err != nil {
		if strings.EqualFold(strings.TrimLeft(s, "+-"), "infinity") {
			f = new(big.Float).SetInf(s[0] == '-')
		} else {
			return nil, false
		}
	}
	if !f.IsInf() && new(big.Float).Abs(f).Cmp(longDoubleMax) > 0 {
		return nil, false
	}
	return f, true
}

// addLongDouble returns a+b rounded to long double, and false when the
// result is infinite (Redis: "increment would produce NaN or Infinity").
func addLongDouble(a, b *big.Float) (*big.Float, bool) {
	if a.IsInf() || b.IsInf() {
		return nil, false
	}
	sum := new(big.Float).SetPrec(64).SetMode(big.ToNearestEven).Add(a, b)
	if new(big.Float).Abs(sum).Cmp(longDoubleMax) > 0 {
		return nil, false
	}
	return sum, true
}

// formatLongDouble formats f as Redis's ld2string in LD_STR_HUMAN mode.
func formatLongDouble(f *big.Float) []byte {
	s := f.Text('f', 17)
	if strings.IndexByte(s, '.') >= 0 {
		s = strings.TrimRight(s, "0")
		s = strings.TrimSuffix(s, ".")
	}
	if s == "-0" {
		s = "0"
	}
	return []byte(s)
}
