//go:build !linux

package server

// lowerSaveThreadPriority does nothing here: only Linux sets the priority
// of one thread.
func lowerSaveThreadPriority() {}
