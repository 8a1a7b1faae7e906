package server

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/cairn-db/cairn/store/pebblestore"
)

// engineCollector reports the Pebble engine's figures at scrape time, from
// pebblestore's Metrics: the fsyncs of Cairn's journal, disk usage,
// compactions, flushes, journal bytes and folds. With the memory engine
// it reports nothing.
type engineCollector struct {
	metrics func() (pebblestore.Metrics, bool)
}

var (
	diskDesc        = prometheus.NewDesc("cairn_engine_disk_usage_bytes", "Disk space used by the Pebble engine (journal, tables, Pebble's WAL and MANIFEST).", nil, nil)
	compactionsDesc = prometheus.NewDesc("cairn_engine_compactions_total", "Pebble compactions completed.", nil, nil)
	flushesDesc     = prometheus.NewDesc("cairn_engine_memtable_flushes_total", "Pebble memtable flushes.", nil, nil)
	walBytesDesc    = prometheus.NewDesc("cairn_engine_wal_bytes_written_total", "Bytes written to the journal (Cairn's write-ahead log).", nil, nil)
	foldsDesc       = prometheus.NewDesc("cairn_engine_journal_folds_total", "Journal folds into Pebble (each applies the closed segments, then deletes them).", nil, nil)
	syncDesc        = prometheus.NewDesc("cairn_engine_wal_fsync_duration_seconds", "Journal fsync latency (every barrier under appendfsync always, the background syncer under everysec, closed segments).", nil, nil)
	syncMaxDesc     = prometheus.NewDesc("cairn_engine_wal_fsync_max_seconds", "Longest journal fsync since start.", nil, nil)
	barriersDesc    = prometheus.NewDesc("cairn_engine_wal_barriers_total", "Journal barriers run before acknowledging writes (one serves every waiting client).", nil, nil)
	unsyncedDesc    = prometheus.NewDesc("cairn_engine_unsynced_batches", "Committed write batches not yet known to be fsynced.", nil, nil)
	readAmpDesc     = prometheus.NewDesc("cairn_engine_read_amplification", "Sorted runs a point lookup may visit.", nil, nil)
)

func newEngineCollector(f func() (pebblestore.Metrics, bool)) prometheus.Collector {
	return &engineCollector{metrics: f}
}

func (c *engineCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{diskDesc, compactionsDesc, flushesDesc, walBytesDesc, foldsDesc, syncDesc, syncMaxDesc, barriersDesc, unsyncedDesc, readAmpDesc} {
		ch <- d
	}
}

func (c *engineCollector) Collect(ch chan<- prometheus.Metric) {
	m, ok := c.metrics()
	if !ok {
		return
	}
	gauge := func(d *prometheus.Desc, v float64) { ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v) }
	counter := func(d *prometheus.Desc, v float64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v)
	}
	gauge(diskDesc, float64(m.DiskBytes))
	counter(compactionsDesc, float64(m.Compactions))
	counter(flushesDesc, float64(m.MemtableFlushes))
	counter(walBytesDesc, float64(m.WALBytesWritten))
	counter(foldsDesc, float64(m.Folds))
	buckets := make(map[float64]uint64, len(m.FsyncHistogram))
	for i, n := range m.FsyncHistogram {
		buckets[pebblestore.FsyncBuckets[i].Seconds()] = n
	}
	ch <- prometheus.MustNewConstHistogram(syncDesc, uint64(m.Fsyncs), m.FsyncTotal.Seconds(), buckets)
	gauge(syncMaxDesc, m.FsyncMax.Seconds())
	counter(barriersDesc, float64(m.Flushes))
	gauge(unsyncedDesc, float64(m.Unsynced))
	gauge(readAmpDesc, float64(m.ReadAmp))
}
