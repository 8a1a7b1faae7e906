package server

import (
	"fmt"
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

// saveRDB writes the RDB file as Redis's rdbSave does: into a temporary
// file beside it, synced, then renamed over the old one, so a crash
// leaves the old file or the new one, never half of one. The dataset is
// encoded under the keyspace lock (store.WriteRDB), so the file is one
// point in time; the writing happens after the lock is released.
func (p *persistState) saveRDB() (string, error) {
	p.saveMu.Lock()
	defer p.saveMu.Unlock()
	s := p.s
	start := time.Now()
	path := s.rdbPath()
	changes := p.changes.Load() // at most what the snapshot covers
	err := writeFileAtomic(path, s.store.WriteRDB(store.RDBOptions{Aux: s.rdbAux()}))
	p.lastSaveOK.Store(err == nil)
	if err != nil {
		s.log.Error("saving the RDB file failed", "path", path, "err", err)
		return "", err
	}
	p.lastSave.Store(s.clock.Now().Unix())
	p.lastSaveDur.Store(int64(time.Since(start).Seconds()))
	p.changesAtSave.Store(changes)
	p.lastSavePath.Store(&path)
	s.log.Info("DB saved on disk", "path", path)
	return path, nil
}

// writeFileAtomic replaces path with data: temp file, fsync, rename, and
// an fsync of the directory so the rename itself survives a crash. The
// directory is created if missing (the memory engine never made it).
func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp := filepath.Join(dir, fmt.Sprintf("temp-%d.rdb", os.Getpid()))
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
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
