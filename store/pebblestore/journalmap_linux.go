package pebblestore

import (
	"syscall"

	"github.com/cockroachdb/pebble/v2/vfs"
)

// mapFile maps n bytes of f from off (a multiple of the page size) shared
// and writable, for the journal's window (see journal.put).
func mapFile(f vfs.File, off, n int64) ([]byte, error) {
	return syscall.Mmap(int(f.Fd()), off, int(n), syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
}

// unmapFile undoes mapFile. Unmapping does not write the pages back; the
// page cache keeps them for the next fdatasync.
func unmapFile(b []byte) error { return syscall.Munmap(b) }
