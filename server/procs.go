package server

import (
	"os"
	"runtime"
)

// goMaxProcs is the number of threads that run Go code for io-threads n
// with the given engine, when the daemon owns the process
// (Config.SetGoMaxProcs).
//
// io-threads is Redis's directive, 1 by default: one thread serves every
// client. Cairn's commands run under one keyspace lock, so a second thread
// mostly adds scheduler hand-offs, lock traffic between cores and CPU
// taken from whatever else runs on the host. Measured on 2 cores with
// redis-benchmark on the same host, GOMAXPROCS=1 served SET and GET at
// -P 16 about 20% faster than 2. Pebble flushes and compacts in the
// background; that work gets a thread of its own.
func goMaxProcs(ioThreads int, engine string) int {
	n := max(ioThreads, 1)
	if engine == "pebble" {
		n++
	}
	return n
}

// applyGoMaxProcs sets GOMAXPROCS from io-threads, unless the environment
// sets it.
func applyGoMaxProcs(cfg Config) {
	if !cfg.SetGoMaxProcs || os.Getenv("GOMAXPROCS") != "" {
		return
	}
	runtime.GOMAXPROCS(goMaxProcs(cfg.IOThreads, cfg.Engine))
}
