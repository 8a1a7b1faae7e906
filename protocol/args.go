package protocol

import (
	"math"
	"strconv"
	"unsafe"

	"github.com/cairn-db/cairn/protocol/num"
)

// ParseInt parses a signed 64-bit integer argument (see num.ParseInt).
func ParseInt(b []byte) (int64, bool) { return num.ParseInt(b) }

// ParseCursor parses a SCAN cursor as Redis's strtoul-based parser does:
// an optional sign (a negative cursor wraps around, as in C), then decimal
// digits; the empty string is cursor 0; overflow is invalid.
func ParseCursor(b []byte) (uint64, bool) {
	if len(b) == 0 {
		return 0, true
	}
	neg := false
	switch b[0] {
	case '-':
		neg, b = true, b[1:]
	case '+':
		b = b[1:]
	}
	if len(b) == 0 {
		return 0, false
	}
	v, err := strconv.ParseUint(unsafeString(b), 10, 64)
	if err != nil {
		return 0, false
	}
	if neg {
		v = -v
	}
	return v, true
}

// ParseFloat parses a double argument (see num.ParseFloat).
func ParseFloat(b []byte) (float64, bool) { return num.ParseFloat(b) }

// ParseTimeout parses a blocking command's timeout in seconds (fractions
// allowed, 0 = forever) into milliseconds, with Redis's errors. Like Redis
// (ceill(t*1000) cast to long long), a value too large for the cast,
// infinity included, wraps negative and is "negative"; -0.0001 rounds to 0.
func ParseTimeout(b []byte) (ms int64, err error) {
	f, ok := ParseFloat(b)
	if !ok {
		// Redis reads a long double, whose range is wider: there 1e-400
		// is a timeout of 1 ms, and 1e4000 is too large for the cast.
		ld, ok := num.ParseLongDouble(b)
		if !ok {
			return 0, ErrTimeoutNotFloat
		}
		f, _ = ld.Float64()
		if f == 0 && ld.Sign() > 0 {
			f = math.SmallestNonzeroFloat64
		}
	}
	m := math.Ceil(f * 1000)
	if m < 0 || m >= math.MaxInt64 {
		return 0, ErrTimeoutNegative
	}
	return int64(m), nil
}

// EqualFold reports whether b equals the ASCII string s, ignoring case,
// without allocating. Option names (EX, NX, COUNT…) are matched with it.
func EqualFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := 0; i < len(b); i++ {
		c, d := b[i], s[i]
		if c == d {
			continue
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if 'A' <= d && d <= 'Z' {
			d += 'a' - 'A'
		}
		if c != d {
			return false
		}
	}
	return true
}

// Lower writes the ASCII lower-case form of b into buf and returns it, or
// returns nil when b does not fit. Command names are looked up with it, so
// the lookup does not allocate.
func Lower(buf []byte, b []byte) []byte {
	if len(b) > len(buf) {
		return nil
	}
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	return buf[:len(b)]
}

// unsafeString views b as a string for the length of a parse call; the
// string must not outlive b.
func unsafeString(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}
