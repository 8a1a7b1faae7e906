package server

import (
	"os"
	"runtime"
)

// goMaxProcs is the number of threads that run Go code for io-threads n,
// when the daemon owns the process (Config.SetGoMaxProcs).
//
// io-threads is Redis's directive, 1 by default: one thread serves every
// client. Cairn's commands run under one keyspace lock, so a second thread
// mostly adds scheduler hand-offs, lock traffic between cores and CPU
// taken from whatever else runs on the host. Measured on 2 cores with
// redis-benchmark on the same host, GOMAXPROCS=1 served SET and GET at
// -P 16 about 20% faster than 2. The Pebble engine's background work (a
// journal fold, a flush, a compaction) gets one more thread while it runs
// (see backgroundProcs).
func goMaxProcs(ioThreads int) int { return max(ioThreads, 1) }

// ownsGoMaxProcs reports whether the server sets GOMAXPROCS: the daemon
// does, unless the environment sets it.
func ownsGoMaxProcs(cfg Config) bool {
	return cfg.SetGoMaxProcs && os.Getenv("GOMAXPROCS") == ""
}

// applyGoMaxProcs sets GOMAXPROCS from io-threads, if the server owns it.
func applyGoMaxProcs(cfg Config) {
	if ownsGoMaxProcs(cfg) {
		runtime.GOMAXPROCS(goMaxProcs(cfg.IOThreads))
	}
}

// backgroundProcs is the Pebble engine's Background callback when the
// server owns GOMAXPROCS: one more thread while the engine works in the
// background, so a fold or compaction runs beside the event loop rather
// than in its time slices. Kept permanently, the idle second thread cost
// more than it gave: Go's scheduler woke it about every other request at
// -P 1 (0.56 context switches per request against Redis's 0.11), and
// under appendfsync always -P 1 SET ran at 0.75–0.85 of Redis; with one
// thread, and the fsync a raw system call, at parity.
func backgroundProcs(cfg Config) func(busy bool) {
	if !ownsGoMaxProcs(cfg) {
		return nil
	}
	base := goMaxProcs(cfg.IOThreads)
	return func(busy bool) {
		if busy {
			runtime.GOMAXPROCS(base + 1)
		} else {
			runtime.GOMAXPROCS(base)
		}
	}
}
