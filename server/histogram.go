package server

import (
	"math/bits"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// durationHistogram is a Prometheus histogram of command durations over
// latencyBuckets (10 µs × 4^i). Every command records one, so observe is
// a shift to find the bucket and two atomic adds, where
// prometheus.Histogram searches its buckets and loops on a compare-and-
// swap for the float sum; the histogram is built at scrape time.
type durationHistogram struct {
	counts [len(latencyBucketBounds) + 1]atomic.Uint64 // the last is +Inf
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
	i := 0
	if d > latencyBucketBounds[0] {
		// The smallest i with d <= 10 µs × 4^i.
		q := uint64(d-1) / uint64(latencyBucketBounds[0])
		i = min((bits.Len64(q)+1)/2, len(latencyBucketBounds))
	}
	h.counts[i].Add(1)
	h.sumNs.Add(int64(d))
}

// count is the number of durations recorded.
func (h *durationHistogram) count() uint64 {
	var n uint64
	for i := range h.counts {
		n += h.counts[i].Load()
	}
	return n
}

// sum is their total.
func (h *durationHistogram) sum() time.Duration { return time.Duration(h.sumNs.Load()) }

// metric is the histogram's Prometheus sample, with cumulative buckets.
func (h *durationHistogram) metric(desc *prometheus.Desc, labels ...string) prometheus.Metric {
	buckets := make(map[float64]uint64, len(latencyBuckets))
	var n uint64
	for i, ub := range latencyBuckets {
		n += h.counts[i].Load()
		buckets[ub] = n
	}
	n += h.counts[len(latencyBuckets)].Load()
	return prometheus.MustNewConstHistogram(desc, n, h.sum().Seconds(), buckets, labels...)
}
