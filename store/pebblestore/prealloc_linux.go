package pebblestore

import (
	"syscall"

	"github.com/cockroachdb/pebble/v2/vfs"
)

// allocate extends f by n zero bytes from off, allocated on disk (see
// journal.grow).
func allocate(f vfs.File, off, n int64) error {
	for {
		err := syscall.Fallocate(int(f.Fd()), 0, off, n)
		if err != syscall.EINTR {
			return err
		}
	}
}

// truncate cuts f to size bytes.
func truncate(f vfs.File, size int64) error {
	return syscall.Ftruncate(int(f.Fd()), size)
}
