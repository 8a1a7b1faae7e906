package pebblestore

import (
	"syscall"

	"github.com/cockroachdb/pebble/v2/vfs"
)

// syncFile fdatasyncs f; raw as for writeFile, and only where the caller
// waits for it anyway (see barrierSync).
func syncFile(f vfs.File, raw bool) error {
	if !raw {
		return f.SyncData()
	}
	for {
		_, _, e := syscall.RawSyscall(syscall.SYS_FDATASYNC, f.Fd(), 0, 0)
		switch e {
		case 0:
			return nil
		case syscall.EINTR:
			continue
		}
		return e
	}
}
