package server

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/cairn-db/cairn/protocol"
	"github.com/cairn-db/cairn/store"
	"github.com/cairn-db/cairn/store/pebblestore"
)

// persistState is the server's view of durability: acknowledgement
// barriers, SAVE/BGSAVE checkpoints and the figures INFO persistence
// reports.
type persistState struct {
	s *Server

	saveMu         sync.Mutex // one checkpoint at a time
	saving         atomic.Bool
	resave         atomic.Bool                    // FLUSHALL came during a save: save again once it ends
	snapshot       atomic.Pointer[store.Snapshot] // the memory engine's save under way (FLUSHALL aborts it)
	rewriting      atomic.Bool                    // BGREWRITEAOF's fold runs
	rewriteOK      atomic.Bool                    // the last one succeeded
	lastSave       atomic.Int64                   // unix seconds of the last successful save
	lastSaveOK     atomic.Bool                    // status of the last BGSAVE
	lastTry        atomic.Int64                   // unix seconds of the last background save's start
	lastSaveDur    atomic.Int64                   // seconds the last save took, -1 before any
	committedAtSav atomic.Uint64                  // engine commits at the last save
	// changes counts key changes (one per keyspace event, as Redis's
	// dirty counts signalModifiedKey-worthy changes); with the memory
	// engine rdb_changes_since_last_save is changes less changesAtSave,
	// its value when the last RDB save began.
	changes       atomic.Uint64
	changesAtSave atomic.Uint64
	flushed       atomic.Uint64 // store commits a completed Flush covers
	lastSavePath  atomic.Pointer[string]
}

func (p *persistState) init(s *Server) {
	p.s = s
	p.lastSave.Store(s.started.Unix())
	p.lastSaveOK.Store(true)
	p.rewriteOK.Store(true)
	p.lastSaveDur.Store(-1)
	if s.engine != nil {
		p.committedAtSav.Store(s.engine.Metrics().Committed)
	}
	empty := ""
	p.lastSavePath.Store(&empty)
}

func persistCommands() []*Command {
	const admin = FlagAdmin | FlagNoScript
	return []*Command{
		cmd("save", 1, admin|FlagNoMulti|FlagNoAsyncLoading, cmdSave),
		cmd("bgsave", -1, admin|FlagNoAsyncLoading, cmdBgsave),
		cmd("lastsave", 1, FlagFast|FlagLoading|FlagStale, cmdLastSave),
		cmd("bgrewriteaof", 1, admin|FlagNoAsyncLoading, cmdBgRewriteAOF),
	}
}

// save writes a checkpoint (pebble engine) or the RDB file (memory
// engine, save_rdb.go).
func (p *persistState) save() (string, error) {
	if p.s.engine == nil {
		p.saveMu.Lock()
		return p.saveSnapshot(nil)
	}
	return p.checkpoint()
}

// SAVE: write a checkpoint (or, on the memory engine, the RDB file) now
// and answer when it is complete.
func cmdSave(c *Context) error {
	s := c.Server
	if s.persist.saving.Load() {
		return protocol.Error("ERR Background save already in progress")
	}
	if _, err := s.persist.save(); err != nil {
		return protocol.Error("ERR " + err.Error())
	}
	c.Out.OK()
	return nil
}

// BGSAVE [SCHEDULE]: start a checkpoint (or the RDB file) and answer at
// once. A checkpoint folds the journal into Pebble (at most a segment,
// about a second) and hard-links sstables; neither holds the keyspace
// lock. The RDB file's encoding does hold it (WriteRDB), its writing not.
func cmdBgsave(c *Context) error {
	s := c.Server
	if len(c.Args) > 2 || (len(c.Args) == 2 && !protocol.EqualFold(c.Args[1], "schedule")) {
		return protocol.ErrSyntax
	}
	if !s.bgsave(c.Tx) {
		return protocol.Error("ERR Background save already in progress")
	}
	c.Out.Status("Background saving started")
	return nil
}

// bgsave starts a save in the background, unless one runs already; tx
// is the transaction the caller runs in (BGSAVE in MULTI), or nil.
func (s *Server) bgsave(tx *store.Tx) bool {
	p := &s.persist
	if !p.saving.CompareAndSwap(false, true) {
		return false
	}
	// On the memory engine the save takes the file (saveMu) now, or finds
	// a SAVE writing it, and fixes its point in time before the reply, as
	// Redis forks before it answers: a write after BGSAVE is not in the
	// file. (A failure to start is the save's to report.)
	var snap *store.Snapshot
	if s.engine == nil {
		if !p.saveMu.TryLock() {
			p.saving.Store(false)
			return false
		}
		if tx != nil {
			snap, _ = tx.StartSnapshot(s.rdbOptions())
		} else {
			snap, _ = s.store.StartSnapshot(s.rdbOptions())
		}
		if snap != nil {
			p.snapshot.Store(snap)
		}
	}
	p.lastTry.Store(s.clock.Now().Unix())
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		defer p.saving.Store(false)
		var err error
		if s.engine == nil {
			lowerSaveThreadPriority()
			_, err = p.saveSnapshot(snap) // releases the saveMu taken above
		} else {
			_, err = p.save()
		}
		if err != nil && !errors.Is(err, store.ErrSnapshotAborted) { // FLUSHALL saved instead
			s.log.Error("BGSAVE failed", "err", err)
		}
	}()
	return true
}

// errNoJournal answers BGREWRITEAOF with the memory engine.
var errNoJournal = protocol.Error("ERR BGREWRITEAOF needs the pebble engine; this server runs with --engine memory")

// BGREWRITEAOF: fold the whole journal into Pebble in the background and
// answer at once. The journal is Cairn's AOF and the fold its rewrite: it
// leaves Pebble holding every write, and the journal empty. The
// background fold does the same segment by segment as the journal grows
// (auto-aof-rewrite-min-size).
func cmdBgRewriteAOF(c *Context) error {
	s := c.Server
	if s.engine == nil {
		return errNoJournal
	}
	p := &s.persist
	if !p.rewriting.CompareAndSwap(false, true) {
		return protocol.Error("ERR Background append only file rewriting already in progress")
	}
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		defer p.rewriting.Store(false)
		err := s.engine.FoldAll()
		p.rewriteOK.Store(err == nil)
		if err != nil {
			s.log.Error("BGREWRITEAOF failed", "err", err)
		}
	}()
	c.Out.Status("Background append only file rewriting started")
	return nil
}

// LASTSAVE: unix time of the last successful save (the start time before
// any).
func cmdLastSave(c *Context) error {
	c.Out.Int(c.Server.persist.lastSave.Load())
	return nil
}

// checkpointDir is the directory that holds one subdirectory per save.
func (s *Server) checkpointDir() string {
	cfg := s.config()
	if cfg.CheckpointDir != "" {
		return cfg.CheckpointDir
	}
	return pebblestore.DefaultCheckpointDir(cfg.Dir)
}

// checkpoint writes <checkpoint-dir>/<UTC time> and returns its path.
func (p *persistState) checkpoint() (string, error) {
	p.saveMu.Lock()
	defer p.saveMu.Unlock()
	s := p.s
	start := time.Now()
	committed := s.engine.Metrics().Committed
	base := filepath.Join(s.checkpointDir(), s.clock.Now().UTC().Format("20060102T150405.000Z"))
	dest := base
	for i := 1; ; i++ {
		if _, err := os.Stat(dest); errors.Is(err, os.ErrNotExist) {
			break
		}
		dest = base + "-" + strconv.Itoa(i)
	}
	if err := s.engine.Checkpoint(dest); err != nil {
		p.lastSaveOK.Store(false)
		return "", err
	}
	p.lastSaveOK.Store(true)
	p.lastSave.Store(s.clock.Now().Unix())
	p.lastSaveDur.Store(int64(time.Since(start).Seconds()))
	p.committedAtSav.Store(committed)
	p.lastSavePath.Store(&dest)
	s.log.Info("checkpoint saved", "path", dest)
	return dest, nil
}

// misconf is the error write commands get once the engine failed to
// write, as Redis answers when its AOF cannot be written.
func misconf(err error) protocol.Error {
	msg := err.Error()
	var errno syscall.Errno
	if errors.As(err, &errno) {
		msg = errno.Error()
		if len(msg) > 0 && 'a' <= msg[0] && msg[0] <= 'z' {
			msg = string(msg[0]-'a'+'A') + msg[1:] // strerror's capital
		}
	}
	return protocol.Error("MISCONF Errors writing to the AOF file: " + msg)
}

// ackDurable runs before a connection's replies leave: if the client
// wrote since its last barrier, it waits until those writes are as
// durable as appendfsync promises (one barrier shared with every client
// waiting at the time). If the disk failed, the replies are not sent: the
// writes were not acknowledged, and the connection is closed so the
// client sees an error rather than an OK it cannot trust.
func (s *Server) ackDurable(c *Client) error {
	if !c.needFlush {
		return nil
	}
	c.needFlush = false
	err := s.flushStore()
	if err == nil {
		return nil
	}
	s.writeFailed(c, err)
	return err
}

// writeFailed handles a write the disk refused: the client's buffered
// replies must not leave (they would acknowledge it), so they are dropped
// and the connection closed; later writes get MISCONF.
func (s *Server) writeFailed(c *Client, err error) {
	if !errors.Is(err, store.ErrClosed) { // closed: the server is exiting
		s.log.Error("writing to disk failed; refusing writes", "err", err)
	}
	c.abort()
}

// flushStore makes every commit so far durable (store.Flush), and records
// how many that covers.
func (s *Server) flushStore() error {
	target := s.store.Commits()
	err := s.store.Flush()
	if err == nil {
		for cur := s.persist.flushed.Load(); cur < target && !s.persist.flushed.CompareAndSwap(cur, target); {
			cur = s.persist.flushed.Load()
		}
	}
	return err
}

// unflushed reports whether a commit is waiting for a Flush. After a
// write error none will ever complete; reads go on without one, as in
// Redis after MISCONF.
func (s *Server) unflushed() bool {
	return s.store.Commits() > s.persist.flushed.Load() && s.store.WriteError() == nil
}

// settleReplies makes the writes a client's buffered replies acknowledge
// durable, before the replies leave. An event loop's client is left to
// the loop, which runs one barrier for every client of its round.
func (s *Server) settleReplies(c *Client) {
	if c.needFlush && !c.conn.inLoop() {
		s.ackDurable(c)
	}
}

// closeAfterReplies sends the buffered replies, once the writes they
// acknowledge are durable, and closes the connection (QUIT, CLIENT KILL
// of itself). conn.Close flushes its buffer directly, without the
// writer's hook.
func (c *Client) closeAfterReplies() {
	if c.srv.ackDurable(c) != nil {
		return // abort closed the connection without the replies
	}
	c.conn.Close()
}

// abort drops the unsent replies and the rest of the pipeline, and closes
// the connection.
func (c *Client) abort() {
	c.out.Discard()
	c.conn.ReadPipeline()
	c.quitting = true
	c.kill()
}

func (s *Server) infoPersistence(w *infoWriter) {
	p := &s.persist
	b01 := func(v bool) int {
		if v {
			return 1
		}
		return 0
	}
	okErr := func(v bool) string {
		if v {
			return "ok"
		}
		return "err"
	}
	if s.loading.Load() {
		w.field("loading", 1)
		w.field("async_loading", 0)
		w.field("loading_start_time", s.loadStart.Unix())
	} else {
		w.field("loading", 0)
		w.field("async_loading", 0)
	}
	if s.engine == nil {
		w.field("rdb_changes_since_last_save", p.changes.Load()-min(p.changes.Load(), p.changesAtSave.Load()))
		w.field("rdb_bgsave_in_progress", b01(p.saving.Load()))
		w.field("rdb_last_save_time", p.lastSave.Load())
		w.field("rdb_last_bgsave_status", okErr(p.lastSaveOK.Load()))
		w.field("rdb_last_bgsave_time_sec", p.lastSaveDur.Load())
		w.field("aof_enabled", 0)
		w.field("aof_rewrite_in_progress", 0)
		w.field("aof_last_write_status", "ok")
		return
	}
	m := s.engine.Metrics()
	w.field("rdb_changes_since_last_save", m.Committed-min(m.Committed, p.committedAtSav.Load()))
	w.field("rdb_bgsave_in_progress", b01(p.saving.Load()))
	w.field("rdb_last_save_time", p.lastSave.Load())
	w.field("rdb_last_bgsave_status", okErr(p.lastSaveOK.Load()))
	w.field("rdb_last_bgsave_time_sec", p.lastSaveDur.Load())
	w.field("aof_enabled", 1)
	w.field("aof_rewrite_in_progress", b01(p.rewriting.Load()))
	w.field("aof_rewrite_scheduled", 0)
	w.field("aof_last_bgrewrite_status", okErr(p.rewriteOK.Load()))
	w.field("aof_last_write_status", okErr(m.LastError == ""))
	w.field("aof_last_cow_size", 0)
	w.field("cairn_appendfsync", m.Mode)
	w.field("cairn_dir", s.engine.Dir())
	w.field("cairn_checkpoint_dir", s.checkpointDir())
	w.field("cairn_last_checkpoint", *p.lastSavePath.Load())
	w.field("cairn_unsynced_commits", m.Unsynced)
	w.field("cairn_wal_barriers", m.Flushes)
	w.field("cairn_fsyncs", m.Fsyncs)
	avg := int64(0)
	if m.Fsyncs > 0 {
		avg = m.FsyncTotal.Microseconds() / m.Fsyncs
	}
	w.field("cairn_fsync_avg_usec", avg)
	w.field("cairn_fsync_max_usec", m.FsyncMax.Microseconds())
	w.field("cairn_disk_bytes", m.DiskBytes)
	w.field("cairn_wal_bytes_written", m.WALBytesWritten)
	w.field("cairn_journal_folds", m.Folds)
	w.field("cairn_memtable_flushes", m.MemtableFlushes)
	w.field("cairn_compactions", m.Compactions)
	w.field("cairn_read_amp", m.ReadAmp)
	if m.LastError != "" {
		w.field("cairn_last_write_error", m.LastError)
	}
}

// EngineMetrics returns the Pebble engine's figures (fsync latency, disk
// usage, compactions) for the metrics exporter; ok is false with the
// memory engine.
func (s *Server) EngineMetrics() (m pebblestore.Metrics, ok bool) {
	if s.engine == nil {
		return m, false
	}
	return s.engine.Metrics(), true
}
