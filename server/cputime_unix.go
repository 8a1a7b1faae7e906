//go:build unix

package server

import (
	"syscall"
	"time"
)

// cpuTimes is the CPU the process has used, in the kernel and in user
// space (INFO used_cpu_sys and used_cpu_user).
func cpuTimes() (sys, user time.Duration) {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0, 0
	}
	return time.Duration(ru.Stime.Nano()), time.Duration(ru.Utime.Nano())
}
