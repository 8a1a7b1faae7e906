package server

import (
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"time"
)

// Between collections the heap holds the data, the garbage made since the
// last cycle (up to the GC tuner's headroom), and free pages that the Go
// scavenger returns to the OS only slowly, keeping up to a tenth above
// the heap goal. After a bulk load (seeding a cache, a big MSET stream)
// the server goes quiet and no further cycle comes to collect that
// garbage, so the RSS stays at the load's peak.
//
// The idle release fixes that: after each GC cycle it checks every
// idleCheck whether the server has gone quiet (it allocated less than
// idleQuiet in the last interval) while the garbage and free pages are
// worth returning (idleWorth); then it runs debug.FreeOSMemory once: one
// more collection, and every free page back to the OS. It stops checking
// once there is nothing worth releasing, or after the release, until the
// next cycle. So it costs at most one forced collection per natural one,
// only when the server is quiet.

const (
	idleCheck    = 200 * time.Millisecond
	idleMinQuiet = 1 << 20 // allocated per idleCheck, below which the server is quiet
	idleMinWorth = 4 << 20 // reclaimable bytes below which a release is not worth a GC
)

var idleRelease struct {
	mu     sync.Mutex
	timer  *time.Timer
	allocs uint64 // heap bytes allocated as of the last check
}

var idleSamples = []metrics.Sample{
	{Name: "/gc/heap/live:bytes"},
	{Name: "/gc/heap/allocs:bytes"},
	{Name: "/memory/classes/heap/objects:bytes"},
	{Name: "/memory/classes/heap/free:bytes"},
}

// idleSample reads the live heap, the bytes allocated so far, and what a
// release would give back: dead objects and free pages not yet returned.
func idleSample() (live, allocs, reclaimable uint64, ok bool) {
	idleSamples := append([]metrics.Sample(nil), idleSamples...)
	metrics.Read(idleSamples)
	var v [4]uint64
	for i, sm := range idleSamples {
		if sm.Value.Kind() != metrics.KindUint64 {
			return 0, 0, 0, false
		}
		v[i] = sm.Value.Uint64()
	}
	live, allocs = v[0], v[1]
	if v[2] > live {
		reclaimable = v[2] - live
	}
	return live, allocs, reclaimable + v[3], true
}

// idleWorth reports whether returning reclaimable bytes is worth a
// collection of a live heap of live bytes.
func idleWorth(live, reclaimable uint64) bool {
	return reclaimable >= max(idleMinWorth, live/16)
}

// idleQuiet reports whether allocating allocated bytes in idleCheck is
// quiet. The bound is absolute, not relative to the heap: under steady
// traffic the pages released would soon be faulted back in, and with a
// big heap the forced collection is dear.
func idleQuiet(allocated uint64) bool { return allocated < idleMinQuiet }

// armIdleRelease starts checking for an idle release after a GC cycle.
func armIdleRelease() {
	_, allocs, _, ok := idleSample()
	if !ok {
		return
	}
	r := &idleRelease
	r.mu.Lock()
	defer r.mu.Unlock()
	r.allocs = allocs
	if r.timer == nil {
		r.timer = time.AfterFunc(idleCheck, checkIdleRelease)
	} else {
		r.timer.Reset(idleCheck)
	}
}

// checkIdleRelease is one idle check; it re-arms itself while the server
// is busy and there is memory worth releasing.
func checkIdleRelease() {
	live, allocs, reclaimable, ok := idleSample()
	if !ok || !idleWorth(live, reclaimable) {
		return
	}
	r := &idleRelease
	r.mu.Lock()
	quiet := idleQuiet(allocs - r.allocs)
	r.allocs = allocs
	if !quiet && r.timer != nil {
		r.timer.Reset(idleCheck)
	}
	r.mu.Unlock()
	if quiet {
		debug.FreeOSMemory() // its cycle re-arms the check, which then finds nothing worth it
	}
}
