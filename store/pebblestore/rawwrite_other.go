//go:build !unix

package pebblestore

import "github.com/cockroachdb/pebble/v2/vfs"

// writeFile writes p to f.
func writeFile(f vfs.File, _ bool, p []byte) (int, error) { return f.Write(p) }

// rawWritable is false: raw writes are for unix.
func rawWritable(vfs.FS, vfs.File) bool { return false }
