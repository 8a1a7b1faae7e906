package num

import (
	"math"
	"testing"
)

// TestParseFloatsAsRedis checks both float parsers on cases checked
// against redis-server 7.0.15 (integration/testdata/diff/zsets.txt
// compares the replies): ParseFloat as string2d (scores, weights),
// ParseScoreBound as zslParseRange's bare strtod.
func TestParseFloatsAsRedis(t *testing.T) {
	type tc struct {
		in   string
		want float64
		ok   bool
	}
	for name, parser := range map[string]struct {
		parse func([]byte) (float64, bool)
		cases []tc
	}{
		"ParseFloat": {ParseFloat, []tc{
			{"1.5", 1.5, true}, {"0x10", 16, true}, {"-0x1", -1, true}, {"0x1p3", 8, true},
			{"0x.8", 0.5, true}, {"inf", math.Inf(1), true}, {"-Infinity", math.Inf(-1), true},
			{"5e-324", 5e-324, true}, {"0e-400", 0, true}, {"0x0", 0, true},
			{"1e-400", 0, false}, {"2e-324", 0, false}, {"0x1p-1080", 0, false}, // underflow to 0
			{"1e500", 0, false}, {" 1", 0, false}, {"1 ", 0, false}, {"", 0, false},
			{"0x", 0, false}, {"nan", 0, false}, {"1_0", 0, false}, {"0x1g", 0, false},
		}},
		"ParseScoreBound": {ParseScoreBound, []tc{
			{"", 0, true}, {" 5", 5, true}, {"1e500", math.Inf(1), true}, {"1e-400", 0, true},
			{"0x10", 16, true}, {"+5", 5, true},
			{"5 ", 0, false}, {" ", 0, false}, {"0x", 0, false}, {"-", 0, false}, {"nan", 0, false},
		}},
	} {
		for _, c := range parser.cases {
			got, ok := parser.parse([]byte(c.in))
			if ok != c.ok || (ok && got != c.want) {
				t.Errorf("%s(%q) = %v, %v; want %v, %v", name, c.in, got, ok, c.want, c.ok)
			}
		}
	}
}
