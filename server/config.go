package server

import (
	"log/slog"
	"os"

	"github.com/cockroachdb/pebble/v2/vfs"

	"strconv"
	"strings"

	"github.com/cairn-db/cairn/store"
	"github.com/cairn-db/cairn/store/pebblestore"
)

// Config is a server's configuration. The zero value is usable: it
// listens on a free loopback port with 16 in-memory databases. Every field
// with a Redis directive name can also be set from the daemon's command
// line, a redis.conf-style file, or CONFIG SET (see Directives).
type Config struct {
	// Bind lists the addresses to listen on. Default 127.0.0.1.
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

	// tuning holds Redis settings that Cairn accepts and reports but that
	// do not change its behaviour (see tuningDefaults).
	tuning map[string]string
}

func (c *Config) setDefaults() {
	if len(c.Bind) == 0 {
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
		"latency-tracking": "yes", "latency-tracking-info-percentiles": "50 99 99.9", "latency-monitor-threshold": "0"} {
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
}

// directives lists every setting Cairn has, plus the tuning settings it
// accepts for compatibility.
func directives() []directive {
	d := []directive{
		{name: "bind", startOnly: true,
			get: func(c *Config) string { return strings.Join(c.Bind, " ") },
			set: func(c *Config, v string) error { c.Bind = strings.Fields(v); return nil }},
		{name: "port", startOnly: true,
			get: func(c *Config) string { return strconv.Itoa(c.Port) },
			set: intSetter(func(c *Config) *int { return &c.Port }, 0, 65535)},
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
				n, err := parseMemory(v)
				if err != nil || n < 1024*1024 {
					return errBadValue
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
		{name: "dir", startOnly: true,
			get: func(c *Config) string { return c.Dir },
			set: func(c *Config, v string) error { c.Dir, c.dirSet = v, true; return nil }},
		{name: "appendfsync",
			get: func(c *Config) string { return c.AppendFsync },
			set: func(c *Config, v string) error {
				m, err := pebblestore.ParseSyncMode(v)
				if err != nil {
					return errBadValue
				}
				c.AppendFsync = string(m)
				return nil
			}},
		{name: "auto-aof-rewrite-min-size",
			get: func(c *Config) string { return strconv.FormatInt(c.AutoAOFRewriteMinSize, 10) },
			set: func(c *Config, v string) error {
				n, err := parseMemory(v)
				if err != nil || n < 0 {
					return configError("argument must be a memory value")
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
			set: intSetter(func(c *Config) *int { return &c.MaxClients }, 1, 1<<30)},
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
			set: intSetter(func(c *Config) *int { return &c.Hz }, 1, 500)},
	}
	// REPLICAOF is the command; the directive (and its alias) is only
	// for config files, and Cairn is never a replica.
	for _, name := range []string{"replicaof", "slaveof"} {
		d = append(d, directive{name: name, immutable: true,
			get: func(c *Config) string { return "" },
			set: func(c *Config, v string) error { return configError("Cairn cannot replicate from a master") }})
	}
	d = append(d, maxmemoryClientsDirective())
	d = append(d, eventDirectives()...)
	d = append(d, maxmemoryDirectives()...)
	d = append(d, latencyDirectives()...)
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

// tuning is a Redis setting Cairn accepts and echoes back but does not act
// on: tools and test suites set them (list-max-listpack-size, save…) and
// must keep working. Values are validated by kind, as Redis would.
type tuning struct {
	name  string
	value string
	kind  tuningKind
}

type tuningKind uint8

const (
	tuneInt tuningKind = iota
	tuneBool
	tuneMemory
	tuneString
)

func (t tuning) directive() directive {
	name := t.name
	return directive{
		name:      name,
		immutable: redisImmutable[name],
		unlisted:  name == "key-load-delay",
		get:       func(c *Config) string { return c.tuning[name] },
		set: func(c *Config, v string) error {
			norm, err := t.normalize(v)
			if err != nil {
				return err
			}
			c.tuning[name] = norm
			return nil
		},
	}
}

// normalize validates v and returns it as CONFIG GET shows it.
func (t tuning) normalize(v string) (string, error) {
	switch t.kind {
	case tuneInt:
		if _, err := strconv.ParseInt(v, 10, 64); err != nil {
			return "", errNotInteger
		}
	case tuneBool:
		switch strings.ToLower(v) {
		case "yes", "no":
			return strings.ToLower(v), nil
		}
		return "", errBadBool
	case tuneMemory:
		n, err := parseMemory(v)
		if err != nil {
			return "", errNotMemory
		}
		return strconv.FormatInt(n, 10), nil
	}
	return v, nil
}

// tuningAliases are Redis 7.0's old names of tuning settings: reading or
// setting one reads or sets the setting it names, as in Redis.
var tuningAliases = map[string]string{
	"list-max-ziplist-size":    "list-max-listpack-size",
	"hash-max-ziplist-entries": "hash-max-listpack-entries",
	"hash-max-ziplist-value":   "hash-max-listpack-value",
	"zset-max-ziplist-entries": "zset-max-listpack-entries",
	"zset-max-ziplist-value":   "zset-max-listpack-value",
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

// redisImmutable are the tuning settings Redis 7.0 refuses to change at
// run time (IMMUTABLE_CONFIG).
var redisImmutable = map[string]bool{
	"daemonize": true, "tcp-backlog": true, "supervised": true, "logfile": true, "pidfile": true,
	"appendfilename": true, "enable-debug-command": true, "enable-protected-configs": true,
	"enable-module-command": true, "cluster-enabled": true,
}

// tuningDefaults are Redis 7.0's defaults for the settings Cairn accepts
// without acting on them.
var tuningDefaults = []tuning{
	{"save", "", tuneString},
	{"appendonly", "no", tuneBool},
	{"appendfilename", "appendonly.aof", tuneString},
	{"dbfilename", "dump.rdb", tuneString},
	{"list-max-listpack-size", "-2", tuneInt},
	{"list-compress-depth", "0", tuneInt},
	// Acted on (applyConfig, encodingLimits): when a hash, set or sorted
	// set leaves its compact encoding.
	{"hash-max-listpack-entries", "512", tuneInt},
	{"hash-max-listpack-value", "64", tuneMemory},
	{"set-max-intset-entries", "512", tuneInt},
	{"zset-max-listpack-entries", "128", tuneInt},
	{"zset-max-listpack-value", "64", tuneMemory},
	{"stream-node-max-bytes", "4096", tuneMemory},
	{"stream-node-max-entries", "100", tuneInt}, // acted on: encodingLimits
	{"hll-sparse-max-bytes", "3000", tuneMemory},
	{"sanitize-dump-payload", "no", tuneString},
	{"activerehashing", "yes", tuneBool},
	{"active-expire-effort", "1", tuneInt},
	{"dynamic-hz", "yes", tuneBool},
	{"lazyfree-lazy-eviction", "no", tuneBool},
	{"lazyfree-lazy-expire", "no", tuneBool},
	{"lazyfree-lazy-server-del", "no", tuneBool},
	{"lazyfree-lazy-user-del", "no", tuneBool},
	{"lazyfree-lazy-user-flush", "no", tuneBool},
	{"tracking-table-max-keys", "1000000", tuneInt}, // acted on: applyConfig
	{"min-replicas-to-write", "0", tuneInt},         // acted on: applyConfig (noreplicas.go)
	{"min-replicas-max-lag", "10", tuneInt},
	{"tcp-keepalive", "300", tuneInt},
	{"tcp-backlog", "511", tuneInt},
	{"timeout", "0", tuneInt},
	{"daemonize", "no", tuneBool},
	{"supervised", "no", tuneString},
	{"protected-mode", "yes", tuneBool},
	{"loglevel", "notice", tuneString},
	{"logfile", "", tuneString},
	{"pidfile", "", tuneString},
	{"slowlog-log-slower-than", "10000", tuneInt},
	{"slowlog-max-len", "128", tuneInt},
	{"acllog-max-len", "128", tuneInt}, // acted on: applyConfig
	{"client-query-buffer-limit", "1073741824", tuneMemory},
	{"replica-read-only", "yes", tuneBool},
	{"replica-serve-stale-data", "yes", tuneBool},
	{"slave-serve-stale-data", "yes", tuneBool},
	{"repl-diskless-sync-delay", "5", tuneInt},
	{"propagation-error-behavior", "ignore", tuneString},
	{"always-show-logo", "no", tuneBool},
	{"repl-diskless-sync", "yes", tuneBool},
	{"stop-writes-on-bgsave-error", "yes", tuneBool},
	{"rdbcompression", "yes", tuneBool},
	{"rdbchecksum", "yes", tuneBool},
	{"aof-use-rdb-preamble", "yes", tuneBool},
	{"no-appendfsync-on-rewrite", "no", tuneBool},
	{"auto-aof-rewrite-percentage", "100", tuneInt},
	{"jemalloc-bg-thread", "yes", tuneBool},
	{"activedefrag", "no", tuneBool},
	{"enable-debug-command", "no", tuneString},
	{"enable-protected-configs", "no", tuneString},
	{"enable-module-command", "no", tuneString},
	{"cluster-enabled", "no", tuneBool},
	{"repl-backlog-size", "1048576", tuneMemory},
	{"key-load-delay", "0", tuneInt},
}

// parseMemory parses a Redis memory size: bytes, or with k/kb/m/mb/g/gb
// (k = 1000, kb = 1024), case-insensitive.
func parseMemory(v string) (int64, error) {
	s := strings.ToLower(strings.TrimSpace(v))
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"gb", 1 << 30}, {"mb", 1 << 20}, {"kb", 1 << 10}, {"g", 1e9}, {"m", 1e6}, {"k", 1e3}, {"b", 1}} {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSuffix(s, u.suffix), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, errNotInteger
	}
	return n * mult, nil
}

func intSetter(field func(*Config) *int, lo, hi int) func(*Config, string) error {
	return func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil {
			return errNotInteger
		}
		if n < lo || n > hi {
			return errOutOfRange
		}
		*field(c) = n
		return nil
	}
}

type configError string

func (e configError) Error() string { return string(e) }

const (
	errNotInteger configError = "argument couldn't be parsed into an integer"
	errBadBool    configError = "argument must be 'yes' or 'no'"
	errOutOfRange configError = "argument must be between the minimum and maximum"
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
