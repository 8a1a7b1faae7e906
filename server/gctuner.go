package server

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// Cairn's heap is mostly long-lived data: the keyspace. With the default
// GOGC=100 the Go heap grows to twice the live heap before each
// collection, so a server holding 1 GB of keys sits at ~2 GB of RSS. The
// GC tuner lowers the GC percent as the live heap grows, so that the
// headroom above the live heap is a fixed fraction of it (a quarter)
// rather than all of it, with at least gcMinHeadroom for small heaps,
// where collections would otherwise run too often for little gain.
//
// It runs after every GC cycle (a finalizer on a sentinel re-armed each
// cycle), not on a timer: the live heap only changes at a cycle, and no
// goroutine needs stopping. It is installed once per process by the
// daemon (Config.SetGoMemLimit) and not when GOGC is set in the
// environment, which keeps the user's choice. The memory limit derived
// from maxmemory (goMemLimit) still applies on top.
//
// The CPU cost is more frequent marking of the live heap: a collection
// every quarter of growth (or of garbage) instead of every doubling.
// Seeding 498 501 keys (the seeding MSETs sent with redis-cli --pipe), a
// quarter gave RSS 211 B/key and a 0.93 s load against 274 B/key and
// 0.72 s with GOGC=100; an eighth gave 200 B/key but 1.2-1.4 s, the GC
// marking 75 MB every ~9 MB of the connection loop's garbage. Marking
// costs in proportion to the pointers in the live heap, which the store
// keeps to one object with three pointers per small string key.

const (
	gcMinHeadroom = 8 << 20 // the least headroom: GOGC stays 100 up to 8 MiB live
	gcHeadroomDiv = 4       // headroom is live/gcHeadroomDiv for large heaps
	gcMinPercent  = 100 / gcHeadroomDiv
)

var gcTunerOnce sync.Once

// startGCTuner installs the GC tuner, once per process.
func startGCTuner() {
	gcTunerOnce.Do(func() {
		if os.Getenv("GOGC") != "" {
			return
		}
		armGCTuner()
	})
}

type gcSentinel struct{ _ [64]byte } // too big for the tiny allocator

func armGCTuner() {
	runtime.SetFinalizer(&gcSentinel{}, func(*gcSentinel) {
		tuneGC()
		armGCTuner()
	})
}

// gcPercentSet is the percent tuneGC last set (GOGC's default to start).
var gcPercentSet = 100

var liveSample = []metrics.Sample{{Name: "/gc/heap/live:bytes"}}

// tuneGC sets the GC percent for the live heap the last cycle measured.
// Only the finalizer goroutine calls it.
func tuneGC() {
	metrics.Read(liveSample)
	if liveSample[0].Value.Kind() != metrics.KindUint64 {
		return
	}
	if p := gcPercent(liveSample[0].Value.Uint64()); p != gcPercentSet {
		gcPercentSet = p
		debug.SetGCPercent(p)
	}
}

// gcPercent is the GC percent that lets the heap grow by
// max(gcMinHeadroom, live/gcHeadroomDiv) above a live heap of live bytes,
// between gcMinPercent and 100.
func gcPercent(live uint64) int {
	if live == 0 {
		return 100
	}
	headroom := max(uint64(gcMinHeadroom), live/gcHeadroomDiv)
	return int(min(100, max(gcMinPercent, headroom*100/live)))
}
