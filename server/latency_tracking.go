package server

import (
	"strconv"
	"strings"
)

// Per-command latency tracking, as Redis 7's latency-tracking: INFO
// latencystats and LATENCY HISTOGRAM report each command's HDR histogram.
// The counters are the command's durationHistogram, which always records
// (the Prometheus metrics need it); what Redis would not have recorded is
// subtracted when reporting:
//   - CONFIG RESETSTAT takes a base snapshot, subtracted from then on;
//   - turning latency-tracking off freezes the reported counts (a copy),
//     and turning it on again adds what was recorded meanwhile to the base.
//
// All of it happens off the command path, under the command's latMu.
type latencyTrack struct {
	base   *hdrSnapshot // counts not reported: before RESETSTAT, or while tracking was off
	frozen *hdrSnapshot // the counts when tracking was turned off; nil while it is on
}

// latencyView is the histogram latency-tracking reports for st: nil when
// nothing was recorded since the last reset (Redis has no histogram then).
// tracking is the latency-tracking setting.
func (st *cmdStats) latencyView(tracking bool) *hdrSnapshot {
	live := st.latency.counts.Load()
	if live == nil {
		return nil
	}
	st.latMu.Lock()
	defer st.latMu.Unlock()
	var s *hdrSnapshot
	switch {
	case tracking:
		s = live.snapshot()
	case st.track.frozen != nil:
		s = st.track.frozen.clone()
	default: // first run while tracking was off
		return nil
	}
	s.sub(st.track.base)
	if s.total == 0 {
		return nil
	}
	return s
}

// setTracking follows a change of latency-tracking.
func (st *cmdStats) setTracking(on bool) {
	live := st.latency.counts.Load()
	if live == nil {
		return
	}
	st.latMu.Lock()
	defer st.latMu.Unlock()
	if !on {
		st.track.frozen = live.snapshot()
		return
	}
	// Everything recorded since it was frozen was not tracked.
	now := live.snapshot()
	now.sub(st.track.frozen)
	base := st.track.base.clone()
	base.add(now)
	st.track.base, st.track.frozen = base, nil
}

// resetTracking drops the reported histogram (CONFIG RESETSTAT).
func (st *cmdStats) resetTracking(tracking bool) {
	live := st.latency.counts.Load()
	if live == nil {
		return
	}
	st.latMu.Lock()
	defer st.latMu.Unlock()
	if tracking {
		st.track.base = live.snapshot()
	} else {
		st.track.base = st.track.frozen.clone()
	}
}

// applyLatencyTracking follows CONFIG SET latency-tracking and
// latency-tracking-info-percentiles.
func (s *Server) applyLatencyTracking() {
	on := s.cfg.tuning["latency-tracking"] == "yes"
	ps, _ := parsePercentiles(s.cfg.tuning["latency-tracking-info-percentiles"])
	s.latencyPercentiles.Store(&ps)
	if s.latencyTracking.Swap(on) == on {
		return
	}
	s.table.forEachCommand(func(c *Command) {
		if c.stats != nil {
			c.stats.setTracking(on)
		}
	})
}

// infoLatencyStats writes INFO latencystats: one line per command with a
// histogram, the configured percentiles in microseconds.
func (s *Server) infoLatencyStats(w *infoWriter) {
	if !s.latencyTracking.Load() {
		return
	}
	ps := *s.latencyPercentiles.Load()
	s.table.forEachCommand(func(c *Command) {
		if c.stats == nil {
			return
		}
		h := c.stats.latencyView(true)
		if h == nil {
			return
		}
		var b strings.Builder
		for i, p := range ps {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString("p" + formatPercentile(p) + "=")
			b.WriteString(strconv.FormatFloat(float64(h.valueAt(p))/1000, 'f', 3, 64))
		}
		w.field("latency_percentiles_usec_"+c.FullName(), b.String())
	})
}

// parsePercentiles parses latency-tracking-info-percentiles: numbers
// between 0 and 100, separated by spaces; empty is allowed.
func parsePercentiles(v string) ([]float64, error) {
	fields := strings.Fields(v)
	out := make([]float64, 0, len(fields))
	for _, f := range fields {
		p, err := strconv.ParseFloat(f, 64)
		if err != nil {
			return nil, configError("Invalid latency-tracking-info-percentiles parameters")
		}
		if p < 0 || p > 100 {
			return nil, configError("latency-tracking-info-percentiles parameters should sit between [0.0,100.0]")
		}
		out = append(out, p)
	}
	return out, nil
}

// formatPercentile prints p as Redis does: "%f" without trailing zeros.
func formatPercentile(p float64) string {
	s := strconv.FormatFloat(p, 'f', 6, 64)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// latencyDirectives are the latency settings, kept in the tuning map so
// that CONFIG SET's copy-and-apply covers them.
func latencyDirectives() []directive {
	tuned := func(name string, norm func(string) (string, error)) directive {
		return directive{name: name,
			get: func(c *Config) string { return c.tuning[name] },
			set: func(c *Config, v string) error {
				n, err := norm(v)
				if err == nil {
					c.tuning[name] = n
				}
				return err
			}}
	}
	return []directive{
		tuned("latency-tracking", boolSetting("latency-tracking", "yes").normalize),
		tuned("latency-tracking-info-percentiles", func(v string) (string, error) {
			ps, err := parsePercentiles(v)
			out := make([]string, len(ps))
			for i, p := range ps {
				out[i] = formatPercentile(p)
			}
			return strings.Join(out, " "), err
		}),
		tuned("latency-monitor-threshold", intSetting("latency-monitor-threshold", "0", 0, longMax).normalize),
	}
}
