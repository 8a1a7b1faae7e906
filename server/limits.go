package server

import (
	"sync/atomic"
	"time"
)

// limits are the per-client limits, read on hot paths, copied from the
// configuration by applyConfig.
type limits struct {
	idleTimeout atomic.Int64                // seconds; 0 disables ("timeout")
	queryBuf    atomic.Int64                // bytes ("client-query-buffer-limit")
	outNormal   atomic.Pointer[outputLimit] // "client-output-buffer-limit normal …"
}

func (l *limits) apply(cfg *Config) {
	l.idleTimeout.Store(atoi64(cfg.tuning["timeout"]))
	l.queryBuf.Store(atoi64(cfg.tuning["client-query-buffer-limit"]))
	m, _, _ := parseOutputLimits(cfg.ClientOutputBufferLimit)
	normal := m["normal"]
	l.outNormal.Store(&normal)
}

// checkOutputLimit disconnects c when the reply bytes waiting for it pass
// the normal class limit. The soft limit counts from when it was first
// passed, as in Redis.
func (s *Server) checkOutputLimit(c *Client) {
	l := s.limits.outNormal.Load()
	hard, soft := l.hard, l.soft
	if hard == 0 && soft == 0 {
		return
	}
	n := int64(c.out.Buffered())
	over := hard > 0 && n > hard
	if !over && soft > 0 && n > soft {
		now := time.Now().Unix()
		if c.softSince == 0 {
			c.softSince = now
		}
		over = now-c.softSince >= l.softSeconds
	} else if soft > 0 {
		c.softSince = 0
	}
	if over {
		s.limitKill(c, "output buffer limit", "omem", n)
	}
}

// limitKill disconnects a client that broke a limit and logs it; the
// server and the other clients carry on.
func (s *Server) limitKill(c *Client, why, what string, n int64) {
	s.stats.limitKills.Add(1)
	s.log.Warn("client closed for overcoming "+why, "client", c.addr, "id", c.ID, what, n)
	c.quitting = true
	c.out.Discard()
	s.stopCounting(c) // its buffers are being freed
	c.kill()
}

// checkQueueLimits makes the cron's output limit check of every client
// with an output queue (subscribers, tracking clients). Other clients'
// replies wait in their own buffers only until their next write, which
// checks (checkOutputLimit).
func (s *Server) checkQueueLimits() {
	for _, c := range s.clients.snapshot() {
		if o := c.box.Load(); o != nil {
			o.cronCheck()
		}
	}
}

// reapIdle closes clients idle for longer than timeout. MONITOR clients
// and blocked clients are exempt, as in Redis.
func (s *Server) reapIdle() {
	t := s.limits.idleTimeout.Load()
	if t <= 0 {
		return
	}
	now := s.clock.Now().UnixMilli()
	for _, c := range s.clients.snapshot() {
		if c.monitor.Load() || s.blocking.isBlocked(c.ID) {
			continue
		}
		if idle := (now - c.lastInteraction.Load()) / 1000; idle > t {
			s.stats.limitKills.Add(1)
			s.log.Info("closing idle client", "client", c.addr, "id", c.ID, "idle", idle)
			c.kill()
		}
	}
}
