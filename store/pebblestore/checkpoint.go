package pebblestore

import (
	"github.com/cockroachdb/pebble/v2"
)

// checkpointsDir is the default folder, inside the data directory, that
// SAVE and BGSAVE write checkpoints to. Open ignores it.
const checkpointsDir = "checkpoints"

// DefaultCheckpointDir is where checkpoints go when no directory is
// configured: <dir>/checkpoints.
func DefaultCheckpointDir(dataDir string) string { return dataDir + "/" + checkpointsDir }

// Checkpoint writes a consistent copy of the database to dest, which must
// not exist: it folds the whole journal into Pebble, then sstables are
// hard-linked where the filesystem allows and Pebble's MANIFEST is
// copied. Every batch committed before the call is in it, and since a
// batch is one transaction the copy never holds half of a command. Cairn
// starts from a copy of dest as from any data directory.
//
// It does not need the keyspace lock: writes continue meanwhile, and land
// either wholly in the checkpoint or not at all.
func (e *Engine) Checkpoint(dest string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = pebbleFatal(r)
		}
	}()
	if err := e.foldAll(); err != nil {
		return err
	}
	if err := e.fs.MkdirAll(e.fs.PathDir(dest), 0o755); err != nil {
		return err
	}
	return e.db.Checkpoint(dest, pebble.WithFlushedWAL())
}

// FoldAll folds the whole journal into Pebble now, as the background fold
// does segment by segment: Redis's BGREWRITEAOF. Writes continue
// meanwhile.
func (e *Engine) FoldAll() (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = pebbleFatal(r)
		}
	}()
	return e.foldAll()
}
