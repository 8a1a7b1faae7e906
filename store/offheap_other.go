//go:build !linux

package store

// offHeapAlloc maps nothing on this system: callers allocate on the heap
// instead.
func offHeapAlloc(n int) []byte { return nil }

// offHeapRelease does nothing: offHeapAlloc gave nothing.
func offHeapRelease(b []byte) {}
