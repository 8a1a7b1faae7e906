package server

import (
	"strconv"
	"strings"
)

// Save points, as Redis's serverCron: on the memory engine a background
// save starts once, for some "save <seconds> <changes>" pair, at least
// that many changes were made and more than that many seconds passed
// since the last successful save. After a failed save the next try waits
// bgsaveRetryDelay, so a full disk is not hammered. The Pebble engine
// keeps every acknowledged write on disk by itself and takes no part.

// DefaultSavePoints are redis-server's save points when its config gives
// none, which the daemon (cmd/cairn) adopts; embedded servers keep none.
const DefaultSavePoints = "3600 1 300 100 60 10000"

// bgsaveRetryDelay is Redis's CONFIG_BGSAVE_RETRY_DELAY, in seconds.
const bgsaveRetryDelay = 5

// savePoint is one "seconds changes" pair.
type savePoint struct{ seconds, changes int64 }

// parseSavePoints reads the save directive's pairs (validated when set).
func parseSavePoints(v string) []savePoint {
	f := strings.Fields(v)
	points := make([]savePoint, 0, len(f)/2)
	for i := 0; i+1 < len(f); i += 2 {
		secs, _ := strconv.ParseInt(f[i], 10, 64)
		changes, _ := strconv.ParseInt(f[i+1], 10, 64)
		points = append(points, savePoint{secs, changes})
	}
	return points
}

// saveIfDue starts a background save when a save point is reached; the
// background cycle calls it once a second.
func (s *Server) saveIfDue() {
	if s.engine != nil || s.loading.Load() || s.persist.saving.Load() {
		return
	}
	p := &s.persist
	now := s.clock.Now().Unix()
	dirty := p.changes.Load() - min(p.changes.Load(), p.changesAtSave.Load())
	elapsed := now - p.lastSave.Load()
	retryOK := p.lastSaveOK.Load() || now-p.lastTry.Load() > bgsaveRetryDelay
	for _, sp := range parseSavePoints(s.tuning("save")) {
		if int64(dirty) >= sp.changes && elapsed > sp.seconds && retryOK {
			s.log.Info(strconv.FormatUint(dirty, 10) + " changes in " + strconv.FormatInt(sp.seconds, 10) + " seconds. Saving...")
			s.bgsave(nil)
			return
		}
	}
}
