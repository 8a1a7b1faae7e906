package store

import "syscall"

// offHeapAlloc returns n bytes of an anonymous mapping, outside the Go
// heap, or nil if the system refuses: the garbage collector neither
// scans nor counts them.
func offHeapAlloc(n int) []byte {
	b, err := syscall.Mmap(-1, 0, n, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return nil
	}
	return b
}

// offHeapRelease gives b's pages back to the system and keeps the
// mapping, which reads as zeros from then on: unlike munmap, madvise
// does not hold the process's address space locked against the page
// faults of its other threads.
func offHeapRelease(b []byte) { syscall.Madvise(b, syscall.MADV_DONTNEED) }
