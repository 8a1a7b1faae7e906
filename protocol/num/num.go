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
// strtod takes (including "inf" and exponents), but no leading space, no
// trailing bytes, no NaN and no overflow.
func ParseFloat(b []byte) (float64, bool) {
	if len(b) == 0 || isSpace(b[0]) {
		return 0, false
	}
	for _, c := range b {
		if c == '_' { // strconv takes digit separators; strtod does not
			return 0, false
		}
	}
	f, err := strconv.ParseFloat(unsafe.String(unsafe.SliceData(b), len(b)), 64)
	if err != nil || math.IsNaN(f) {
		return 0, false
	}
	return f, true
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
