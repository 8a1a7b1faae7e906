package server

import (
	"errors"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/cairn-db/cairn/protocol"
)

// Shutting down follows Redis 7 (server.c prepareForShutdown and
// finishShutdown), for SHUTDOWN and for SIGTERM and SIGINT alike: with
// save points configured (the save directive), or when asked to (SAVE),
// the dataset is saved first — on the memory engine, dump.rdb — and a
// save that fails keeps the server running, unless FORCE; NOSAVE skips
// it. The Pebble engine holds every write already: its log is synced as
// the server closes, and only an explicit SAVE adds a checkpoint. Cairn
// has no replicas to wait for, so NOW and shutdown-timeout change
// nothing; SHUTDOWN ABORT cancels a shutdown still saving.

// errShutdownFailed is what a SHUTDOWN that did not happen answers.
const errShutdownFailed protocol.Error = "ERR Errors trying to SHUTDOWN. Check logs."

// shutdownState lets one shutdown run at a time, and SHUTDOWN ABORT stop
// one that is still saving.
type shutdownState struct {
	run sync.Mutex // held for a whole shutdown attempt

	mu        sync.Mutex
	running   bool // saving: not yet committed to closing
	aborted   bool
	committed bool // the server is to close
}

// SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]: on success the server
// closes, and with it this connection, without a reply.
func cmdShutdown(c *Context) error {
	var flags shutdownFlags
	abort := false
	for _, a := range c.Args[1:] {
		f, ok := shutdownFlagNamed(string(a))
		switch {
		case ok:
			flags |= f
		case protocol.EqualFold(a, "abort"):
			abort = true
		default:
			return protocol.ErrSyntax
		}
	}
	if (abort && flags != 0) || (flags&shutdownSave != 0 && flags&shutdownNoSave != 0) {
		return protocol.ErrSyntax
	}
	s := c.Server
	if abort {
		if !s.abortShutdown() {
			return protocol.Error("ERR No shutdown in progress.")
		}
		c.Out.OK()
		return nil
	}
	if r := s.scripts.running.Load(); r != nil && flags&shutdownNoSave == 0 && s.scriptBusy() {
		return r.busyError() // the save would wait for the script's lock
	}
	if err := s.prepareShutdown(flags, false); err != nil {
		return err
	}
	c.Client.quitting = true
	c.Client.conn.ReadPipeline()
	go s.Close() // Close waits for this command's goroutine
	return nil
}

// ShutdownOnSignal shuts the server down for SIGINT or SIGTERM as
// redis-server does, with the flags shutdown-on-sigint or
// shutdown-on-sigterm give (by default: save first when save points are
// configured). It returns once the server has closed (Done), with
// Close's error; or, when the final save failed or SHUTDOWN ABORT came,
// with the error, the server still running.
func (s *Server) ShutdownOnSignal(sig os.Signal) error {
	cfg := s.config()
	var flags shutdownFlags
	msg := "Received shutdown signal, scheduling shutdown..."
	switch sig {
	case syscall.SIGINT:
		flags, msg = cfg.shutdownOnSigint, "Received SIGINT scheduling shutdown..."
	case syscall.SIGTERM:
		flags, msg = cfg.shutdownOnSigterm, "Received SIGTERM scheduling shutdown..."
	}
	if s.loading.Load() {
		msg = "Received shutdown signal during loading, scheduling shutdown."
	}
	s.log.Warn(msg)
	if err := s.prepareShutdown(flags, true); err != nil {
		return err
	}
	return s.Close()
}

// AbandonShutdown is for a second SIGINT while a shutdown saves, which
// Redis takes as "exit now, without saving": it says so in the log and
// removes the temporary file the save was writing. The daemon then exits
// at once, with status 1.
func (s *Server) AbandonShutdown() {
	s.log.Warn("You insist... exiting now.")
	os.Remove(tempRDBPath(s.rdbPath()))
}

// prepareShutdown decides whether the server may close: it saves first
// when flags and the save points say so, and returns errShutdownFailed
// when that failed (without FORCE) or SHUTDOWN ABORT came meanwhile. On
// nil the caller closes the server. A shutdown for a signal waits while
// DEBUG PAUSE-CRON holds the cron, where Redis acts on the signal.
func (s *Server) prepareShutdown(flags shutdownFlags, signal bool) error {
	sd := &s.shutdown
	sd.run.Lock()
	defer sd.run.Unlock()
	sd.mu.Lock()
	if sd.committed || s.ctx.Err() != nil {
		sd.mu.Unlock()
		return nil // an earlier shutdown, or Close, is closing the server
	}
	sd.running, sd.aborted = true, false
	sd.mu.Unlock()
	defer sd.stop()
	for signal && s.cronPaused.Load() && !sd.abortedNow() {
		time.Sleep(10 * time.Millisecond)
	}
	if sd.abortedNow() {
		return errShutdownFailed // logged by SHUTDOWN ABORT
	}
	s.log.Warn("User requested shutdown...")
	if s.loading.Load() {
		// A half-loaded dataset must not overwrite the saved one.
		flags = flags&^shutdownSave | shutdownNoSave
	}
	committed, err := s.finalSave(flags)
	switch {
	case errors.Is(err, errShutdownAborted):
		return errShutdownFailed // logged by SHUTDOWN ABORT
	case err != nil && flags&shutdownForce == 0:
		s.log.Warn("Error trying to save the DB, can't exit.")
		s.log.Warn("Errors trying to shut down the server. Check the logs for more information.")
		return errShutdownFailed
	case err != nil:
		s.log.Warn("Error trying to save the DB. Exit anyway.")
	}
	if !committed && sd.commit() != nil {
		return errShutdownFailed
	}
	s.log.Warn("Cairn is now ready to exit, bye bye...")
	return nil
}

// errShutdownAborted is a shutdown's own error after SHUTDOWN ABORT.
var errShutdownAborted = errors.New("shutdown aborted")

// commit decides a running shutdown: from here on SHUTDOWN ABORT cannot
// stop it. It fails with errShutdownAborted when ABORT came first.
func (sd *shutdownState) commit() error {
	sd.mu.Lock()
	defer sd.mu.Unlock()
	sd.running = false
	if sd.aborted {
		return errShutdownAborted
	}
	sd.committed = true
	return nil
}

// ShutdownUnderWay reports whether a shutdown runs that SHUTDOWN ABORT
// has not stopped: a second SIGINT then means "exit now".
func (s *Server) ShutdownUnderWay() bool {
	sd := &s.shutdown
	sd.mu.Lock()
	defer sd.mu.Unlock()
	return (sd.running || sd.committed) && !sd.aborted
}

// abortedNow reports whether SHUTDOWN ABORT came.
func (sd *shutdownState) abortedNow() bool {
	sd.mu.Lock()
	defer sd.mu.Unlock()
	return sd.aborted
}

// stop marks the shutdown attempt over, whatever its outcome.
func (sd *shutdownState) stop() {
	sd.mu.Lock()
	sd.running = false
	sd.mu.Unlock()
}

// abortShutdown is SHUTDOWN ABORT: it stops a shutdown that is still
// saving, and reports whether there was one.
func (s *Server) abortShutdown() bool {
	sd := &s.shutdown
	sd.mu.Lock()
	defer sd.mu.Unlock()
	if !sd.running {
		return false
	}
	sd.aborted = true
	s.log.Info("Shutdown manually aborted.")
	return true
}

// finalSave is the save before exiting: the memory engine writes its RDB
// file when save points are configured or flags hold SAVE, and, once it
// is in place, commits the shutdown with the keyspace lock still held
// (saveRDBFinal), which it reports; the Pebble engine, which has every
// write in its log, makes a checkpoint only for SAVE.
func (s *Server) finalSave(flags shutdownFlags) (committed bool, err error) {
	if flags&shutdownNoSave != 0 {
		return false, nil
	}
	if flags&shutdownSave == 0 && (s.engine != nil || !s.hasSavePoints()) {
		return false, nil
	}
	if s.engine != nil {
		s.log.Info("Saving a final checkpoint before exiting.")
		_, err := s.persist.checkpoint()
		return false, err
	}
	s.log.Info("Saving the final RDB snapshot before exiting.")
	err = s.persist.saveRDBFinal(s.shutdown.commit)
	return err == nil, err
}

// hasSavePoints reports whether the save directive holds save points
// (Redis's saveparamslen > 0).
func (s *Server) hasSavePoints() bool {
	return strings.TrimSpace(s.tuning("save")) != ""
}
