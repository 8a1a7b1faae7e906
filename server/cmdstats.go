package server

import (
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// cmdStats are one command's figures, for INFO commandstats and the
// Prometheus metrics. Each Command of a server's table points to its own,
// resolved once when the table is built, so the dispatcher never looks a
// label up while a command runs.
type cmdStats struct {
	rejected atomic.Int64 // refused before running (arity, auth, ACL…)
	failed   atomic.Int64 // ran and replied with an error

	// latency has every execution (successful or failed, not rejections)
	// since start by its time: its count is cairn_commands_total and, less
	// callsBase, INFO's calls; its sum, less usecBase, INFO's usec. A call
	// so costs two atomic adds instead of five.
	latency             durationHistogram
	callsBase, usecBase atomic.Int64         // the totals at CONFIG RESETSTAT
	wait                prometheus.Histogram // seconds blocked, for blocking commands

	latMu sync.Mutex   // guards track
	track latencyTrack // what latency-tracking reports of latency (latency_tracking.go)

	errMu sync.Mutex
	errs  map[string]prometheus.Counter // by error kind, created on first use
}

// calls is the number of executions since start or CONFIG RESETSTAT.
func (st *cmdStats) calls() int64 { return max(0, int64(st.latency.count())-st.callsBase.Load()) }

// usec is their total time in microseconds.
func (st *cmdStats) usec() int64 { return max(0, st.latency.sum().Microseconds()-st.usecBase.Load()) }

// errorStats counts error replies by their first word (ERR, WRONGTYPE…),
// as INFO errorstats does. Errors are the rare path, so a mutex is fine.
type errorStats struct {
	mu     sync.Mutex
	counts map[string]int64
}

func (e *errorStats) add(kind string) {
	e.mu.Lock()
	if e.counts == nil {
		e.counts = map[string]int64{}
	}
	e.counts[kind]++
	e.mu.Unlock()
}

func (e *errorStats) snapshot() map[string]int64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make(map[string]int64, len(e.counts))
	for k, v := range e.counts {
		out[k] = v
	}
	return out
}

func (e *errorStats) reset() {
	e.mu.Lock()
	e.counts = nil
	e.mu.Unlock()
}

// errorKind is the error code of a reply text: its first word, as Redis
// reports it in errorstats ("ERR", "WRONGTYPE", "NOAUTH").
func errorKind(msg string) string {
	if i := strings.IndexByte(msg, ' '); i > 0 {
		msg = msg[:i]
	}
	if len(msg) > 128 {
		msg = msg[:128]
	}
	return msg
}

// monoStart anchors monotonic; monoStartMs is its Unix time in ms.
var (
	monoStart   = time.Now()
	monoStartMs = monoStart.UnixMilli()
)

// monotonic is the time since monoStart on the monotonic clock. It takes
// one clock read where time.Now takes two (wall and monotonic), and the
// dispatcher reads the clock around every command.
func monotonic() time.Duration { return time.Since(monoStart) }

// commandDone records a command that ran: its call, its duration, a
// failure, the slow log. It is on the hot path of every command and
// allocates nothing unless the command is slow or failed. start is the
// command's monotonic() start; its end becomes the start of the next
// command of the batch (Client.clockMark), one clock read per command.
func (s *Server) commandDone(c *Client, cmd *Command, args [][]byte, start time.Duration, err error) {
	end := monotonic()
	c.clockMark = end
	d := end - start
	if c.ctx.waited != 0 {
		d -= c.ctx.waited
		c.ctx.waited = 0
	}
	st := cmd.stats
	if st == nil {
		return
	}
	us := d.Microseconds()
	st.latency.observe(d)
	if err != nil {
		st.failed.Add(1)
	}
	if th := s.latencyThreshold.Load(); th > 0 && d.Milliseconds() >= th {
		s.commandLatencyEvent(cmd, d)
	}
	if limit := s.slowlogSlower.Load(); limit >= 0 && us >= limit && cmd.Flags&FlagSkipSlowlog == 0 {
		s.slowlog.add(c, redactArgs(cmd, args), s.now(), us)
	}
}

// commandRejected records a command refused before it ran.
func (s *Server) commandRejected(cmd *Command) {
	if cmd != nil && cmd.stats != nil {
		cmd.stats.rejected.Add(1)
	}
}

// errorReplied counts an error reply by kind, server-wide and for cmd
// (which is nil for unknown commands).
func (s *Server) errorReplied(cmd *Command, msg string) {
	kind := errorKind(msg)
	s.stats.errors.Add(1)
	s.errStats.add(kind)
	if cmd == nil || cmd.stats == nil {
		return
	}
	st := cmd.stats
	st.errMu.Lock()
	ctr, ok := st.errs[kind]
	if !ok && s.metrics != nil {
		ctr = s.metrics.commandErrors.WithLabelValues(cmd.FullName(), kind)
		st.errs[kind] = ctr
	}
	st.errMu.Unlock()
	if ctr != nil {
		ctr.Inc()
	}
}

// recordBlockedWait is told by the blocking framework how long a command
// waited (served, timed out, unblocked or gone): it goes to the
// blocking-wait histogram and is left out of the command's latency, as
// Redis leaves blocked time out of commandstats.
func (s *Server) recordBlockedWait(c *Context, d time.Duration) {
	c.waited += d
	if cmd := c.Cmd; cmd != nil && cmd.stats != nil && cmd.stats.wait != nil {
		cmd.stats.wait.Observe(d.Seconds())
	}
}

// forEachCommand calls f for every command and subcommand of the table.
func (t *Table) forEachCommand(f func(*Command)) {
	for _, c := range t.sorted() {
		if c.Handler != nil || c.Subcommands == nil {
			f(c)
		}
		for _, sub := range c.subs() {
			f(sub)
		}
	}
}

// resetCommandStats zeroes what CONFIG RESETSTAT resets. The Prometheus
// series are monotonic and are not touched.
func (s *Server) resetCommandStats() {
	s.table.forEachCommand(func(c *Command) {
		if st := c.stats; st != nil {
			st.callsBase.Store(int64(st.latency.count()))
			st.usecBase.Store(st.latency.sum().Microseconds())
			st.rejected.Store(0)
			st.failed.Store(0)
			st.resetTracking(s.latencyTracking.Load())
		}
	})
	s.errStats.reset()
}
