package num

import (
	"bytes"
	"math/big"
	"strings"
)

// Redis reads INCRBYFLOAT's and HINCRBYFLOAT's operands and blocking
// commands' timeouts as C long doubles (x87 extended precision: a 64-bit
// mantissa, exponents to ±16384), adds in that precision, and prints the
// result with "%.17Lf" minus trailing zeros. float64 would give other
// digits (0.1+0.2 is "0.3" in Redis) and refuse values Redis takes
// (1e400), so these helpers do the same with math/big at 64 bits.

// longDoubleMax is the largest finite x87 extended value.
var longDoubleMax, _, _ = big.ParseFloat("1.18973149535723176502e+4932", 10, 64, big.ToNearestEven)

// longDoubleHalfMin is half the smallest x87 subnormal (2^-16446): a
// value no larger rounds to 0, an underflow strtold reports.
var longDoubleHalfMin = new(big.Float).SetMantExp(big.NewFloat(1), -16446)

// ParseLongDouble parses b as Redis's string2ld does: strtold syntax, no
// leading space, no trailing bytes, no NaN, no overflow, no underflow to
// zero.
func ParseLongDouble(b []byte) (*big.Float, bool) {
	if len(b) == 0 || len(b) >= 5*1024 || isSpace(b[0]) {
		return nil, false
	}
	if u := unsigned(b); bytes.EqualFold(u, []byte("inf")) || bytes.EqualFold(u, []byte("infinity")) {
		return new(big.Float).SetInf(b[0] == '-'), true // math/big takes "inf" and "Inf" only
	}
	s, ok := goLiteral(b)
	if !ok {
		return nil, false
	}
	f, _, err := big.ParseFloat(s, 0, 64, big.ToNearestEven)
	if err != nil {
		return nil, false
	}
	abs := new(big.Float).Abs(f)
	if abs.Cmp(longDoubleMax) > 0 || f.Sign() != 0 && abs.Cmp(longDoubleHalfMin) <= 0 {
		return nil, false
	}
	return f, true
}

// AddLongDouble returns a+b rounded to long double, and false when the
// result is infinite (Redis: "increment would produce NaN or Infinity").
func AddLongDouble(a, b *big.Float) (*big.Float, bool) {
	if a.IsInf() || b.IsInf() {
		return nil, false
	}
	sum := new(big.Float).SetPrec(64).SetMode(big.ToNearestEven).Add(a, b)
	if new(big.Float).Abs(sum).Cmp(longDoubleMax) > 0 {
		return nil, false
	}
	return sum, true
}

// FormatLongDouble formats f as Redis's ld2string in LD_STR_HUMAN mode.
func FormatLongDouble(f *big.Float) []byte {
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
