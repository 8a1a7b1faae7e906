//go:build !linux && !darwin

package server

// totalSystemMemory is unknown here: INFO reports 0, as Redis does where
// it cannot tell.
func totalSystemMemory() int64 { return 0 }
