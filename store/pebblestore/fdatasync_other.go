//go:build !linux

package pebblestore

import "github.com/cockroachdb/pebble/v2/vfs"

// syncFile fdatasyncs f.
func syncFile(f vfs.File, _ bool) error { return f.SyncData() }
