package server

import (
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// limits are the per-client limits, read on hot paths, copied from the
// configuration by applyConfig.
type limits struct {
	idleTimeout atomic.Int64 // seconds; 0 disables ("timeout")
	queryBuf    atomic.Int64 // bytes ("client-query-buffer-limit")
	outNormal   outputLimit  // "client-output-buffer-limit normal …"
	outPubSub   outputLimit  // "client-output-buffer-limit pubsub …"
}

// outputLimit is one class of client-output-buffer-limit: over hard
// bytes, or over soft bytes for softSecs, a client is disconnected.
type outputLimit struct {
	hard, soft, softSecs atomic.Int64
}

func (l *limits) apply(cfg *Config) {
	l.idleTimeout.Store(atoi64(cfg.tuning["timeout"]))
	l.queryBuf.Store(atoi64(cfg.tuning["client-query-buffer-limit"]))
	parseOutputLimits(cfg.tuning["client-output-buffer-limit"], map[string]*outputLimit{
		"normal": &l.outNormal, "pubsub": &l.outPubSub,
	})
}

// parseOutputLimits reads "class hard soft secs …" into the classes given.
func parseOutputLimits(v string, classes map[string]*outputLimit) {
	f := strings.Fields(v)
	for i := 0; i+3 < len(f); i += 4 {
		l, ok := classes[strings.ToLower(f[i])]
		if !ok {
			continue
		}
		hard, _ := parseMemory(f[i+1])
		soft, _ := parseMemory(f[i+2])
		secs, _ := strconv.ParseInt(f[i+3], 10, 64)
		l.hard.Store(hard)
		l.soft.Store(soft)
		l.softSecs.Store(secs)
	}
}

// PubSubOutputLimit returns the pubsub class of client-output-buffer-limit
// (hard, soft bytes, soft seconds), for the pub/sub delivery code.
func (s *Server) PubSubOutputLimit() (hard, soft, softSecs int64) {
	l := &s.limits.outPubSub
	return l.hard.Load(), l.soft.Load(), l.softSecs.Load()
}

// checkOutputLimit disconnects c when the reply bytes waiting for it pass
// the normal class limit. The soft limit counts from when it was first
// passed, as in Redis.
func (s *Server) checkOutputLimit(c *Client) {
	l := &s.limits.outNormal
	hard, soft := l.hard.Load(), l.soft.Load()
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
		over = now-c.softSince >= l.softSecs.Load()
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
	c.kill()
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
