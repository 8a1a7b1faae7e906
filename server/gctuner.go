package server

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"sync/atomic"
)

// Cairn's heap is mostly long-lived data: the keyspace. With the default
// GOGC=100 the Go heap grows to twice the live heap before each
// collection, so a server holding 1 GB of keys sits at ~2 GB of RSS. The
// GC tuner lowers the GC percent as the live heap grows, so that the
// headroom above the live heap is a fixed fraction of it (a quarter)
// rather than all of it, with at least gcMinHeadroom for small heaps,
// where collections would otherwise run too often for little gain. Under
// maxmemory the least headroom is an eighth of maxmemory instead (if
// less): the operator has set a memory budget, and the data stays under it.
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
// Marking costs in proportion to the objects and pointers in the live
// heap, which the store keeps to one object with one pointer (its key) per
// small string key. Seeding 498 501 keys (the seeding MSETs sent with
// redis-cli --pipe, interleaved runs on a noisy machine): loads took
// 0.38-0.43 s with a headroom of half the live heap, 0.40-0.67 s with a
// quarter and 0.46-0.58 s with an eighth (0.30-0.46 s with GOGC=100),
// and the RSS afterwards was 163 B/key for all of them once the idle
// release (gcidle.go) had returned the garbage and free pages (196-221
// B/key with GOGC=100 and no release). With the 8 MiB least headroom the
// load ran 19-20 cycles (GC CPU without idle workers 130-170 ms, against
// 45-55 ms and 10-11 cycles with GOGC=100); with 32 MiB, 12 cycles and
// 30-125 ms. A quarter bounds the RSS of a busy server, which never goes
// idle, to about 1.25 x live (plus the scavenger's 10% retention) once
// the live heap passes 128 MiB, and live + 32 MiB below that.
//
// Because marking costs more when the keyspace is big and the garbage
// rate high, the tuner watches the GC's share of the CPU between cycles
// and relaxes the percent (up to 100) while it is above gcCPUHigh.

const (
	gcMinHeadroom = 32 << 20 // the least headroom, for live heaps up to 128 MiB
	gcHeadroomDiv = 4        // headroom is live/gcHeadroomDiv for large heaps
	gcMinPercent  = 100 / gcHeadroomDiv
)

var gcTunerOnce sync.Once

// gcFloor is the least headroom: gcMinHeadroom, or less under maxmemory
// (see setGCFloor).
var gcFloor atomic.Int64

func init() { gcFloor.Store(gcMinHeadroom) }

// setGCFloor sets the least headroom for a maxmemory (0 for none).
func setGCFloor(maxMemory int64) {
	floor := int64(gcMinHeadroom)
	if maxMemory > 0 {
		floor = min(floor, max(maxMemory/8, 1<<20))
	}
	gcFloor.Store(floor)
}

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

// The tuner's state; only the finalizer goroutine touches it.
var (
	gcPercentSet = 100   // the percent tuneGC last set (GOGC's default to start)
	gcRelax      = 1.0   // factor on gcPercent while GC takes too much CPU
	gcLastGCCPU  float64 // the GC's CPU seconds at the last cycle
	gcLastCPU    float64 // all CPU seconds at the last cycle
)

// gcSamples are the live heap, the total available CPU, and the GC's CPU
// the program pays for: assists, dedicated mark workers and pauses, not
// the idle mark workers, which run on CPUs that would otherwise be idle.
var gcSamples = []metrics.Sample{
	{Name: "/gc/heap/live:bytes"},
	{Name: "/cpu/classes/total:cpu-seconds"},
	{Name: "/cpu/classes/gc/mark/assist:cpu-seconds"},
	{Name: "/cpu/classes/gc/mark/dedicated:cpu-seconds"},
	{Name: "/cpu/classes/gc/pause:cpu-seconds"},
}

// tuneGC sets the GC percent for the live heap the last cycle measured,
// relaxed while the GC's share of the CPU is high. Only the finalizer
// goroutine calls it.
func tuneGC() {
	metrics.Read(gcSamples)
	if gcSamples[0].Value.Kind() != metrics.KindUint64 {
		return
	}
	var cpu [4]float64 // total, assist, dedicated, pause
	for i, sm := range gcSamples[1:] {
		if sm.Value.Kind() != metrics.KindFloat64 {
			return
		}
		cpu[i] = sm.Value.Float64()
	}
	total, gcCPU := cpu[0], cpu[1]+cpu[2]+cpu[3]
	if dt := total - gcLastCPU; dt > 0 {
		gcRelax = relaxGC(gcRelax, (gcCPU-gcLastGCCPU)/dt)
		gcLastGCCPU, gcLastCPU = gcCPU, total
	}
	p := gcPercent(gcSamples[0].Value.Uint64(), uint64(gcFloor.Load()))
	if p < 100 {
		p = min(100, int(float64(p)*gcRelax))
	}
	if p != gcPercentSet {
		gcPercentSet = p
		debug.SetGCPercent(p)
	}
	armIdleRelease()
}

// The GC's share of the available CPU (GOMAXPROCS × wall time) between
// two cycles above which the tuner relaxes, and below which it tightens
// back. A dedicated mark worker alone is 25%: above that, the GC is
// marking all the time (a big keyspace under heavy write traffic, each
// cycle marking the whole keyspace). Seeding stays below it.
const (
	gcCPUHigh  = 0.25
	gcCPULow   = 0.10
	gcMaxRelax = 16 // enough to bring any percent back to 100
)

// relaxGC is the next relax factor after a cycle whose GC CPU share was
// share: doubled while GC is expensive, up to GOGC=100, halved back to 1
// once it is cheap again.
func relaxGC(relax, share float64) float64 {
	switch {
	case share > gcCPUHigh:
		return min(relax*2, gcMaxRelax)
	case share < gcCPULow:
		return max(relax/2, 1)
	}
	return relax
}

// gcPercent is the GC percent that lets the heap grow by
// max(floor, live/gcHeadroomDiv) above a live heap of live bytes, at
// least gcMinPercent. A live heap smaller than floor gets more than 100:
// with GOGC's default a server holding a few MiB collected every few MiB
// of requests, every 30-40 ms under pipelined load, and each cycle's
// marking raised the p99 of -P 16 SET and GET by up to a third. The
// percent stops where Go's least heap goal, 4 MiB x percent/100, reaches
// floor, so that small heaps too grow by about floor at most.
func gcPercent(live, floor uint64) int {
	if live == 0 {
		return 100
	}
	maxPercent := max(100, floor*100/goMinHeapGoal)
	headroom := max(floor, live/gcHeadroomDiv)
	return int(min(maxPercent, max(gcMinPercent, headroom*100/live)))
}

// goMinHeapGoal is the Go runtime's least heap goal at GOGC=100.
const goMinHeapGoal = 4 << 20
