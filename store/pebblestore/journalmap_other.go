//go:build !linux

package pebblestore

import (
	"errors"

	"github.com/cockroachdb/pebble/v2/vfs"
)

// mapFile is Linux's, like allocate, whose space it maps.
func mapFile(vfs.File, int64, int64) ([]byte, error) { return nil, errNoMap }

// unmapFile is never needed without mapFile.
func unmapFile([]byte) error { return nil }

var errNoMap = errors.New("the journal maps its segments on Linux only")
