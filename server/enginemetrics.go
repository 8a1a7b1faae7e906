package server

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/cairn-db/cairn/store/pebblestore"
)

// engineCollector reports the Pebble engine's internals at scrape time,
// from pebblestore's Metrics: Cairn's own fsync figures (Pebble's WAL
// sync histogram would count the no-op syncs of everysec and no), disk
// usage, compactions, flushes, WAL bytes. The memory engine exports
// nothing.
type engineCollector struct{ eng *pebblestore.Engine }

var (
	diskDesc        = prometheus.NewDesc("cairn_engine_disk_usage_bytes", "Disk space used by the Pebble engine (WAL, tables, obsolete files).", nil, nil)
	compactionsDesc = prometheus.NewDesc("cairn_engine_compactions_total", "Pebble compactions completed.", nil, nil)
	flushesDesc     = prometheus.NewDesc("cairn_engine_flushes_total", "Pebble memtable flushes.", nil, nil)
	walBytesDesc    = prometheus.NewDesc("cairn_engine_wal_bytes_written_total", "Bytes written to the WAL.", nil, nil)
	syncDesc        = prometheus.NewDesc("cairn_engine_wal_sync_duration_seconds", "WAL fsync latency (real fsyncs only: every barrier under appendfsync always, the background syncer under everysec).", nil, nil)
	barriersDesc    = prometheus.NewDesc("cairn_engine_wal_barriers_total", "WAL barriers run before acknowledging writes; one serves every client waiting at the time (group commit).", nil, nil)
)

// newEngineCollector returns a collector for eng, which is nil with the
// memory engine.
func newEngineCollector(eng *pebblestore.Engine) prometheus.Collector {
	return &engineCollector{eng: eng}
}

func (c *engineCollector) Describe(ch chan<- *prometheus.Desc) {
	if c.eng == nil {
		return
	}
	for _, d := range []*prometheus.Desc{diskDesc, compactionsDesc, flushesDesc, walBytesDesc, syncDesc, barriersDesc} {
		ch <- d
	}
}

func (c *engineCollector) Collect(ch chan<- prometheus.Metric) {
	if c.eng == nil {
		return
	}
	m := c.eng.Metrics()
	ch <- prometheus.MustNewConstMetric(diskDesc, prometheus.GaugeValue, float64(m.DiskBytes))
	ch <- prometheus.MustNewConstMetric(compactionsDesc, prometheus.CounterValue, float64(m.Compactions))
	ch <- prometheus.MustNewConstMetric(flushesDesc, prometheus.CounterValue, float64(m.MemtableFlushes))
	ch <- prometheus.MustNewConstMetric(walBytesDesc, prometheus.CounterValue, float64(m.WALBytesWritten))
	ch <- prometheus.MustNewConstMetric(barriersDesc, prometheus.CounterValue, float64(m.Flushes))
	buckets := make(map[float64]uint64, len(m.FsyncHistogram))
	for i, n := range m.FsyncHistogram {
		buckets[pebblestore.FsyncBuckets[i].Seconds()] = n
	}
	ch <- prometheus.MustNewConstHistogram(syncDesc, uint64(m.Fsyncs), m.FsyncTotal.Seconds(), buckets)
}
