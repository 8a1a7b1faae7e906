package server

import (
	"math"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-db/cairn/protocol"
	"github.com/cairn-db/cairn/protocol/num"
	"github.com/cairn-db/cairn/store"
)

// This file wires maxmemory to the store: the directives, the eviction
// that runs before each command, and the Go runtime's memory limit.

// ErrOOM is Redis's reply to a command that would grow memory while used
// memory is over maxmemory and nothing can be evicted.
const ErrOOM = protocol.Error("OOM command not allowed when used memory > 'maxmemory'.")

// maxmemoryDirectives are maxmemory and its tuning settings. lfu-log-factor
// and lfu-decay-time live in the tuning map because 0 is a valid value.
func maxmemoryDirectives() []directive {
	return []directive{
		{name: "maxmemory",
			get: func(c *Config) string { return strconv.FormatInt(c.MaxMemory, 10) },
			set: func(c *Config, v string) error {
				n, err := parseMemory(v)
				if err != nil {
					return err
				}
				c.MaxMemory = n
				return nil
			}},
		{name: "maxmemory-policy",
			get: func(c *Config) string { return c.MaxMemoryPolicy },
			set: func(c *Config, v string) error {
				if _, ok := store.ParseEvictionPolicy(v); !ok {
					return configError("argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction")
				}
				c.MaxMemoryPolicy = v
				return nil
			}},
		{name: "maxmemory-samples",
			get: func(c *Config) string { return strconv.Itoa(c.MaxMemorySamples) },
			set: boundedInt(func(c *Config, n int) { c.MaxMemorySamples = n }, 1)},
		{name: "lfu-log-factor",
			get: func(c *Config) string { return c.tuning["lfu-log-factor"] },
			set: boundedInt(func(c *Config, n int) { c.tuning["lfu-log-factor"] = strconv.Itoa(n) }, 0)},
		{name: "lfu-decay-time",
			get: func(c *Config) string { return c.tuning["lfu-decay-time"] },
			set: boundedInt(func(c *Config, n int) { c.tuning["lfu-decay-time"] = strconv.Itoa(n) }, 0)},
		// Redis bounds the time one eviction cycle may take by it, going on
		// in a background timer when the cycle runs out. Cairn's eviction
		// frees, inside the command, all it has to (tenacity 100's
		// behaviour): the directive is accepted and validated, to no effect.
		{name: "maxmemory-eviction-tenacity",
			get: func(c *Config) string { return c.tuning["maxmemory-eviction-tenacity"] },
			set: intBetween(func(c *Config, n int) { c.tuning["maxmemory-eviction-tenacity"] = strconv.Itoa(n) }, 0, 100)},
	}
}

// maxmemoryClientsDirective is maxmemory-clients: a memory value, or a
// percentage of maxmemory (up to 100%), as Redis validates it. Over it,
// the clients using the most memory are disconnected (clientmem.go).
func maxmemoryClientsDirective() directive {
	return directive{name: "maxmemory-clients",
		get: func(c *Config) string { return c.tuning["maxmemory-clients"] },
		set: func(c *Config, v string) error {
			if p, ok := strings.CutSuffix(v, "%"); ok {
				n, err := strconv.ParseInt(p, 10, 64)
				if err != nil || n < 0 {
					return configError("percentage argument must be a memory or percentage value")
				}
				if n > 100 {
					return configError("percentage argument must be less or equal to 100")
				}
				c.tuning["maxmemory-clients"] = v
				return nil
			}
			n, err := parseMemory(v)
			if err != nil {
				return configError("argument must be a memory or percent value")
			}
			c.tuning["maxmemory-clients"] = strconv.FormatInt(n, 10)
			return nil
		}}
}

// boundedInt parses an int from lo to MaxInt32, with Redis's message.
func boundedInt(set func(*Config, int), lo int) func(*Config, string) error {
	return intBetween(set, lo, math.MaxInt32)
}

// intBetween parses an int from lo to hi, with Redis's message.
func intBetween(set func(*Config, int), lo, hi int) func(*Config, string) error {
	return func(c *Config, v string) error {
		n, ok := num.ParseInt([]byte(v))
		if !ok {
			return errNotInteger
		}
		if n < int64(lo) || n > int64(hi) {
			return rangeError(int64(lo), int64(hi))
		}
		set(c, int(n))
		return nil
	}
}

// applyMaxMemory passes the maxmemory settings to the store (and to the Go
// runtime when the daemon asked for it). The caller holds cfgMu.
func (s *Server) applyMaxMemory() {
	c := &s.cfg
	policy, _ := store.ParseEvictionPolicy(c.MaxMemoryPolicy)
	logFactor, _ := strconv.Atoi(c.tuning["lfu-log-factor"])
	decay, _ := strconv.Atoi(c.tuning["lfu-decay-time"])
	s.maxMemory.Store(c.MaxMemory)
	s.clientMem.limit.Store(clientMemLimit(c.tuning["maxmemory-clients"], c.MaxMemory))
	if s.overClientLimit() {
		go s.evictClients() // the caller holds cfgMu
	}
	s.store.SetEviction(store.Eviction{
		MaxMemory:    c.MaxMemory,
		Policy:       policy,
		Samples:      c.MaxMemorySamples,
		LFULogFactor: logFactor,
		LFUDecayTime: decay,
	})
	if c.SetGoMemLimit {
		setGCFloor(c.MaxMemory)
		startGCTuner()
		if c.MaxMemory > 0 {
			debug.SetMemoryLimit(goMemLimit(c.MaxMemory))
		} else {
			debug.SetMemoryLimit(s.startMemLimit) // GOMEMLIMIT from the environment, or none
		}
	}
}

// goMemLimit is the Go soft memory limit for a maxmemory: the data may use
// maxmemory, and the heap needs room beyond it for connection buffers,
// transient garbage and the accounting's estimation error, so the limit is
// 1.5x maxmemory plus 64 MiB. Near the limit the GC runs more often
// instead of letting garbage double the heap.
func goMemLimit(maxMemory int64) int64 {
	return maxMemory + maxMemory/2 + 64<<20
}

// evict runs eviction inside a command's transaction when used memory is
// over maxmemory. It refuses the command with OOM only when it would grow
// memory (FlagDenyOOM) and nothing more could be evicted, as Redis does.
// EXEC counts as deny-oom when it holds a deny-oom command, as in Redis.
func (s *Server) evict(tx *store.Tx, c *Client, cmd *Command) error {
	max := s.maxMemory.Load()
	if !s.store.OverMaxMemory(max) {
		return nil
	}
	var onDelete func(time.Duration)
	if s.latencyThreshold.Load() > 0 {
		onDelete = s.evictionDelEvent
	}
	start := time.Now()
	err := tx.EvictTimed(onDelete)
	s.latencyEvent("eviction-cycle", time.Since(start))
	if err != nil && cmd != nil && cmd.Flags&FlagDenyOOM != 0 {
		return ErrOOM
	}
	if err != nil && cmd != nil && queuedDenyOOM(c, cmd) {
		// Refused, EXEC ends the transaction, as Redis's rejectCommand.
		c.setMulti(nil)
		s.unwatchAll(c)
		return protocol.Error("EXECABORT Transaction discarded because of: " + replyText(ErrOOM))
	}
	return nil
}

// evictNow evicts keys until used memory is within maxmemory, in tx (a
// running EXEC or script's) or a transaction of its own on database db.
// Running out of keys to evict is not an error here: the commands that
// would grow memory are refused later.
func (s *Server) evictNow(tx *store.Tx, db int) {
	if !s.store.OverMaxMemory(s.maxMemory.Load()) {
		return
	}
	if tx != nil {
		s.evict(tx, nil, nil)
		return
	}
	s.store.Update(db, func(tx *store.Tx) error {
		s.evict(tx, nil, nil)
		return nil
	})
}

// queuedDenyOOM reports whether cmd is an EXEC whose queue holds a
// command that grows memory.
func queuedDenyOOM(c *Client, cmd *Command) bool {
	if cmd.Name != "exec" || c.multi == nil {
		return false
	}
	for _, q := range c.multi.cmds {
		if q.cmd.Flags&FlagDenyOOM != 0 {
			return true
		}
	}
	return false
}

// oomOnQueue is the error a command gets while being queued in MULTI
// when memory is over maxmemory and the policy cannot evict, which makes
// EXEC abort: Redis refuses every command but EXEC and DISCARD there, as
// queueing itself takes memory. (Under an evicting policy the keys are
// evicted when EXEC runs.)
func (s *Server) oomOnQueue(cmd *Command) error {
	if cmd == nil || !s.store.OverMaxMemory(s.maxMemory.Load()) {
		return nil
	}
	if s.config().MaxMemoryPolicy != "noeviction" {
		return nil
	}
	return ErrOOM
}

// evictionDelEvent records one evicted key's deletion time as the latency
// monitor's eviction-del event.
func (s *Server) evictionDelEvent(d time.Duration) { s.latencyEvent("eviction-del", d) }
