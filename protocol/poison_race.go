//go:build race

package protocol

// The test suite runs with the race detector: there, every other batch's
// arguments are overwritten once the next batch is read (see recycle).
func init() { poisonReused = true }
