package server

import (
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

func TestGCPercent(t *testing.T) {
	for _, tc := range []struct {
		live uint64
		want int
	}{
		{0, 100},
		{1 << 20, 800}, // capped: Go's least goal is then 32 MiB
		{8 << 20, 400},
		{16 << 20, 200},
		{32 << 20, 100},
		{64 << 20, 50},
		{128 << 20, 25},
		{1 << 30, 25},
		{64 << 30, 25},
	} {
		if got := gcPercent(tc.live, gcMinHeadroom); got != tc.want {
			t.Errorf("gcPercent(%d MiB) = %d, want %d", tc.live>>20, got, tc.want)
		}
	}
}

// TestGCTunerFollowsLiveHeap: after a collection with ~200 MB live, the
// tuner has lowered the GC percent; once that data is garbage it goes
// above 100, since the heap left is smaller than the least headroom.
func TestGCTunerFollowsLiveHeap(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates ~200 MB")
	}
	old := debug.SetGCPercent(100)
	defer debug.SetGCPercent(old)
	armGCTuner() // a second chain in this process is harmless: both set the same value
	waitPercent := func(want func(int) bool) int {
		var p int
		for range 100 {
			runtime.GC()
			time.Sleep(10 * time.Millisecond) // the finalizer runs on its own goroutine
			p = debug.SetGCPercent(-1)
			debug.SetGCPercent(p)
			if want(p) {
				break
			}
		}
		return p
	}
	live := make([][]byte, 200)
	for i := range live {
		live[i] = make([]byte, 1<<20)
	}
	if p := waitPercent(func(p int) bool { return p <= 25 }); p > 25 {
		t.Errorf("GC percent with 200 MB live = %d, want 25", p)
	}
	runtime.KeepAlive(live)
	live = nil
	if p := waitPercent(func(p int) bool { return p > 100 }); p <= 100 {
		t.Errorf("GC percent after freeing = %d, want over 100", p)
	}
}

func TestRelaxGC(t *testing.T) {
	r := 1.0
	for range 10 {
		r = relaxGC(r, 0.5)
	}
	if r != gcMaxRelax {
		t.Fatalf("relax after expensive cycles = %v, want %v", r, float64(gcMaxRelax))
	}
	if p := min(100, int(float64(gcPercent(1<<30, gcMinHeadroom))*r)); p != 100 {
		t.Fatalf("fully relaxed percent = %d, want 100", p)
	}
	if got := relaxGC(r, 0.15); got != r {
		t.Fatalf("relax after a middling cycle = %v, want unchanged %v", got, r)
	}
	for range 10 {
		r = relaxGC(r, 0.05)
	}
	if r != 1 {
		t.Fatalf("relax after cheap cycles = %v, want 1", r)
	}
}

// Under maxmemory the least headroom shrinks with it.
func TestGCFloor(t *testing.T) {
	defer setGCFloor(0)
	for _, tc := range []struct{ maxMemory, want int64 }{
		{0, gcMinHeadroom},
		{1 << 30, gcMinHeadroom},
		{64 << 20, 8 << 20},
		{1 << 20, 1 << 20},
	} {
		setGCFloor(tc.maxMemory)
		if got := gcFloor.Load(); got != tc.want {
			t.Errorf("maxmemory %d: floor %d, want %d", tc.maxMemory, got, tc.want)
		}
	}
	setGCFloor(64 << 20)
	if p := gcPercent(16<<20, uint64(gcFloor.Load())); p != 50 {
		t.Errorf("16 MiB live under maxmemory 64mb: GC percent %d, want 50", p)
	}
}
