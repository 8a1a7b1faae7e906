package num

import (
	"math"
	"math/big"
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

// TestParseLongDoubleAsRedis checks ParseLongDouble against string2ld on
// x86-64 (an 80-bit long double): cases checked against redis-server
// 7.0.15 with INCRBYFLOAT and BLPOP's timeout (integration/testdata/diff/
// strings.txt and lists.txt compare the replies).
func TestParseLongDoubleAsRedis(t *testing.T) {
	for in, want := range map[string]string{
		"1.5": "1.5", "1e400": "1e+400", "-1e-400": "-1e-400", "1e-4950": "1e-4950", "0e-9999": "0",
		"0x10": "16", "0x1.8": "1.5", "-0X1P-3": "-0.125", "inf": "+Inf", "INF": "+Inf", "-Infinity": "-Inf",
		"+.5": "0.5", "5.": "5", "1.18973149535723176502e+4932": "1.189731495357231765e+4932",
	} {
		f, ok := ParseLongDouble([]byte(in))
		if !ok || f.Text('g', 19) != want {
			var got string
			if ok {
				got = f.Text('g', 19)
			}
			t.Errorf("ParseLongDouble(%q) = %s, %v; want %s", in, got, ok, want)
		}
	}
	for _, in := range []string{"", " 1", "\v1", "1 ", "nan", "1e-5000", "1e4933", "-1e4933",
		"0b1", "0o7", "1_0", "0x", "1e", "abc"} {
		if f, ok := ParseLongDouble([]byte(in)); ok {
			t.Errorf("ParseLongDouble(%q) = %s, want a refusal", in, f.Text('g', 19))
		}
	}
	sum, ok := AddLongDouble(mustLongDouble(t, "0.1"), mustLongDouble(t, "0.2"))
	if !ok || string(FormatLongDouble(sum)) != "0.3" {
		t.Errorf("0.1 + 0.2 = %s, %v; Redis says 0.3", FormatLongDouble(sum), ok)
	}
	if _, ok := AddLongDouble(mustLongDouble(t, "1e4932"), mustLongDouble(t, "1e4932")); ok {
		t.Error("1e4932 + 1e4932 overflows a long double, but the sum was taken")
	}
}

func mustLongDouble(t *testing.T, s string) *big.Float {
	t.Helper()
	f, ok := ParseLongDouble([]byte(s))
	if !ok {
		t.Fatalf("ParseLongDouble(%q) refused", s)
	}
	return f
}
