package server

import (
	"fmt"
	"sort"
	"strings"
)

// infoCommandStats writes one cmdstat_<name> line per command that has
// run or been rejected since start or CONFIG RESETSTAT.
func (s *Server) infoCommandStats(w *infoWriter) {
	s.table.forEachCommand(func(c *Command) {
		st := c.stats
		if st == nil {
			return
		}
		calls, usec, rej, failed := st.calls(), st.usec(), st.rejected.Load(), st.failed.Load()
		if calls == 0 && rej == 0 {
			return
		}
		per := 0.0
		if calls > 0 {
			per = float64(usec) / float64(calls)
		}
		w.field("cmdstat_"+c.FullName(), fmt.Sprintf("calls=%d,usec=%d,usec_per_call=%.2f,rejected_calls=%d,failed_calls=%d", calls, usec, per, rej, failed))
	})
}

// infoErrorStats writes one errorstat_<KIND> line per error kind replied.
func (s *Server) infoErrorStats(w *infoWriter) {
	counts := s.errStats.snapshot()
	kinds := make([]string, 0, len(counts))
	for k := range counts {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		w.field("errorstat_"+strings.ToUpper(k), fmt.Sprintf("count=%d", counts[k]))
	}
}
