package server

import (
	"log/slog"
	"math"
	"os"

	"github.com/cockroachdb/pebble/v2/vfs"

	"strconv"
	"strings"

	"github.com/cairn-db/cairn/protocol/num"
	"github.com/cairn-db/cairn/store"
	"github.com/cairn-db/cairn/store/pebblestore"
)

// Config is a server's configuration. The zero value is usable: it
// listens on a free loopback port with 16 in-memory databases. Every field
// with a Redis directive name can also be set from the daemon's command
// line, a redis.conf-style file, or CONFIG SET (see Directives).
type Config struct {
	// Bind lists the addresses to listen on, as redis.conf's bind ("*"
	// is every IPv4 address, "::*" every IPv6 one, a leading "-" makes an
	// address optional; see listen.go). Nil means 127.0.0.1; an empty,
	// non-nil list listens on no TCP address.
	Bind []string
	// Port is the TCP port; 0 picks a free one (see Server.Addr).
	Port int
	// UnixSocket, when set, is the path of a Unix socket to listen on as
	// well (redis.conf's unixsocket); a stale file there is replaced.
	UnixSocket string
	// UnixSocketPerm is the socket file's mode (unixsocketperm); 0 leaves
	// the umask's.
	UnixSocketPerm os.FileMode
	// Databases is the number of databases. Default 16.
	Databases int
	// RequirePass, when set, makes clients AUTH before other commands.
	RequirePass string
	// ProtoMaxBulkLen is the largest bulk string a client may send, and
	// the largest string APPEND and SETRANGE may build. Default 512 MiB.
	ProtoMaxBulkLen int64
	// MaxClients caps simultaneous connections. Default 10000.
	MaxClients int
	// ConfigFile is the redis.conf-style file the daemon was started with,
	// for INFO and CONFIG REWRITE; empty when there is none.
	ConfigFile string
	// Supervised names the supervisor the daemon found and tells when
	// it is ready (upstart or systemd; see the supervised directive), for
	// INFO's process_supervised; empty when none.
	Supervised string
	// Hz is how often per second background tasks (active expiry) run.
	// Default 10.
	Hz int

	// MaxMemory caps used memory (Cairn's accounting of its data, INFO
	// used_memory) in bytes; 0, the default, means no limit. Over it,
	// keys are evicted by MaxMemoryPolicy before each command, and under
	// noeviction commands that grow memory are refused with OOM.
	MaxMemory int64
	// MaxMemoryPolicy is Redis's maxmemory-policy. Default "noeviction".
	MaxMemoryPolicy string
	// MaxMemorySamples is keys sampled per eviction round. Default 5.
	MaxMemorySamples int
	// SetGoMemLimit makes MaxMemory also set the Go runtime's soft memory
	// limit (GOMEMLIMIT), which is process-wide: the daemon turns it on,
	// embedded servers leave it off. See goMemLimit.
	SetGoMemLimit bool
	// SetGoMaxProcs makes io-threads set GOMAXPROCS (see goMaxProcs),
	// which is process-wide: the daemon turns it on, embedded servers
	// leave it off. The GOMAXPROCS environment variable wins.
	SetGoMaxProcs bool
	// IOThreads is Redis's io-threads: threads serving clients, 1 (the
	// default) as in Redis. It sets GOMAXPROCS in the daemon.
	IOThreads int
	// LoadInBackground makes Start listen before a durable engine's data
	// is loaded into memory: until then commands answer LOADING, as
	// Redis's do while it loads (loading.go). The daemon turns it on;
	// embedded servers load before Start returns.
	LoadInBackground bool
	// loadGate, when set, holds the background load until it is closed
	// (tests).
	loadGate <-chan struct{}
	// MetricsAddr, when set, serves Prometheus metrics on
	// http://MetricsAddr/metrics ("metrics-addr").
	MetricsAddr string
	// MetricsQueueKeys are keys or glob patterns whose queue length the
	// metrics report ("metrics-queue-keys", space-separated).
	MetricsQueueKeys []string
	// ACLFile holds the ACL users, loaded at start and by ACL LOAD,
	// written by ACL SAVE ("aclfile").
	ACLFile string
	// dirSet: "dir" was given. A relative aclfile is then relative to
	// it, as in Redis (which chdirs there).
	dirSet bool
	// saveLoaded: a save line was read, so the next one adds to it
	// (appendSavePoints).
	saveLoaded bool
	// Users are "user <name> <rules…>" directives: users defined in the
	// config file instead of an aclfile ("name rules…" each).
	Users []string
	// ACLPubsubAll is acl-pubsub-default allchannels: new users get all
	// channels (Redis 7's default is resetchannels).
	ACLPubsubAll bool
	// RenameCommands renames commands, or disables those renamed to ""
	// ("rename-command NAME NEWNAME").
	RenameCommands [][2]string
	// TLS settings: a TLS listener on TLSPort (0: none) with the given
	// certificate and key; TLSCACertFile verifies client certificates,
	// required unless TLSAuthClients is "no" ("optional" verifies those
	// presented).
	TLSPort        int
	TLSCertFile    string
	TLSKeyFile     string
	TLSCACertFile  string
	TLSAuthClients string

	// Clock is the time source; nil means the wall clock. Tests inject a
	// *store.ManualClock.
	Clock store.Clock
	// Engine is "memory" (the default: data lives only in the process) or
	// "pebble" (data is also written to Pebble in Dir and reloaded at start).
	Engine string
	// Dir is the Pebble data directory. Default "./data".
	Dir string
	// AppendFsync is the fsync policy of the Pebble engine, with Redis's
	// names: "always", "everysec" (default) or "no". See
	// pebblestore.SyncMode for what each can lose.
	AppendFsync string
	// AutoAOFRewriteMinSize is, as in Redis, how long the log may grow
	// before it is compacted: the Pebble engine folds a journal segment
	// of this many bytes into Pebble (pebblestore.Options.FoldSize).
	// Start-up replays up to about this much. Default 64 MiB; 0, which
	// Redis accepts (no minimum, growth percentage only), leaves the fold
	// size as it was, since Cairn does not fold on growth.
	AutoAOFRewriteMinSize int64
	// CheckpointDir is where SAVE and BGSAVE create checkpoints, one
	// subdirectory per save. Default: Dir + "/checkpoints".
	CheckpointDir string
	// ImportRDB is a Redis RDB file (dump.rdb) to seed the store from when
	// it starts empty, for moving a dataset from Redis; a store that holds
	// data ignores it, so the setting can stay in place across restarts.
	ImportRDB string
	// LoadRDBFile is the daemon's: on the memory engine, with no
	// ImportRDB, the store starts from the RDB file its saves write,
	// <dir>/<dbfilename>, when there is one, as redis-server does.
	LoadRDBFile bool
	// FS replaces the operating system's filesystem under the Pebble
	// engine; tests use it to inject write errors. Nil means the OS.
	FS vfs.FS
	// Logger receives the server's logs; nil discards them.
	Logger *slog.Logger
	// LogLevel, when set, is the level of Logger's handler: the server
	// sets it from loglevel at start and on CONFIG SET loglevel.
	LogLevel *slog.LevelVar

	// NotifyKeyspaceEvents selects the keyspace notifications published,
	// in Redis's letters (notify-keyspace-events, e.g. "KEA"). Default
	// none.
	NotifyKeyspaceEvents string
	// ClientOutputBufferLimit is Redis's client-output-buffer-limit; Cairn
	// applies its pubsub class (hard, soft bytes, soft seconds) to
	// subscribers. Default Redis's.
	ClientOutputBufferLimit string
	// BusyReplyThreshold (lua-time-limit) is how long, in milliseconds, a
	// script runs before other clients get BUSY. Default 5000.
	BusyReplyThreshold int

	// lifecycle holds the shutdown and listening settings of shutdown.go
	// and listen.go.
	lifecycle

	// tuning holds Redis settings that Cairn accepts and reports but that
	// do not change its behaviour (see tuningDefaults).
	tuning map[string]string
}

func (c *Config) setDefaults() {
	if c.Bind == nil { // an empty bind, not nil, listens on no TCP address
		c.Bind = []string{"127.0.0.1"}
	}
	if c.Databases == 0 {
		c.Databases = 16
	}
	if c.ProtoMaxBulkLen == 0 {
		c.ProtoMaxBulkLen = 512 << 20
	}
	if c.MaxClients == 0 {
		c.MaxClients = 10000
	}
	if c.Hz == 0 {
		c.Hz = 10
	}
	if c.MaxMemoryPolicy == "" {
		c.MaxMemoryPolicy = "noeviction"
	}
	if c.MaxMemorySamples == 0 {
		c.MaxMemorySamples = 5
	}
	if c.TLSAuthClients == "" {
		c.TLSAuthClients = "yes"
	}
	if c.Engine == "" {
		c.Engine = "memory"
	}
	if c.Dir == "" {
		c.Dir = "./data"
	}

	if c.AppendFsync == "" {
		c.AppendFsync = "everysec"
	}
	if c.AutoAOFRewriteMinSize == 0 {
		c.AutoAOFRewriteMinSize = 64 << 20
	}
	if c.Clock == nil {
		c.Clock = store.RealClock{}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	c.setEventDefaults()
	if c.tuning == nil {
		c.tuning = make(map[string]string, len(tuningDefaults))
	}
	for _, t := range tuningDefaults {
		if _, ok := c.tuning[t.name]; !ok {
			c.tuning[t.name] = t.value
		}
	}
	for name, v := range map[string]string{"lfu-log-factor": "10", "lfu-decay-time": "1", "maxmemory-clients": "0", "maxmemory-eviction-tenacity": "10",
		"latency-tracking": "yes", "latency-tracking-info-percentiles": "50 99 99.9", "latency-monitor-threshold": "0",
		"oom-score-adj": "no", "oom-score-adj-values": "0 200 800"} {
		if _, ok := c.tuning[name]; !ok {
			c.tuning[name] = v
		}
	}
}

// directive is one configuration setting, by its Redis name.
type directive struct {
	name string
	get  func(c *Config) string
	set  func(c *Config, v string) error
	// startOnly settings cannot change while the server runs: CONFIG SET
	// accepts only their current value (a no-op, as Redis skips applying
	// an unchanged value).
	startOnly bool
	// immutable settings are Redis's IMMUTABLE_CONFIG ones: CONFIG SET
	// refuses them whatever the value.
	immutable bool
	// hidden settings are read from files and flags but not listed by
	// CONFIG GET or written by CONFIG REWRITE.
	hidden bool
	// unlisted settings are Redis's HIDDEN_CONFIG ones: CONFIG GET shows
	// them only when asked for by their exact name.
	unlisted bool
	// protected settings are Redis's PROTECTED_CONFIG ones (dir,
	// dbfilename): CONFIG SET refuses them unless enable-protected-configs
	// allows it, as they let a client write files where it chooses.
	protected bool
	// deniedWhileLoading settings are Redis's DENY_LOADING_CONFIG ones:
	// while the data loads CONFIG SET answers LOADING for them.
	deniedWhileLoading bool
}

// directives lists every setting Cairn has, plus the tuning settings it
// accepts for compatibility.
func directives() []directive {
	d := []directive{
		{name: "io-threads", immutable: true,
			get: func(c *Config) string { return strconv.Itoa(max(c.IOThreads, 1)) },
			set: intSetter(func(c *Config) *int { return &c.IOThreads }, 1, 128)},
		{name: "databases", immutable: true,
			get: func(c *Config) string { return strconv.Itoa(c.Databases) },
			set: intSetter(func(c *Config) *int { return &c.Databases }, 1, 256)},
		{name: "requirepass",
			get: func(c *Config) string { return c.RequirePass },
			set: func(c *Config, v string) error { c.RequirePass = v; return nil }},
		{name: "proto-max-bulk-len",
			get: func(c *Config) string { return strconv.FormatInt(c.ProtoMaxBulkLen, 10) },
			set: func(c *Config, v string) error {
				n, err := memoryIn(v, 1<<20, longMax)
				if err != nil {
					return err
				}
				c.ProtoMaxBulkLen = n
				return nil
			}},
		{name: "engine", startOnly: true,
			get: func(c *Config) string { return c.Engine },
			set: func(c *Config, v string) error {
				switch v {
				case "memory", "pebble":
					c.Engine = v
					return nil
				}
				return configError("engine must be 'memory' or 'pebble'")
			}},
		{name: "unixsocket", immutable: true,
			get: func(c *Config) string { return c.UnixSocket },
			set: func(c *Config, v string) error { c.UnixSocket = v; return nil }},
		{name: "unixsocketperm", immutable: true,
			get: func(c *Config) string { return strconv.FormatUint(uint64(c.UnixSocketPerm), 8) },
			set: func(c *Config, v string) error {
				n, err := strconv.ParseUint(v, 8, 32)
				if err != nil || n > 0o777 {
					return errBadValue
				}
				c.UnixSocketPerm = os.FileMode(n)
				return nil
			}},
		{name: "dir", startOnly: true, protected: true, deniedWhileLoading: true,
			get: func(c *Config) string { return c.Dir },
			set: func(c *Config, v string) error { c.Dir, c.dirSet = v, true; return nil }},
		{name: "appendfsync",
			get: func(c *Config) string { return c.AppendFsync },
			set: func(c *Config, v string) error {
				m, err := pebblestore.ParseSyncMode(strings.ToLower(v))
				if err != nil {
					return configError("argument(s) must be one of the following: everysec, always, no")
				}
				c.AppendFsync = string(m)
				return nil
			}},
		{name: "auto-aof-rewrite-min-size",
			get: func(c *Config) string { return strconv.FormatInt(c.AutoAOFRewriteMinSize, 10) },
			set: func(c *Config, v string) error {
				n, err := parseMemory(v)
				if err != nil {
					return err
				}
				c.AutoAOFRewriteMinSize = n
				return nil
			}},
		{name: "import-rdb", startOnly: true,
			get: func(c *Config) string { return c.ImportRDB },
			set: func(c *Config, v string) error { c.ImportRDB = v; return nil }},
		{name: "checkpoint-dir", startOnly: true,
			get: func(c *Config) string { return c.CheckpointDir },
			set: func(c *Config, v string) error { c.CheckpointDir = v; return nil }},
		{name: "maxclients",
			get: func(c *Config) string { return strconv.Itoa(c.MaxClients) },
			set: intSetter(func(c *Config) *int { return &c.MaxClients }, 1, math.MaxUint32)},
		{name: "metrics-addr", startOnly: true,
			get: func(c *Config) string { return c.MetricsAddr },
			set: func(c *Config, v string) error { c.MetricsAddr = v; return nil }},
		{name: "metrics-queue-keys",
			get: func(c *Config) string { return strings.Join(c.MetricsQueueKeys, " ") },
			set: func(c *Config, v string) error { c.MetricsQueueKeys = strings.Fields(v); return nil }},
		{name: "aclfile", immutable: true,
			get: func(c *Config) string { return c.ACLFile },
			set: func(c *Config, v string) error { c.ACLFile = v; return nil }},
		{name: "acl-pubsub-default",
			get: func(c *Config) string {
				return map[bool]string{true: "allchannels", false: "resetchannels"}[c.ACLPubsubAll]
			},
			set: func(c *Config, v string) error {
				switch strings.ToLower(v) {
				case "allchannels", "resetchannels":
					c.ACLPubsubAll = strings.EqualFold(v, "allchannels")
					return nil
				}
				return configError("argument(s) must be one of the following: allchannels, resetchannels")
			}},
		{name: "user", immutable: true, hidden: true,
			get: func(c *Config) string { return "" },
			set: func(c *Config, v string) error {
				w := strings.Fields(v)
				if len(w) < 1 {
					return configError("user takes a name and rules")
				}
				for _, u := range c.Users {
					if strings.Fields(u)[0] == w[0] {
						return configError("Error in user declaration '" + w[0] + "': Duplicate user found. A user can only be defined once in config files")
					}
				}
				c.Users = append(c.Users, strings.Join(w, " "))
				return nil
			}},
		{name: "rename-command", immutable: true, hidden: true,
			get: func(c *Config) string { return "" },
			set: func(c *Config, v string) error {
				w, err := splitArgs(v)
				if err != nil || len(w) < 1 || len(w) > 2 {
					return configError("rename-command takes a command name and a new name")
				}
				w = append(w, "")
				c.RenameCommands = append(c.RenameCommands, [2]string{w[0], w[1]})
				return nil
			}},
		{name: "tls-port", startOnly: true,
			get: func(c *Config) string { return strconv.Itoa(c.TLSPort) },
			set: intSetter(func(c *Config) *int { return &c.TLSPort }, 0, 65535)},
		{name: "tls-cert-file", startOnly: true,
			get: func(c *Config) string { return c.TLSCertFile },
			set: func(c *Config, v string) error { c.TLSCertFile = v; return nil }},
		{name: "tls-key-file", startOnly: true,
			get: func(c *Config) string { return c.TLSKeyFile },
			set: func(c *Config, v string) error { c.TLSKeyFile = v; return nil }},
		{name: "tls-ca-cert-file", startOnly: true,
			get: func(c *Config) string { return c.TLSCACertFile },
			set: func(c *Config, v string) error { c.TLSCACertFile = v; return nil }},
		{name: "tls-auth-clients", startOnly: true,
			get: func(c *Config) string { return c.TLSAuthClients },
			set: func(c *Config, v string) error {
				switch strings.ToLower(v) {
				case "yes", "no", "optional":
					c.TLSAuthClients = strings.ToLower(v)
					return nil
				}
				return errBadValue
			}},
		{name: "hz",
			get: func(c *Config) string { return strconv.Itoa(c.Hz) },
			set: intSetter(func(c *Config) *int { return &c.Hz }, 0, intMax)}, // used within 1..500 (applyConfig)
	}
	// REPLICAOF is the command; the directive (and its alias) is only
	// for config files, and Cairn is never a replica.
	for _, name := range []string{"replicaof", "slaveof"} {
		d = append(d, directive{name: name, immutable: true,
			get: func(c *Config) string { return "" },
			set: func(c *Config, v string) error {
				// Redis's own checks first, then Cairn's refusal.
				f := strings.Fields(v)
				if len(f) != 2 {
					return configError("wrong number of arguments")
				}
				if strings.EqualFold(f[0], "no") && strings.EqualFold(f[1], "one") {
					return nil
				}
				if n, ok := num.ParseInt([]byte(f[1])); !ok || n < 0 || n > 65535 {
					return configError("Invalid master port")
				}
				return configError("Cairn cannot replicate from a master")
			}})
	}
	d = append(d, listenDirectives()...)
	d = append(d, shutdownDirectives()...)
	d = append(d, maxmemoryClientsDirective())
	d = append(d, eventDirectives()...)
	d = append(d, maxmemoryDirectives()...)
	d = append(d, latencyDirectives()...)
	d = append(d, oomScoreDirectives()...)
	for _, t := range tuningDefaults {
		d = append(d, t.directive())
	}
	for alias, name := range tuningAliases {
		for _, t := range tuningDefaults {
			if t.name == name {
				a := t.directive()
				a.name = alias
				d = append(d, a)
			}
		}
	}
	return d
}

// encodingLimits is the store's view of the encoding settings.
func (c *Config) encodingLimits() store.EncodingLimits {
	n := func(name string) int { return int(max(min(atoi64(c.tuning[name]), 1<<40), 0)) }
	return store.EncodingLimits{
		HashEntries: n("hash-max-listpack-entries"), HashValue: n("hash-max-listpack-value"),
		SetIntsetEntries: n("set-max-intset-entries"),
		ZSetEntries:      n("zset-max-listpack-entries"), ZSetValue: n("zset-max-listpack-value"),
		StreamNodeEntries: n("stream-node-max-entries"),
	}
}

// parseMemory parses a Redis memory size as memtoull does: digits, with no
// sign, then an optional unit b, k, kb, m, mb, g or gb (k = 1000, kb =
// 1024), case-insensitive; no digits at all is 0. A value past int64 is
// out of range.
func parseMemory(v string) (int64, error) { return memoryIn(v, 0, longMax) }

// memoryIn parses a memory size between lo and hi, with Redis's messages.
func memoryIn(v string, lo, hi int64) (int64, error) {
	digits := strings.TrimLeft(v, "0123456789")
	unit, digits := strings.ToLower(digits), v[:len(v)-len(digits)]
	mult, ok := memoryUnits[unit]
	if !ok {
		return 0, errNotMemory
	}
	var n uint64
	if digits != "" {
		var err error
		if n, err = strconv.ParseUint(digits, 10, 64); err != nil {
			n = math.MaxUint64 // strtoull saturates
		}
	}
	if n > math.MaxUint64/mult {
		return 0, errNotMemory
	}
	n *= mult
	if n > math.MaxInt64 || int64(n) < lo || int64(n) > hi {
		return 0, rangeError(lo, hi)
	}
	return int64(n), nil
}

var memoryUnits = map[string]uint64{"": 1, "b": 1, "k": 1e3, "kb": 1 << 10, "m": 1e6, "mb": 1 << 20, "g": 1e9, "gb": 1 << 30}

// rangeError is Redis's message for a number outside a setting's bounds.
func rangeError(lo, hi int64) error {
	return configError("argument must be between " + strconv.FormatInt(lo, 10) + " and " + strconv.FormatInt(hi, 10) + " inclusive")
}

// intSetter parses an integer as Redis's string2ll does, between lo and
// hi, into the field.
func intSetter(field func(*Config) *int, lo, hi int) func(*Config, string) error {
	return func(c *Config, v string) error {
		n, ok := num.ParseInt([]byte(v))
		if !ok {
			return errNotInteger
		}
		if n < int64(lo) || n > int64(hi) {
			return rangeError(int64(lo), int64(hi))
		}
		*field(c) = int(n)
		return nil
	}
}

type configError string

func (e configError) Error() string { return string(e) }

const (
	errNotInteger configError = "argument couldn't be parsed into an integer"
	errBadBool    configError = "argument must be 'yes' or 'no'"
	errBadValue   configError = "argument is not valid"
	errNotMemory  configError = "argument must be a memory value"
)

// Set applies the directive name = value to c, as the daemon's command
// line and config file do. Names are Redis's directive names.
func (c *Config) Set(name, value string) error {
	c.setDefaults()
	d, ok := lookupDirective(name)
	if !ok {
		return configError("unknown directive '" + name + "'")
	}
	return d.set(c, value)
}

// Get returns the value of directive name, as CONFIG GET shows it.
func (c *Config) Get(name string) (string, bool) {
	c.setDefaults()
	d, ok := lookupDirective(name)
	if !ok {
		return "", false
	}
	return d.get(c), true
}

// directiveTable is every directive, built once.
var directiveTable = directives()

func lookupDirective(name string) (directive, bool) {
	name = strings.ToLower(name)
	for _, d := range directiveTable {
		if d.name == name {
			return d, true
		}
	}
	return directive{}, false
}
