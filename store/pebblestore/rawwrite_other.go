//go:build !linux

package pebblestore

import "github.com/cockroachdb/pebble/v2/vfs"

// writeFile writes p to f, at its end (off: segments are mapped on Linux
// only).
func writeFile(f vfs.File, _ bool, p []byte, _ int64) (int, error) { return f.Write(p) }

// rawWritable is false: raw writes are for Linux.
func rawWritable(vfs.FS, vfs.File) bool { return false }
