package server

import (
	"github.com/cockroachdb/pebble/v2"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// pebbleMetrics is the seam to the Pebble engine: an engine that can hand
// out Pebble's own metrics gets WAL sync latency, compactions and disk
// usage exported. Engines without it (the memory engine) export nothing.
type pebbleMetrics interface {
	Metrics() *pebble.Metrics
}

// engineCollector reports the storage engine's internals at scrape time.
type engineCollector struct{ eng pebbleMetrics }

var (
	diskDesc        = prometheus.NewDesc("cairn_engine_disk_usage_bytes", "Disk space used by the Pebble engine (WAL, tables, obsolete files).", nil, nil)
	compactionsDesc = prometheus.NewDesc("cairn_engine_compactions_total", "Pebble compactions completed.", nil, nil)
	flushesDesc     = prometheus.NewDesc("cairn_engine_flushes_total", "Pebble memtable flushes.", nil, nil)
	walBytesDesc    = prometheus.NewDesc("cairn_engine_wal_bytes_written_total", "Bytes written to the WAL.", nil, nil)
	syncDesc        = prometheus.NewDesc("cairn_engine_wal_sync_duration_seconds", "WAL fsync latency.", nil, nil)
)

// newEngineCollector returns a collector for eng, which is nil or any
// store engine.
func newEngineCollector(eng any) prometheus.Collector {
	pm, _ := eng.(pebbleMetrics)
	return &engineCollector{eng: pm}
}

func (c *engineCollector) Describe(ch chan<- *prometheus.Desc) {
	if c.eng == nil {
		return
	}
	for _, d := range []*prometheus.Desc{diskDesc, compactionsDesc, flushesDesc, walBytesDesc, syncDesc} {
		ch <- d
	}
}

func (c *engineCollector) Collect(ch chan<- prometheus.Metric) {
	if c.eng == nil {
		return
	}
	m := c.eng.Metrics()
	if m == nil {
		return
	}
	ch <- prometheus.MustNewConstMetric(diskDesc, prometheus.GaugeValue, float64(m.DiskSpaceUsage()))
	ch <- prometheus.MustNewConstMetric(compactionsDesc, prometheus.CounterValue, float64(m.Compact.Count))
	ch <- prometheus.MustNewConstMetric(flushesDesc, prometheus.CounterValue, float64(m.Flush.Count))
	ch <- prometheus.MustNewConstMetric(walBytesDesc, prometheus.CounterValue, float64(m.WAL.BytesWritten))
	if h := m.LogWriter.FsyncLatency; h != nil {
		if hm := secondsHistogram(h); hm != nil {
			ch <- hm
		}
	}
}

// secondsHistogram re-labels Pebble's fsync histogram, which observes
// nanoseconds, as a histogram in seconds under Cairn's name.
func secondsHistogram(h prometheus.Histogram) prometheus.Metric {
	var pb dto.Metric
	if h.Write(&pb) != nil || pb.Histogram == nil {
		return nil
	}
	buckets := map[float64]uint64{}
	for _, b := range pb.Histogram.Bucket {
		buckets[b.GetUpperBound()/1e9] = b.GetCumulativeCount()
	}
	m, err := prometheus.NewConstHistogram(syncDesc, pb.Histogram.GetSampleCount(), pb.Histogram.GetSampleSum()/1e9, buckets)
	if err != nil {
		return nil
	}
	return m
}
