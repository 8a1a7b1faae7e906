package pebblestore

import "time"

// Metrics are the engine's figures for INFO and the Prometheus exporter.
// Reading them is cheap enough for a scrape, not for the command path.
type Metrics struct {
	// Mode is the fsync policy.
	Mode SyncMode
	// Committed is the number of batches (write transactions) committed.
	Committed uint64
	// Unsynced is how many of them are not yet known to be fsynced.
	Unsynced uint64
	// Flushes counts journal barriers run before acknowledging writes;
	// one barrier serves every client waiting at the time (group commit).
	Flushes int64
	// Folds counts journal segments folded into Pebble, in batches.
	Folds int64
	// Fsyncs counts real journal fsyncs; FsyncTotal, FsyncLast and
	// FsyncMax are their latencies.
	Fsyncs     int64
	FsyncTotal time.Duration
	FsyncLast  time.Duration
	FsyncMax   time.Duration
	// FsyncHistogram counts fsyncs by latency: entry i counts those that
	// took at most FsyncBuckets[i] (cumulative, as Prometheus buckets).
	FsyncHistogram []uint64
	// DiskBytes is the space Pebble uses on disk (sstables, its WAL,
	// MANIFEST), as Pebble counts it, plus the journal's segments.
	DiskBytes uint64
	// WALBytesWritten is the bytes written to the journal since open.
	WALBytesWritten uint64
	// MemtableFlushes and Compactions count Pebble's background jobs.
	MemtableFlushes int64
	Compactions     int64
	// ReadAmp is the number of sorted runs a point lookup may visit.
	ReadAmp int
	// LastError is the write error that stopped writes, or "".
	LastError string
}

// Metrics returns the engine's current figures.
func (e *Engine) Metrics() Metrics {
	m := Metrics{
		Mode:       e.Mode(),
		Committed:  e.committed.Load(),
		Flushes:    e.stats.flushes.Load(),
		Folds:      e.stats.folds.Load(),
		Fsyncs:     e.stats.fsyncs.Load(),
		FsyncTotal: time.Duration(e.stats.fsyncNanos.Load()),
		FsyncLast:  time.Duration(e.stats.lastNanos.Load()),
		FsyncMax:   time.Duration(e.stats.maxNanos.Load()),
	}
	m.FsyncHistogram = make([]uint64, len(FsyncBuckets))
	var cum uint64
	for i := range m.FsyncHistogram {
		cum += e.stats.buckets[i].Load()
		m.FsyncHistogram[i] = cum
	}
	if f := e.fsynced.Load(); f < m.Committed {
		m.Unsynced = m.Committed - f
	}
	if err := e.Err(); err != nil {
		m.LastError = err.Error()
	}
	pm := e.db.Metrics()
	m.DiskBytes = pm.DiskSpaceUsage() + e.journalBytes()
	m.WALBytesWritten = e.j.written.Load()
	m.MemtableFlushes = pm.Flush.Count
	m.Compactions = pm.Compact.Count
	m.ReadAmp = pm.ReadAmp()
	return m
}

// journalBytes is the length of the journal's segments on disk.
func (e *Engine) journalBytes() uint64 {
	seqs, err := e.j.segments()
	if err != nil {
		return 0
	}
	var n uint64
	for _, seq := range seqs {
		if fi, err := e.fs.Stat(e.j.path(seq)); err == nil {
			n += uint64(fi.Size())
		}
	}
	return n
}
