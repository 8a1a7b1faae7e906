package server

import (
	"errors"
	"fmt"
	"time"

	"github.com/cairn-db/cairn/protocol"
	"github.com/cairn-db/cairn/store"
)

// Loading in the background. With Config.LoadInBackground (the daemon's
// setting) Start listens before the store has read the engine's records
// back, as Redis listens while it loads its RDB or AOF: until the data is
// in memory a command answers LOADING, so clients and health checks see
// a server that is up but not ready instead of a refused connection
// (go-redis retries a LOADING reply). The store is opened unloaded and
// loaded on a goroutine of its own, under the keyspace lock.
//
// Only commands that Redis allows while loading (the loading flag) and
// that need no data run meanwhile; INFO runs outside a transaction and
// says loading:1. MULTI, EXEC and WATCH are refused too: a transaction
// queued now would run against the data once loaded, or against none.

// errLoading is Redis's reply to a command sent while the data loads.
const errLoading protocol.Error = "LOADING Redis is loading the dataset in memory"

// refusedWhileLoading are commands with the loading flag that would read
// or change the data. (CONFIG SET runs, and refuses only the settings
// Redis refuses while loading: see directive.deniedWhileLoading.)
var refusedWhileLoading = map[string]bool{
	"multi": true, "exec": true, "watch": true,
}

// runsWhileLoading reports whether cmd may run before the data is loaded.
func runsWhileLoading(cmd *Command) bool {
	return cmd.Flags&FlagLoading != 0 && !refusedWhileLoading[cmd.FullName()]
}

// loadInBackground loads the store's records, then the function
// libraries among them, and opens the server to every command. A load
// that fails closes the server, with the error as Close's.
func (s *Server) loadInBackground(gate <-chan struct{}, dir string) {
	defer s.bg.Done()
	if gate != nil { // tests hold the load here
		select {
		case <-gate:
		case <-s.ctx.Done():
		}
	}
	err := s.store.Load(s.ctx.Done()) // Close stops it
	if errors.Is(err, store.ErrLoadInterrupted) {
		s.log.Info("loading stopped: shutting down", "dir", dir)
		return
	}
	if err != nil {
		err = fmt.Errorf("load data directory %s: %w", dir, err)
	} else {
		err = s.importRDB(s.startRDB())
	}
	if err != nil {
		s.loadErr = err
		s.log.Error("loading failed; shutting down", "dir", dir, "err", err)
		go s.Close()
		return
	}
	s.loadStoredFunctions()
	s.loading.Store(false)
	s.log.Info("data loaded", "dir", dir, "seconds", time.Since(s.loadStart).Seconds())
	s.logReady()
}

// logReady logs redis-server's words for the moment every command runs:
// supervisors and test harnesses (Redis's own) wait for them.
func (s *Server) logReady() {
	s.log.Info("Ready to accept connections", "addr", s.Addr())
	close(s.ready)
}
