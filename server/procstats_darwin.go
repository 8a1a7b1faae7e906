package server

import "golang.org/x/sys/unix"

// totalSystemMemory is the machine's RAM (INFO total_system_memory).
func totalSystemMemory() int64 {
	n, err := unix.SysctlUint64("hw.memsize")
	if err != nil {
		return 0
	}
	return int64(n)
}
