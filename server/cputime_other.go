//go:build !unix

package server

import "time"

// cpuTimes is unknown here: INFO reports zero.
func cpuTimes() (sys, user time.Duration) { return 0, 0 }
