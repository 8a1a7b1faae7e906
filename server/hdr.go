package server

import (
	"math/bits"
	"sync/atomic"
)

// Command latencies are recorded in an HDR histogram laid out as
// HdrHistogram's (the C library Redis 7 uses for latency-tracking): a
// unit of 1 ns and 2 significant digits, so every value up to 255 ns has
// its own counter and above that each power-of-two range is split into
// 128 equal steps (a relative error under 1%). Redis tracks 1 ns to 1 s;
// Cairn goes to 2^33 ns (8.6 s) so that the Prometheus buckets, which go
// to 2.6 s, can be derived from the same counters, and clamps above.
//
// The live counters are atomics: recording is a bit-length, a shift and
// one atomic add. Reports work on a plain copy (hdrSnapshot).
const (
	hdrHalfCountMag = 7                    // log2 of the half sub-bucket count
	hdrHalfCount    = 1 << hdrHalfCountMag // 128
	hdrSubCount     = 2 * hdrHalfCount     // 256: sub-buckets per bucket
	hdrBuckets      = 26                   // bucket b holds [128<<b, 256<<b) ns (b ≥ 1)
	hdrCountsLen    = (hdrBuckets + 1) * hdrHalfCount
	hdrMaxValue     = hdrSubCount<<(hdrBuckets-1) - 1 // 2^33-1 ns
)

// hdrCounts are a histogram's live counters.
type hdrCounts [hdrCountsLen]atomic.Uint64

// hdrIndex is the counter of a value in [0, hdrMaxValue].
func hdrIndex(v int64) int {
	b := bits.Len64(uint64(v)|(hdrSubCount-1)) - (hdrHalfCountMag + 1)
	sub := int(v >> b)
	return (b+1)<<hdrHalfCountMag + sub - hdrHalfCount
}

// hdrClamp brings a duration in ns into the tracked range. Like Redis,
// the smallest value recorded is 1 ns.
func hdrClamp(v int64) int64 { return min(max(v, 1), hdrMaxValue) }

// hdrLowest is the smallest value counted at index i.
func hdrLowest(i int) int64 {
	b := i>>hdrHalfCountMag - 1
	sub := int64(i&(hdrHalfCount-1) + hdrHalfCount)
	if b < 0 {
		sub -= hdrHalfCount
		b = 0
	}
	return sub << b
}

// hdrHighest is the largest value counted at index i.
func hdrHighest(i int) int64 {
	b := max(i>>hdrHalfCountMag-1, 0)
	return hdrLowest(i) + 1<<b - 1
}

// hdrSnapshot is a copy of a histogram's counters, for reports.
type hdrSnapshot struct {
	counts [hdrCountsLen]uint64
	total  uint64
}

// snapshot copies c.
func (c *hdrCounts) snapshot() *hdrSnapshot {
	s := new(hdrSnapshot)
	for i := range c {
		n := c[i].Load()
		s.counts[i] = n
		s.total += n
	}
	return s
}

// sub removes base's counts from s (base was taken earlier from the same
// counters, so no count goes negative).
func (s *hdrSnapshot) sub(base *hdrSnapshot) {
	if base == nil {
		return
	}
	s.total = 0
	for i := range s.counts {
		s.counts[i] -= min(base.counts[i], s.counts[i])
		s.total += s.counts[i]
	}
}

// add adds o's counts to s.
func (s *hdrSnapshot) add(o *hdrSnapshot) {
	for i := range s.counts {
		s.counts[i] += o.counts[i]
	}
	s.total += o.total
}

// clone copies s; a nil s gives an empty snapshot.
func (s *hdrSnapshot) clone() *hdrSnapshot {
	c := new(hdrSnapshot)
	if s != nil {
		*c = *s
	}
	return c
}

// valueAt is hdr_value_at_percentile: the highest value equivalent to the
// one below which p percent of the recorded values fall (the lowest
// equivalent for p = 0).
func (s *hdrSnapshot) valueAt(p float64) int64 {
	want := int64(min(p, 100)/100*float64(s.total) + 0.5)
	want = max(want, 1)
	var seen uint64
	idx := 0
	for i, n := range s.counts {
		seen += n
		if int64(seen) >= want {
			idx = i
			break
		}
	}
	if p == 0 {
		return hdrLowest(idx)
	}
	return hdrHighest(idx)
}

// logBuckets walks s as HdrHistogram's logarithmic iterator does with a
// first bucket of 1024 ns and base 2, which is how LATENCY HISTOGRAM
// reports: f gets each step's highest equivalent value and the count of
// values up to it, for the steps whose cumulative count grew.
func (s *hdrSnapshot) logBuckets(f func(highest int64, cumulative uint64)) {
	idx, value, highest := -1, int64(0), int64(0)
	var cum, prev uint64
	level := int64(1024)
	levelLowest := hdrLowest(hdrIndex(level))
	for cum < s.total || hdrLowest(idx+1) > levelLowest {
		for value < levelLowest {
			if idx+1 >= hdrCountsLen {
				break
			}
			idx++
			cum += s.counts[idx]
			value, highest = hdrLowest(idx), hdrHighest(idx)
		}
		if cum > prev {
			f(highest, cum)
		}
		prev = cum
		level *= 2
		if level > 4*hdrMaxValue { // past every counter
			return
		}
		levelLowest = hdrLowest(hdrIndex(level))
	}
}
