//go:build !linux

package pebblestore

import (
	"errors"

	"github.com/cockroachdb/pebble/v2/vfs"
)

// allocate is Linux's: elsewhere segments grow by appending.
func allocate(vfs.File, int64, int64) error { return errNoAllocate }

// truncate is never needed without allocate.
func truncate(vfs.File, int64) error { return nil }

var errNoAllocate = errors.New("fallocate is Linux's")
