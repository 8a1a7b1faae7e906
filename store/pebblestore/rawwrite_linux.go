package pebblestore

import (
	"syscall"
	"unsafe"

	"github.com/cockroachdb/pebble/v2/vfs"
)

// writeFile writes p to f at offset off, the segment's end. On the OS
// filesystem it is a raw pwrite(2): a write to the page cache takes
// microseconds, and Go's ordinary system call entry wakes the scheduler's
// monitor thread when the process was idle, which at one request per
// round cost more than the write (CPU per -P 1 SET under everysec: 11-12
// µs, 9 µs on the memory engine). It takes the offset because copies into
// the segment's mapping (journal.put) do not move the file's. Other
// filesystems (tests' error injection) are never mapped and get f.Write.
func writeFile(f vfs.File, raw bool, p []byte, off int64) (int, error) {
	if !raw {
		return f.Write(p)
	}
	fd := f.Fd()
	done := 0
	for done < len(p) {
		rest := p[done:]
		n, _, e := syscall.RawSyscall6(syscall.SYS_PWRITE64, fd, uintptr(unsafe.Pointer(unsafe.SliceData(rest))), uintptr(len(rest)), uintptr(off+int64(done)), 0, 0)
		if e == syscall.EINTR {
			continue
		}
		if e != 0 {
			return done, e
		}
		done += int(n)
	}
	return done, nil
}

// rawWritable reports whether writeFile may bypass f: f is an OS file.
func rawWritable(fs vfs.FS, f vfs.File) bool {
	return fs == vfs.Default && f.Fd() != vfs.InvalidFd
}
