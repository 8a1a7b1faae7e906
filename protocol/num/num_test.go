package num

import (
	"math"
	"testing"
)

// Cases checked against redis-server 7.0.15 (see also the diff script
// integration/testdata/diff/zsets.txt, which compares the replies).
func TestParseFloatAsString2d(t *testing.T) {
	for _, c := range []struct {
		in   string
		want float64
		ok   bool
	}{
		{"1.5", 1.5, true}, {"0x10", 16, true}, {"-0x1", -1, true}, {"0x1p3", 8, true},
		{"0x.8", 0.5, true}, {"inf", math.Inf(1), true}, {"-Infinity", math.Inf(-1), true},
		{"5e-324", 5e-324, true}, {"0e-400", 0, true}, {"0x0", 0, true},
		{"1e-400", 0, false}, {"2e-324", 0, false}, {"0x1p-1080", 0, false}, // underflow to 0
		{"1e500", 0, false}, {" 1", 0, false}, {"1 ", 0, false}, {"", 0, false},
		{"0x", 0, false}, {"nan", 0, false}, {"1_0", 0, false}, {"0x1g", 0, false},
	} {
		got, ok := ParseFloat([]byte(c.in))
		if ok != c.ok || (ok && got != c.want) {
			t.Errorf("ParseFloat(%q) = %v, %v; want %v, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestParseScoreBoundAsStrtod(t *testing.T) {
	for _, c := range []struct {
		in   string
		want float64
		ok   bool
	}{
		{"", 0, true}, {" 5", 5, true}, {"1e500", math.Inf(1), true}, {"1e-400", 0, true},
		{"0x10", 16, true}, {"+5", 5, true},
		{"5 ", 0, false}, {" ", 0, false}, {"0x", 0, false}, {"-", 0, false}, {"nan", 0, false},
	} {
		got, ok := ParseScoreBound([]byte(c.in))
		if ok != c.ok || (ok && got != c.want) {
			t.Errorf("ParseScoreBound(%q) = %v, %v; want %v, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}
