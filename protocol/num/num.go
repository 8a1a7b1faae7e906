// Package num parses and formats numbers exactly as Redis does. Arguments
// (parsed by protocol) and stored values (parsed by store, for INCR and
// friends) follow the same rules, so both use this package.
package num

import (
	"math"
	"strconv"
	"unsafe"
)

// ParseInt parses a signed 64-bit integer the way Redis's string2ll does:
// optional '-', then digits with no leading zero, nothing else (no '+', no
// spaces). It does not allocate.
func ParseInt(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 20 {
		return 0, false
	}
	if len(b) == 1 && b[0] == '0' {
		return 0, true
	}
	neg := b[0] == '-'
	if neg {
		b = b[1:]
		if len(b) == 0 {
			return 0, false
		}
	}
	if b[0] < '1' || b[0] > '9' {
		return 0, false
	}
	var v uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if v > (math.MaxUint64-d)/10 {
			return 0, false
		}
		v = v*10 + d
	}
	if neg {
		if v > 1<<63 {
			return 0, false
		}
		return -int64(v), true
	}
	if v > math.MaxInt64 {
		return 0, false
	}
	return int64(v), true
}

// ParseFloat parses a double the way Redis's string2d does: anything
// strtod takes (including "inf", exponents and hex), but no leading
// space, no trailing bytes, no NaN, and no overflow or underflow to zero.
func ParseFloat(b []byte) (float64, bool) {
	if len(b) == 0 || isSpace(b[0]) {
		return 0, false
	}
	f, outOfRange, ok := strtod(b)
	if !ok || math.IsNaN(f) || outOfRange {
		return 0, false
	}
	return f, true
}

// ParseScoreBound parses a sorted-set range bound (after any '(') as
// Redis's zslParseRange does, with strtod alone: leading spaces are
// skipped, an overflow is an infinity, an underflow 0, and the empty
// string is 0 (strtod converts nothing and stops at its end).
func ParseScoreBound(b []byte) (float64, bool) {
	if len(b) == 0 {
		return 0, true
	}
	i := 0
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	if i == len(b) {
		return 0, false // strtod stopped at the first space
	}
	f, _, ok := strtod(b[i:])
	if !ok || math.IsNaN(f) {
		return 0, false
	}
	return f, true
}

// strtod parses all of b as C's strtod would, and reports whether the
// result is out of range (strtod's ERANGE: an infinity from finite
// digits, or 0 from nonzero ones). Go's parser differs from C's in two
// ways handled here: a hex mantissa needs no "p" exponent in C, and Go
// takes digit separators.
func strtod(b []byte) (f float64, outOfRange, ok bool) {
	s, ok := goLiteral(b)
	if !ok {
		return 0, false, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		if ne, isNum := err.(*strconv.NumError); isNum && ne.Err == strconv.ErrRange {
			return f, true, true // ±Inf
		}
		return 0, false, false
	}
	if f == 0 && nonzeroMantissa(unsigned(b)) {
		return f, true, true
	}
	return f, false, true
}

// goLiteral returns b as a literal Go's float parsers read as C's strtod
// and strtold read it, or false for what only Go's take: a digit
// separator, a 0b or 0o prefix. C takes a hex mantissa without its "p"
// exponent, Go does not, so one is added; otherwise the string shares
// b's bytes (the parsers keep nothing of it).
func goLiteral(b []byte) (string, bool) {
	digits := unsigned(b)
	if len(digits) > 1 && digits[0] == '0' {
		switch digits[1] {
		case 'b', 'B', 'o', 'O':
			return "", false
		}
	}
	hex := hexPrefix(digits)
	for _, c := range b {
		if c == '_' {
			return "", false
		}
		if hex && (c == 'p' || c == 'P') {
			hex = false // has its exponent
		}
	}
	s := unsafe.String(unsafe.SliceData(b), len(b))
	if hex {
		s += "p0"
	}
	return s, true
}

// unsigned is b without its sign.
func unsigned(b []byte) []byte {
	if len(b) > 0 && (b[0] == '+' || b[0] == '-') {
		return b[1:]
	}
	return b
}

// nonzeroMantissa reports whether the number's digits before its
// exponent are not all zero.
func nonzeroMantissa(b []byte) bool {
	hex := hexPrefix(b)
	if hex {
		b = b[2:]
	}
	for _, c := range b {
		switch {
		case c == 'p' || c == 'P' || (!hex && (c == 'e' || c == 'E')):
			return false
		case c >= '1' && c <= '9', hex && (c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'):
			return true
		}
	}
	return false
}

// hexPrefix reports whether b starts "0x" or "0X" and has more after it.
func hexPrefix(b []byte) bool {
	return len(b) > 2 && b[0] == '0' && (b[1] == 'x' || b[1] == 'X')
}

// AppendFloat formats f as Redis 7.0 formats a double reply: "%.17g", with
// inf and -inf spelled out.
func AppendFloat(b []byte, f float64) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(b, "inf"...)
	case math.IsInf(f, -1):
		return append(b, "-inf"...)
	}
	return strconv.AppendFloat(b, f, 'g', 17, 64)
}

func isSpace(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\v', '\f', '\r':
		return true
	}
	return false
}
