package server

import "sync/atomic"

// serverStats are the server-wide counters INFO stats reports.
type serverStats struct {
	commands   atomic.Int64 // commands executed
	errors     atomic.Int64 // error replies sent
	rejected   atomic.Int64 // connections refused (maxclients)
	limitKills atomic.Int64 // clients closed for breaking a limit
	peakMem    atomic.Int64 // highest used memory INFO has seen
}

// resetStats zeroes the counters CONFIG RESETSTAT resets.
func (s *Server) resetStats() {
	s.stats.commands.Store(0)
	s.stats.errors.Store(0)
	s.stats.rejected.Store(0)
	st := s.store.Stats()
	st.ExpiredKeys.Store(0)
	st.EvictedKeys.Store(0)
	st.KeyspaceHits.Store(0)
	st.KeyspaceMisses.Store(0)
	s.resetCommandStats()
	for _, c := range []*atomic.Int64{&s.acl.log.deniedAuth, &s.acl.log.deniedCmd, &s.acl.log.deniedKey, &s.acl.log.deniedChannel} {
		c.Store(0)
	}
}

// notePeakMemory records used as a candidate peak and returns the peak.
func (st *serverStats) notePeakMemory(used int64) int64 {
	for {
		p := st.peakMem.Load()
		if used <= p {
			return p
		}
		if st.peakMem.CompareAndSwap(p, used) {
			return used
		}
	}
}
