package server

import (
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/cairn-db/cairn/store"
)

// Settings for notifications, subscribers and scripts: they have Redis's
// own syntax, so they are real directives rather than echoed tuning.

const defaultOutputBufferLimit = "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"

func (c *Config) setEventDefaults() {
	if c.ClientOutputBufferLimit == "" {
		c.ClientOutputBufferLimit = defaultOutputBufferLimit
	}
	if c.BusyReplyThreshold == 0 {
		c.BusyReplyThreshold = 5000
	}
}

func eventDirectives() []directive {
	busy := func(name string) directive {
		return directive{name: name,
			get: func(c *Config) string { return strconv.Itoa(c.BusyReplyThreshold) },
			set: intSetter(func(c *Config) *int { return &c.BusyReplyThreshold }, 0, longMax)}
	}
	return []directive{
		{name: "notify-keyspace-events",
			get: func(c *Config) string { return eventFlagsString(parseEventFlagsOrZero(c.NotifyKeyspaceEvents)) },
			set: func(c *Config, v string) error {
				if _, ok := parseEventFlags(v); !ok {
					return configError("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.")
				}
				c.NotifyKeyspaceEvents = v
				return nil
			}},
		{name: "client-output-buffer-limit",
			get: func(c *Config) string { return c.ClientOutputBufferLimit },
			set: func(c *Config, v string) error {
				merged, err := mergeOutputLimits(c.ClientOutputBufferLimit, v)
				if err != nil {
					return err
				}
				c.ClientOutputBufferLimit = merged
				return nil
			}},
		busy("busy-reply-threshold"),
		busy("lua-time-limit"),
	}
}

// Keyspace notification flags: the store's event classes plus the two
// channels families (K, E), as Redis's NOTIFY_* bits.
const (
	notifyKeyspace store.EventClass = 1 << 0 // K
	notifyKeyevent store.EventClass = 1 << 1 // E
	notifyModule   store.EventClass = 1 << 12
	notifyAll                       = store.EventGeneric | store.EventString | store.EventList | store.EventSet |
		store.EventHash | store.EventZSet | store.EventExpired | store.EventEvicted | store.EventStream | notifyModule
)

var eventLetters = []struct {
	c    byte
	flag store.EventClass
}{
	{'g', store.EventGeneric}, {'$', store.EventString}, {'l', store.EventList}, {'s', store.EventSet},
	{'h', store.EventHash}, {'z', store.EventZSet}, {'x', store.EventExpired}, {'e', store.EventEvicted},
	{'t', store.EventStream}, {'d', notifyModule}, {'K', notifyKeyspace}, {'E', notifyKeyevent},
	{'m', store.EventKeyMiss}, {'n', store.EventNew},
}

// parseEventFlags parses notify-keyspace-events letters.
func parseEventFlags(v string) (store.EventClass, bool) {
	var f store.EventClass
next:
	for i := 0; i < len(v); i++ {
		if v[i] == 'A' {
			f |= notifyAll
			continue
		}
		for _, l := range eventLetters {
			if l.c == v[i] {
				f |= l.flag
				continue next
			}
		}
		return 0, false
	}
	return f, true
}

func parseEventFlagsOrZero(v string) store.EventClass {
	f, _ := parseEventFlags(v)
	return f
}

// eventFlagsString is CONFIG GET's spelling, as Redis's
// keyspaceEventsFlagsToString.
func eventFlagsString(f store.EventClass) string {
	var b strings.Builder
	if f&notifyAll == notifyAll {
		b.WriteByte('A')
	} else {
		for _, l := range eventLetters[:10] {
			if f&l.flag != 0 {
				b.WriteByte(l.c)
			}
		}
	}
	for _, l := range eventLetters[10:] {
		if f&l.flag != 0 {
			b.WriteByte(l.c)
		}
	}
	return b.String()
}

// outputLimit is one class of client-output-buffer-limit.
type outputLimit struct {
	hard, soft  int64
	softSeconds int64
}

// parseOutputLimits parses "class hard soft seconds …" into its classes.
func parseOutputLimits(v string) (map[string]outputLimit, []string, error) {
	f := strings.Fields(v)
	if len(f)%4 != 0 {
		return nil, nil, configError("Wrong number of arguments in buffer limit configuration.")
	}
	out := map[string]outputLimit{}
	var order []string
	for i := 0; i < len(f); i += 4 {
		class := strings.ToLower(f[i])
		if class == "replica" {
			class = "slave"
		}
		switch class {
		case "normal", "slave", "pubsub":
		default:
			return nil, nil, configError("Invalid client class specified in buffer limit configuration.")
		}
		hard, err1 := parseMemory(f[i+1])
		soft, err2 := parseMemory(f[i+2])
		secs, err3 := strconv.ParseInt(f[i+3], 10, 64)
		if err1 != nil || err2 != nil || err3 != nil || secs < 0 {
			return nil, nil, configError("Error in hard, soft or soft_seconds setting in buffer limit configuration.")
		}
		if _, dup := out[class]; !dup {
			order = append(order, class)
		}
		out[class] = outputLimit{hard: hard, soft: soft, softSeconds: secs}
	}
	return out, order, nil
}

// mergeOutputLimits applies the classes named in v over cur, as CONFIG SET
// does, and returns the normalized setting.
func mergeOutputLimits(cur, v string) (string, error) {
	base, _, err := parseOutputLimits(cur)
	if err != nil {
		base, _, _ = parseOutputLimits(defaultOutputBufferLimit)
	}
	set, _, err := parseOutputLimits(v)
	if err != nil {
		return "", err
	}
	for k, l := range set {
		base[k] = l
	}
	var b strings.Builder
	for _, class := range []string{"normal", "slave", "pubsub"} {
		l := base[class]
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(class + " " + strconv.FormatInt(l.hard, 10) + " " + strconv.FormatInt(l.soft, 10) + " " + strconv.FormatInt(l.softSeconds, 10))
	}
	return b.String(), nil
}

// pubsubLimit is the pubsub class of the configured limits.
func (c *Config) pubsubLimit() outputLimit {
	m, _, err := parseOutputLimits(c.ClientOutputBufferLimit)
	if err != nil {
		return outputLimit{hard: 32 << 20, soft: 8 << 20, softSeconds: 60}
	}
	return m["pubsub"]
}

// eventConfig holds the settings read on hot paths (every key change,
// every publish), copied from the Config by applyConfig.
type eventConfig struct {
	notify      atomic.Uint32 // store.EventClass plus K/E bits
	pubsubLimit atomic.Pointer[outputLimit]
	busyMs      atomic.Int64
}

func (s *Server) applyEventConfig() {
	s.hot.notify.Store(uint32(parseEventFlagsOrZero(s.cfg.NotifyKeyspaceEvents)))
	l := s.cfg.pubsubLimit()
	s.hot.pubsubLimit.Store(&l)
	s.hot.busyMs.Store(int64(s.cfg.BusyReplyThreshold))
}
