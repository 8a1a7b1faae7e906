package server

import (
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// durationHistogram is a command's record of its durations: the HDR
// counters behind INFO latencystats and LATENCY HISTOGRAM (hdr.go), from
// which the Prometheus histogram over latencyBuckets (10 µs × 4^i) is
// built at scrape time. Every command records one, so observe is a shift
// to find the counter and two atomic adds, where prometheus.Histogram
// searches its buckets and loops on a compare-and-swap for the float sum.
// The counters (27 KiB) are allocated when the command first runs.
type durationHistogram struct {
	counts atomic.Pointer[hdrCounts]
	sumNs  atomic.Int64
}

// latencyBucketBounds are latencyBuckets' upper bounds in nanoseconds.
var latencyBucketBounds = func() (b [10]time.Duration) {
	for i := range b {
		b[i] = 10 * time.Microsecond << (2 * i)
	}
	return b
}()

var latencyBuckets = func() []float64 {
	out := make([]float64, len(latencyBucketBounds))
	for i, b := range latencyBucketBounds {
		out[i] = b.Seconds()
	}
	return out
}()

// observe records one duration.
func (h *durationHistogram) observe(d time.Duration) {
	c := h.counts.Load()
	if c == nil {
		c = h.alloc()
	}
	c[hdrIndex(hdrClamp(int64(d)))].Add(1)
	h.sumNs.Add(int64(d))
}

// alloc installs the counters on first use (once, however many
// goroutines race to it).
func (h *durationHistogram) alloc() *hdrCounts {
	h.counts.CompareAndSwap(nil, new(hdrCounts))
	return h.counts.Load()
}

// count is the number of durations recorded.
func (h *durationHistogram) count() uint64 {
	c := h.counts.Load()
	if c == nil {
		return 0
	}
	var n uint64
	for i := range c {
		n += c[i].Load()
	}
	return n
}

// sum is their total.
func (h *durationHistogram) sum() time.Duration { return time.Duration(h.sumNs.Load()) }

// metric is the histogram's Prometheus sample, with cumulative buckets.
// A counter goes to the first bucket whose bound is at least the lowest
// value it holds, so a duration within 1% above a bound may be counted
// below it.
func (h *durationHistogram) metric(desc *prometheus.Desc, labels ...string) prometheus.Metric {
	buckets := make(map[float64]uint64, len(latencyBuckets))
	var per [len(latencyBucketBounds) + 1]uint64 // the last is +Inf
	var total uint64
	if c := h.counts.Load(); c != nil {
		b := 0
		for i := range c {
			n := c[i].Load()
			if n == 0 {
				continue
			}
			for b < len(latencyBucketBounds) && time.Duration(hdrLowest(i)) > latencyBucketBounds[b] {
				b++
			}
			per[b] += n
			total += n
		}
	}
	var n uint64
	for i, ub := range latencyBuckets {
		n += per[i]
		buckets[ub] = n
	}
	return prometheus.MustNewConstHistogram(desc, total, h.sum().Seconds(), buckets, labels...)
}
