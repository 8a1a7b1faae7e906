package server

import (
	"runtime"
	"testing"
)

func TestIdleRules(t *testing.T) {
	for _, tc := range []struct {
		live, reclaimable uint64
		want              bool
	}{
		{0, 1 << 20, false},
		{0, 4 << 20, true},
		{1 << 30, 32 << 20, false},
		{1 << 30, 64 << 20, true},
	} {
		if got := idleWorth(tc.live, tc.reclaimable); got != tc.want {
			t.Errorf("idleWorth(%d MiB live, %d MiB) = %v", tc.live>>20, tc.reclaimable>>20, got)
		}
	}
	if !idleQuiet(100<<10) || idleQuiet(8<<20) {
		t.Error("idleQuiet: 100 KiB in an interval is quiet, 8 MiB is not")
	}
}

// TestIdleReleaseReturnsFreePages: with 64 MiB of freed pages and no
// allocation since the last check, the idle check gives them back.
func TestIdleReleaseReturnsFreePages(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates 64 MiB")
	}
	garbage := make([][]byte, 64)
	for i := range garbage {
		garbage[i] = make([]byte, 1<<20)
		for j := 0; j < len(garbage[i]); j += 4096 {
			garbage[i][j] = 1 // make the pages resident
		}
	}
	runtime.KeepAlive(garbage)
	garbage = nil
	runtime.GC()
	runtime.GC()
	_, allocs, before, ok := idleSample()
	if !ok {
		t.Fatal("runtime/metrics lacks a sample the idle release reads")
	}
	if before < 32<<20 {
		t.Skipf("only %d KiB reclaimable after freeing 64 MiB: the scavenger returned it first", before>>10)
	}
	idleRelease.mu.Lock()
	idleRelease.allocs = allocs
	idleRelease.mu.Unlock()
	checkIdleRelease()
	if _, _, after, _ := idleSample(); after > before/4 {
		t.Errorf("reclaimable %d KiB before the idle release, %d KiB after", before>>10, after>>10)
	}
}
