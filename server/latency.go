package server

import (
	"sort"
	"strings"
	"sync"
	"time"
)

// The latency monitor, as Redis's (latency.c): with latency-monitor-threshold
// set to N ms, every measured operation that takes N ms or more adds a
// sample to its event's time series. A series keeps the worst latency of
// each second it saw, for its last 160 such seconds, and the worst ever.
//
// Events Cairn records (Redis's names and definitions):
//   - command: a command without the fast flag, by its execution time;
//   - fast-command: a command with the fast flag (O(1) or O(log n));
//   - expire-cycle: one active-expiry cycle (server.expireCycle);
//   - eviction-cycle: the evictions one command triggered over maxmemory;
//   - eviction-del: the deletion of one evicted key;
//   - aof-fsync-always: an fsync of the journal under appendfsync always.
//
// Sample times come from the server clock, so a test's manual clock moves
// them.
const latencySamples = 160

// latencySample is the worst latency (ms) of one second (Unix time).
type latencySample struct {
	time, ms int64
}

// latencySeries is one event's samples: a ring, idx the next to write.
type latencySeries struct {
	idx     int
	max     int64
	samples [latencySamples]latencySample
}

// latest is the most recent sample.
func (ts *latencySeries) latest() latencySample {
	return ts.samples[(ts.idx+latencySamples-1)%latencySamples]
}

// each calls f for every sample, oldest first.
func (ts *latencySeries) each(f func(latencySample)) {
	for j := range latencySamples {
		if s := ts.samples[(ts.idx+j)%latencySamples]; s.time != 0 {
			f(s)
		}
	}
}

// latencyMonitor holds the series by event name.
type latencyMonitor struct {
	mu     sync.Mutex
	events map[string]*latencySeries
}

// add records a sample of ms milliseconds at Unix time now.
func (m *latencyMonitor) add(event string, now, ms int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	ts := m.events[event]
	if ts == nil {
		if m.events == nil {
			m.events = map[string]*latencySeries{}
		}
		ts = new(latencySeries)
		m.events[event] = ts
	}
	ts.max = max(ts.max, ms)
	// One sample per second: the same second keeps its worst.
	if prev := &ts.samples[(ts.idx+latencySamples-1)%latencySamples]; prev.time == now {
		prev.ms = max(prev.ms, ms)
		return
	}
	ts.samples[ts.idx] = latencySample{time: now, ms: ms}
	ts.idx = (ts.idx + 1) % latencySamples
}

// reset drops the series named event (case-insensitively), or every
// series for "", and returns how many it dropped.
func (m *latencyMonitor) reset(event string, all bool) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for name := range m.events {
		if all || strings.EqualFold(name, event) {
			delete(m.events, name)
			n++
		}
	}
	return n
}

// snapshot copies every series, in name order.
func (m *latencyMonitor) snapshot() (names []string, series []latencySeries) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for name := range m.events {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		series = append(series, *m.events[name])
	}
	return names, series
}

// get copies the series named event (the name is case-sensitive, as
// Redis's lookup).
func (m *latencyMonitor) get(event string) (latencySeries, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	ts, ok := m.events[event]
	if !ok {
		return latencySeries{}, false
	}
	return *ts, true
}

// latencyEvent adds a sample for event when d reaches
// latency-monitor-threshold.
func (s *Server) latencyEvent(event string, d time.Duration) {
	if th := s.latencyThreshold.Load(); th > 0 && d.Milliseconds() >= th {
		s.latency.add(event, s.now().Unix(), d.Milliseconds())
	}
}

// commandLatencyEvent records a command that reached the threshold (the
// caller checked it, on the command path).
func (s *Server) commandLatencyEvent(cmd *Command, d time.Duration) {
	event := "command"
	if cmd.Flags&FlagFast != 0 {
		event = "fast-command"
	}
	s.latency.add(event, s.now().Unix(), d.Milliseconds())
}
