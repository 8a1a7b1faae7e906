package protocol

import (
	"math"
	"testing"
)

func TestParseInt(t *testing.T) {
	good := map[string]int64{
		"0": 0, "1": 1, "-1": -1, "9223372036854775807": math.MaxInt64,
		"-9223372036854775808": math.MinInt64, "1234": 1234,
	}
	for in, want := range good {
		if got, ok := ParseInt([]byte(in)); !ok || got != want {
			t.Errorf("ParseInt(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	// Redis's string2ll rejects all of these.
	for _, in := range []string{"", "-", "+1", " 1", "1 ", "01", "-0", "1.5", "9223372036854775808",
		"-9223372036854775809", "99999999999999999999", "abc", "1e3", "0x10"} {
		if got, ok := ParseInt([]byte(in)); ok {
			t.Errorf("ParseInt(%q) = %d, ok; want rejected", in, got)
		}
	}
}

func TestParseFloat(t *testing.T) {
	good := map[string]float64{"1.5": 1.5, "-2": -2, "1e3": 1000, ".5": 0.5, "5.": 5, "inf": math.Inf(1),
		"-inf": math.Inf(-1), "+inf": math.Inf(1), "0": 0}
	for in, want := range good {
		if got, ok := ParseFloat([]byte(in)); !ok || got != want {
			t.Errorf("ParseFloat(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
	for _, in := range []string{"", " 1", "1 ", "nan", "NaN", "abc", "1e400", "1_000", "0x1_0p0"} {
		if got, ok := ParseFloat([]byte(in)); ok {
			t.Errorf("ParseFloat(%q) = %v, ok; want rejected", in, got)
		}
	}
}

func TestParseCursor(t *testing.T) {
	cases := map[string]uint64{"": 0, "0": 0, "42": 42, "-1": math.MaxUint64, "+5": 5,
		"18446744073709551615": math.MaxUint64}
	for in, want := range cases {
		if got, ok := ParseCursor([]byte(in)); !ok || got != want {
			t.Errorf("ParseCursor(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"-", "abc", " 1", "18446744073709551616", "1.5"} {
		if _, ok := ParseCursor([]byte(in)); ok {
			t.Errorf("ParseCursor(%q) accepted", in)
		}
	}
}

func TestParseTimeout(t *testing.T) {
	for in, want := range map[string]int64{"0": 0, "1": 1000, "0.1": 100, "1.5": 1500, "0.0001": 1, "-0.0001": 0,
		"1e-400": 1, "-1e-400": 0, "0x1p-16000": 1} { // beyond a double, within a long double
		if got, err := ParseTimeout([]byte(in)); err != nil || got != want {
			t.Errorf("ParseTimeout(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"-1", "inf", "-inf", "1e308", "9223372036854775807", "1e4932", "-1e4000"} {
		if _, err := ParseTimeout([]byte(in)); err != ErrTimeoutNegative {
			t.Errorf("ParseTimeout(%q) err = %v", in, err)
		}
	}
	for _, in := range []string{"abc", "nan", " 1", "", "1e-5000", "1e4933", "0b1", "0o7"} {
		if _, err := ParseTimeout([]byte(in)); err != ErrTimeoutNotFloat {
			t.Errorf("ParseTimeout(%q) err = %v", in, err)
		}
	}
}

func TestExpireAt(t *testing.T) {
	const now = 1_000_000
	cases := []struct {
		unit ExpireUnit
		arg  string
		want int64
		err  error
	}{
		{UnitEX, "10", now + 10_000, nil},
		{UnitPX, "10", now + 10, nil},
		{UnitEXAT, "10", 10_000, nil},
		{UnitPXAT, "10", 10, nil},
		{UnitEX, "0", 0, ErrInvalidExpire("set")},
		{UnitPX, "-1", 0, ErrInvalidExpire("set")},
		{UnitEX, "9223372036854775807", 0, ErrInvalidExpire("set")},
		{UnitPX, "9223372036854775807", 0, ErrInvalidExpire("set")},
		{UnitEX, "x", 0, ErrNotInteger},
	}
	for _, c := range cases {
		got, err := ExpireAt(c.unit, []byte(c.arg), now, "set")
		if got != c.want || err != c.err {
			t.Errorf("ExpireAt(%d, %q) = %d, %v; want %d, %v", c.unit, c.arg, got, err, c.want, c.err)
		}
	}
}

func TestErrUnknownCommand(t *testing.T) {
	args := [][]byte{[]byte("foo"), []byte("a\r\nb"), []byte("c")}
	want := "ERR unknown command 'foo', with args beginning with: 'a  b' 'c' "
	if got := string(ErrUnknownCommand(args)); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	long := make([]byte, 300)
	for i := range long {
		long[i] = 'x'
	}
	got := string(ErrUnknownCommand([][]byte{long, long, long}))
	if len(got) > 400 {
		t.Errorf("unknown-command error not truncated: %d bytes", len(got))
	}
}
