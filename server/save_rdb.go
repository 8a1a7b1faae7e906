package server

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/cairn-db/cairn/store"
)

// On the memory engine SAVE and BGSAVE do what redis-server's do: write
// the dataset as an RDB file, <dir>/<dbfilename> (dump.rdb by default),
// which the daemon loads back when it starts on the memory engine
// (cmd/cairn), and which redis-server can load too. The pebble engine's
// SAVE is a checkpoint of its own files instead (persist.go).

// rdbPath is where SAVE writes the RDB file on the memory engine.
func (s *Server) rdbPath() string {
	cfg := s.config()
	return cfg.RDBFile()
}

// RDBFile is <dir>/<dbfilename>: where SAVE writes the RDB file on the
// memory engine, and where the daemon looks for one to load when it
// starts on that engine.
func (c *Config) RDBFile() string {
	c.setDefaults()
	name := c.tuning["dbfilename"]
	if name == "" {
		name = "dump.rdb"
	}
	return filepath.Join(c.Dir, name)
}

// saveSnapshot writes the RDB file as Redis's rdbSave does: into a
// temporary file beside it, synced, then renamed over the old one, so a
// crash leaves the old file or the new one, never half of one. The file
// is the dataset at one point in time, which snap fixed already (BGSAVE's,
// before its reply), or, when nil, is now; it is encoded a step at a time
// while commands go on (store.Snapshot), as Redis's forked child writes
// while its parent serves. When FLUSHALL came during the save, a save of
// the emptied dataset follows at once (see saveFlushed). The caller holds
// saveMu, which saveSnapshot releases: BGSAVE takes it in the command, so
// that no SAVE can start a walk of its own between the BGSAVE's and the
// file (and wait for the BGSAVE's walk to end, which waits for saveMu).
func (p *persistState) saveSnapshot(snap *store.Snapshot) (string, error) {
	defer p.saveMu.Unlock()
	// The encoding gets a thread of its own, as the Pebble engine's
	// background work does: in the event loop's time slices, a request
	// waited up to 10 ms per step for the scheduler to poll the network.
	if busy := backgroundProcs(p.s.config()); busy != nil {
		busy(true)
		defer busy(false)
	}
	path, err := p.writeRDBLocked(p.encodeSnapshot(snap))
	for p.resave.Swap(false) {
		path, err = p.writeRDBLocked(p.encodeSnapshot(nil))
	}
	return path, err
}

// encodeSnapshot is writeRDBLocked's encode for snap (nil: a snapshot
// started now).
func (p *persistState) encodeSnapshot(snap *store.Snapshot) func(write rdbWrite) error {
	return func(write rdbWrite) error {
		var err error
		if snap == nil {
			if snap, err = p.s.startSnapshot(p.s.rdbOptions()); err != nil {
				return err
			}
			p.snapshot.Store(snap)
		}
		file, keys, err := snap.Encode()
		p.snapshot.Store(nil)
		if err != nil {
			return err
		}
		defer snap.Release()
		return write(file, keys)
	}
}

// saveRDBFinal is the save before a shutdown: the keyspace lock is held
// until the file is in place, and then, if commit agrees, for good
// (store.SaveFinal), so no change a client is told about misses the file.
func (p *persistState) saveRDBFinal(commit func() error) error {
	_, err := p.writeRDB(func(write rdbWrite) error {
		return p.s.store.SaveFinal(p.s.rdbOptions(), func(file []byte, keys int) error {
			if err := write([][]byte{file}, keys); err != nil {
				return err
			}
			return commit()
		})
	})
	return err
}

// rdbWrite puts an encoded RDB file in place: file is its bytes, in
// pieces, and keys the number of keys it holds.
type rdbWrite func(file [][]byte, keys int) error

// writeRDB runs a save: encode calls write with the encoded file, which
// writeRDB puts in place and records.
func (p *persistState) writeRDB(encode func(write rdbWrite) error) (string, error) {
	p.saveMu.Lock()
	defer p.saveMu.Unlock()
	return p.writeRDBLocked(encode)
}

// saveFlushed is FLUSHALL's save when there are save points, as Redis's
// flushAllDataAndResetRDB: the emptied dataset is written at once, inside
// FLUSHALL's transaction tx, so a crash before the next save cannot bring
// the flushed keys back, and the change count starts again from zero.
// A save under way holds the dataset from before the flush: as Redis
// kills its saving child, it is dropped if still encoding; when it holds
// saveMu it cannot be waited for here (its steps need the keyspace lock
// FLUSHALL holds), so a save of the emptied dataset follows it (resave).
func (p *persistState) saveFlushed(tx *store.Tx) {
	if snap := p.snapshot.Load(); snap != nil {
		tx.AbortSnapshot(snap)
	}
	if busy, _ := p.saveInTx(tx); busy {
		p.resave.Store(true)
	}
}

// saveInTx writes the RDB file from the dataset as transaction tx sees
// it, unless a save holds the file (saveMu): that save's steps wait for
// the keyspace lock tx holds, so it reports busy instead of waiting.
func (p *persistState) saveInTx(tx *store.Tx) (busy bool, err error) {
	if !p.saveMu.TryLock() {
		return true, nil
	}
	defer p.saveMu.Unlock()
	_, err = p.writeRDBLocked(func(write rdbWrite) error {
		file, keys := tx.EncodeRDB(p.s.rdbOptions())
		return write([][]byte{file}, keys)
	})
	return false, err
}

// writeRDBLocked is writeRDB with saveMu held.
func (p *persistState) writeRDBLocked(encode func(write rdbWrite) error) (string, error) {
	s := p.s
	start := time.Now()
	path := s.rdbPath()
	delay := s.config().rdbKeySaveDelay
	changes := p.changes.Load() // at most what the snapshot covers
	saved := false
	err := encode(func(file [][]byte, keys int) error {
		err := writeFileAtomic(path, func(f io.Writer) error { return s.writeRDBSlowly(f, file, keys, delay) })
		saved = err == nil
		return err
	})
	if errors.Is(err, store.ErrSnapshotAborted) {
		return "", err // FLUSHALL's resave follows
	}
	p.lastSaveOK.Store(saved)
	if !saved {
		s.log.Error("saving the RDB file failed", "path", path, "err", err)
		return "", err
	}
	p.lastSave.Store(s.clock.Now().Unix())
	p.lastSaveDur.Store(int64(time.Since(start).Seconds()))
	p.changesAtSave.Store(changes)
	p.lastSavePath.Store(&path)
	s.log.Info("DB saved on disk", "path", path)
	return path, err
}

// errSaveStopped ends a save the server's closing interrupted.
var errSaveStopped = errors.New("the server is shutting down")

// writeRDBSlowly writes file, of keys keys, waiting
// rdb-key-save-delay microseconds per key as Redis's save does (a
// negative delay: one key in -delay waits a microsecond). A save the
// server's closing overtakes (a BGSAVE) is dropped, as Redis kills its
// saving child: it must not replace the file after the final save.
func (s *Server) writeRDBSlowly(w io.Writer, file [][]byte, keys, delay int) error {
	total := 0
	for _, piece := range file {
		total += len(piece)
	}
	step := total
	if delay != 0 && keys > 0 {
		step = max(total/keys, 1)
	}
	for _, data := range file {
		for len(data) > 0 {
			n := min(step, len(data))
			if _, err := w.Write(data[:n]); err != nil {
				return err
			}
			data = data[n:]
			if delay == 0 {
				continue
			}
			wait := time.Duration(delay) * time.Microsecond
			if delay < 0 {
				wait = 0
				if rand.IntN(-delay) == 0 {
					wait = time.Microsecond
				}
			}
			select {
			case <-s.ctx.Done():
			case <-time.After(wait):
			}
		}
	}
	if s.ctx.Err() != nil {
		return errSaveStopped
	}
	return nil
}

// tempRDBPath is the temporary file a save of path writes first:
// temp-<pid>.rdb beside it, Redis's name.
func tempRDBPath(path string) string {
	return filepath.Join(filepath.Dir(path), fmt.Sprintf("temp-%d.rdb", os.Getpid()))
}

// writeFileAtomic replaces path with what write writes: temp file,
// fsync, rename, and an fsync of the directory so the rename itself
// survives a crash. The directory is created if missing (the memory
// engine never made it). On an error the temp file is removed.
func writeFileAtomic(path string, write func(io.Writer) error) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp := tempRDBPath(path)
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	err = write(f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// rdbOptions are the options of a saved RDB file: Redis 7.0's auxiliary
// fields, the function libraries and every key.
func (s *Server) rdbOptions() store.RDBOptions { return store.RDBOptions{Aux: s.rdbAux()} }

// startSnapshot starts a save's walk (store.StartSnapshot), first waiting
// for one under way to end: one runs at a time, and SYNC's and BGSAVE's
// may meet.
func (s *Server) startSnapshot(o store.RDBOptions) (*store.Snapshot, error) {
	for {
		snap, err := s.store.StartSnapshot(o)
		if !errors.Is(err, store.ErrSnapshotBusy) {
			return snap, err
		}
		select {
		case <-s.ctx.Done():
			return nil, errSaveStopped
		case <-time.After(10 * time.Millisecond):
		}
	}
}
