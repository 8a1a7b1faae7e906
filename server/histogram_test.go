package server

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// TestDurationHistogramBuckets: each duration lands in the first bucket
// whose upper bound holds it, as prometheus.Histogram would put it. (The
// HDR counters are 1% wide: a duration that close above a bound may be
// counted below it, so the durations above a bound here are 1% above.)
func TestDurationHistogramBuckets(t *testing.T) {
	durations := []time.Duration{0, 1, 10 * time.Microsecond, 10*time.Microsecond + 100,
		40 * time.Microsecond, 41 * time.Microsecond, 3 * time.Millisecond, time.Second,
		2621440 * time.Microsecond, 2700 * time.Millisecond, time.Hour}
	var h durationHistogram
	ref := prometheus.NewHistogram(prometheus.HistogramOpts{Name: "x", Buckets: latencyBuckets})
	for _, d := range durations {
		h.observe(d)
		ref.Observe(d.Seconds())
	}
	var got, want dto.Metric
	h.metric(prometheus.NewDesc("x", "", nil, nil)).Write(&got)
	ref.Write(&want)
	gb, wb := got.Histogram.Bucket, want.Histogram.Bucket
	if len(gb) != len(wb) {
		t.Fatalf("%d buckets, want %d", len(gb), len(wb))
	}
	for i := range wb {
		if gb[i].GetUpperBound() != wb[i].GetUpperBound() || gb[i].GetCumulativeCount() != wb[i].GetCumulativeCount() {
			t.Errorf("bucket %d: le=%v count %d, want le=%v count %d", i, gb[i].GetUpperBound(), gb[i].GetCumulativeCount(), wb[i].GetUpperBound(), wb[i].GetCumulativeCount())
		}
	}
	if got.Histogram.GetSampleCount() != uint64(len(durations)) {
		t.Errorf("count %d, want %d", got.Histogram.GetSampleCount(), len(durations))
	}
	if d := got.Histogram.GetSampleSum() - want.Histogram.GetSampleSum(); d > 1e-6 || d < -1e-6 {
		t.Errorf("sum %v, want %v", got.Histogram.GetSampleSum(), want.Histogram.GetSampleSum())
	}
}

// BenchmarkDurationHistogramObserve is the per-command cost of recording a
// duration (every command pays it).
func BenchmarkDurationHistogramObserve(b *testing.B) {
	var h durationHistogram
	ds := [8]time.Duration{800, 1500, 3000, 12000, 900, 45000, 1100, 2000000}
	for i := 0; i < b.N; i++ {
		h.observe(ds[i&7])
	}
}
