package server

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestHDRIndexRanges: every value falls in its counter's range, ranges are
// under 1% of their values, and counters are in value order.
func TestHDRIndexRanges(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := 0; n < 100000; n++ {
		v := r.Int64N(hdrMaxValue + 1)
		if n < 600 {
			v = int64(n)
		}
		i := hdrIndex(v)
		lo, hi := hdrLowest(i), hdrHighest(i)
		if i < 0 || i >= hdrCountsLen || v < lo || v > hi {
			t.Fatalf("value %d: index %d holds [%d, %d]", v, i, lo, hi)
		}
		if hi-lo > max(v/128, 0) {
			t.Fatalf("value %d: range [%d, %d] too wide", v, lo, hi)
		}
	}
	for i := 1; i < hdrCountsLen; i++ {
		if hdrLowest(i) != hdrHighest(i-1)+1 {
			t.Fatalf("index %d starts at %d, index %d ends at %d", i, hdrLowest(i), i-1, hdrHighest(i-1))
		}
	}
	if hdrHighest(hdrCountsLen-1) != hdrMaxValue {
		t.Fatalf("last counter ends at %d, want %d", hdrHighest(hdrCountsLen-1), hdrMaxValue)
	}
}

func snapshotOf(values ...int64) *hdrSnapshot {
	var c hdrCounts
	for _, v := range values {
		c[hdrIndex(hdrClamp(v))].Add(1)
	}
	return c.snapshot()
}

// TestHDRPercentiles: the figures redis-server 7.0 printed for the same
// recorded values (its durations are whole microseconds × 1000).
func TestHDRPercentiles(t *testing.T) {
	for _, tc := range []struct {
		values []int64
		p      float64
		want   string
	}{
		{[]int64{6000}, 50, "6.015"},
		{[]int64{14000}, 99.9, "14.015"},
		{[]int64{1000}, 50, "1.003"},
		{[]int64{2000}, 99, "2.007"},
		{[]int64{0}, 50, "0.001"},
		{[]int64{71000, 261000}, 50, "71.167"},
		{[]int64{71000, 261000}, 99, "261.119"},
		{[]int64{1000, 2000, 3000, 4000}, 0, "1.000"},
		{[]int64{1000, 2000, 3000, 4000}, 50, "2.007"},
		{[]int64{1000, 2000, 3000, 4000}, 100, "4.015"},
	} {
		got := fmt.Sprintf("%.3f", float64(snapshotOf(tc.values...).valueAt(tc.p))/1000)
		if got != tc.want {
			t.Errorf("%v p%v = %s, want %s", tc.values, tc.p, got, tc.want)
		}
	}
}

// TestHDRLogBuckets: LATENCY HISTOGRAM's buckets for values whose reply
// redis-server 7.0 gave (a 6 µs GET: 8 → 1; two 130 µs INFOs: 132 → 2).
func TestHDRLogBuckets(t *testing.T) {
	for _, tc := range []struct {
		values []int64
		want   string
	}{
		{nil, ""},
		{[]int64{6000}, "8:1 "},
		{[]int64{14000}, "16:1 "},
		{[]int64{130000, 71000}, "132:2 "},
		{[]int64{0, 1000, 1500, 5000, 1 << 40}, "1:2 2:3 8:4 8589934:5 "},
	} {
		var b strings.Builder
		snapshotOf(tc.values...).logBuckets(func(h int64, n uint64) { fmt.Fprintf(&b, "%d:%d ", h/1000, n) })
		if b.String() != tc.want {
			t.Errorf("%v: %q, want %q", tc.values, b.String(), tc.want)
		}
	}
}

// TestHDRSnapshotArithmetic: a reset base taken earlier is subtracted.
func TestHDRSnapshotArithmetic(t *testing.T) {
	var c hdrCounts
	c[hdrIndex(5000)].Add(3)
	base := c.snapshot()
	c[hdrIndex(9000)].Add(2)
	s := c.snapshot()
	s.sub(base)
	if s.total != 2 || s.valueAt(50) != hdrHighest(hdrIndex(9000)) {
		t.Fatalf("total %d p50 %d", s.total, s.valueAt(50))
	}
	s.add(base)
	if s.total != 5 {
		t.Fatalf("total %d after add", s.total)
	}
}
