package server

import (
	"math"
	"strconv"
	"strings"

	"github.com/cairn-db/cairn/protocol/num"
)

// This file holds Redis 7.0's configuration parameters that Cairn keeps
// as text (Config.tuning): every parameter redis-server lists in CONFIG
// GET * is accepted, with Redis's default, validation and CONFIG GET
// form, so a redis.conf written for redis-server (Debian's stock one
// among them) starts Cairn unchanged. A few are acted on, as their
// comments say; the rest govern what Cairn does not have (replication,
// cluster, AOF files, fork, jemalloc), as they do nothing in a Redis
// that does not use those parts.

// tuning is one such parameter.
type tuning struct {
	name   string
	value  string // Redis's default, as CONFIG GET shows it
	kind   tuningKind
	lo, hi int64    // bounds of a tuneInt or tuneMemory value, when hi > lo
	values []string // a tuneEnum's names
	// check validates a tuneString value and returns it as CONFIG GET
	// shows it; nil takes any string.
	check func(string) (string, error)
}

type tuningKind uint8

const (
	tuneInt tuningKind = iota
	tuneBool
	tuneMemory
	tuneString
	tuneEnum
)

// Redis's bounds, by C type.
const (
	intMin  = math.MinInt32
	intMax  = math.MaxInt32
	longMax = math.MaxInt64
)

func intSetting(name, def string, lo, hi int64) tuning {
	return tuning{name: name, value: def, kind: tuneInt, lo: lo, hi: hi}
}

func memSetting(name, def string, lo, hi int64) tuning {
	return tuning{name: name, value: def, kind: tuneMemory, lo: lo, hi: hi}
}

func boolSetting(name, def string) tuning {
	return tuning{name: name, value: def, kind: tuneBool}
}

func stringSetting(name, def string) tuning {
	return tuning{name: name, value: def, kind: tuneString}
}

func enumSetting(name, def string, values ...string) tuning {
	return tuning{name: name, value: def, kind: tuneEnum, values: values}
}

func (t tuning) directive() directive {
	name := t.name
	return directive{
		name:      name,
		immutable: redisImmutable[name],
		unlisted:  redisHidden[name],
		protected: name == "dbfilename",
		// Redis's DENY_LOADING_CONFIG settings, besides dir.
		deniedWhileLoading: name == "appendonly" || name == "repl-diskless-load",
		get:                func(c *Config) string { return c.tuning[name] },
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

// normalize validates v as Redis does and returns it as CONFIG GET shows
// it.
func (t tuning) normalize(v string) (string, error) {
	norm, err := t.parse(v)
	if err != nil || t.check == nil {
		return norm, err
	}
	return t.check(norm)
}

// parse validates v by the setting's kind.
func (t tuning) parse(v string) (string, error) {
	switch t.kind {
	case tuneInt:
		n, ok := num.ParseInt([]byte(v))
		if !ok {
			return "", errNotInteger
		}
		return t.bounded(n)
	case tuneBool:
		switch strings.ToLower(v) {
		case "yes", "no":
			return strings.ToLower(v), nil
		}
		return "", errBadBool
	case tuneMemory:
		hi := t.hi
		if hi <= t.lo {
			hi = longMax
		}
		n, err := memoryIn(v, t.lo, hi)
		if err != nil {
			return "", err
		}
		return strconv.FormatInt(n, 10), nil
	case tuneEnum:
		for _, name := range t.values {
			if strings.EqualFold(v, name) {
				return name, nil
			}
		}
		return "", configError("argument(s) must be one of the following: " + strings.Join(t.values, ", "))
	}
	return v, nil
}

// bounded checks n against the setting's bounds, with Redis's message.
func (t tuning) bounded(n int64) (string, error) {
	if t.hi > t.lo && (n < t.lo || n > t.hi) {
		return "", rangeError(t.lo, t.hi)
	}
	return strconv.FormatInt(n, 10), nil
}

// withCheck adds a further check (or adjustment) to a setting.
func (t tuning) withCheck(check func(string) (string, error)) tuning {
	t.check = check
	return t
}

func checkedSetting(name, def string, check func(string) (string, error)) tuning {
	return stringSetting(name, def).withCheck(check)
}

// atLeastBacklog is Redis's smallest replication backlog, 16 KiB, which a
// smaller repl-backlog-size becomes.
func atLeastBacklog(v string) (string, error) {
	if n, _ := strconv.ParseInt(v, 10, 64); n < 16<<10 {
		return strconv.Itoa(16 << 10), nil
	}
	return v, nil
}

// checkSavePoints validates save's "seconds changes" pairs as Redis does
// (seconds at least 1, changes at least 0; "" for none).
func checkSavePoints(v string) (string, error) {
	if v == "" {
		return "", nil
	}
	args := strings.Split(v, " ")
	if len(args)%2 != 0 {
		return "", configError("Invalid save parameters")
	}
	for i, a := range args {
		n, err := strconv.ParseInt(a, 10, 64)
		if err != nil || (i%2 == 0 && n < 1) || n < 0 {
			return "", configError("Invalid save parameters")
		}
		args[i] = strconv.FormatInt(n, 10)
	}
	return strings.Join(args, " "), nil
}

// checkHostname is Redis's isValidAnnouncedHostname.
func checkHostname(v string) (string, error) {
	for _, r := range v {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.') {
			return "", configError("Hostnames may only contain alphanumeric characters, hyphens or dots")
		}
	}
	return v, nil
}

// procTitleVariables are what proc-title-template may name.
var procTitleVariables = []string{"{title}", "{listen-addr}", "{server-mode}", "{port}", "{tls-port}", "{unixsocket}", "{config-file}"}

// checkProcTitle is Redis's isValidProcTitleTemplate: known variables
// only, in balanced braces, expanding to something not empty ({title}
// and {server-mode} may expand to nothing).
func checkProcTitle(v string) (string, error) {
	rest := v
	for _, name := range procTitleVariables {
		filler := "x"
		if name == "{title}" || name == "{server-mode}" || name == "{unixsocket}" || name == "{config-file}" {
			filler = ""
		}
		rest = strings.ReplaceAll(rest, name, filler)
	}
	if rest == "" || strings.ContainsAny(rest, "{}") {
		return "", configError("template format is invalid or contains unknown variables")
	}
	return v, nil
}

// tuningAliases are Redis 7.0's old names of settings: reading or setting
// one reads or sets the setting it names, as in Redis.
var tuningAliases = map[string]string{
	"list-max-ziplist-size":         "list-max-listpack-size",
	"hash-max-ziplist-entries":      "hash-max-listpack-entries",
	"hash-max-ziplist-value":        "hash-max-listpack-value",
	"zset-max-ziplist-entries":      "zset-max-listpack-entries",
	"zset-max-ziplist-value":        "zset-max-listpack-value",
	"slave-serve-stale-data":        "replica-serve-stale-data",
	"slave-read-only":               "replica-read-only",
	"slave-lazy-flush":              "replica-lazy-flush",
	"slave-ignore-maxmemory":        "replica-ignore-maxmemory",
	"slave-priority":                "replica-priority",
	"slave-announce-ip":             "replica-announce-ip",
	"slave-announce-port":           "replica-announce-port",
	"min-slaves-to-write":           "min-replicas-to-write",
	"min-slaves-max-lag":            "min-replicas-max-lag",
	"repl-ping-slave-period":        "repl-ping-replica-period",
	"cluster-slave-validity-factor": "cluster-replica-validity-factor",
	"cluster-slave-no-failover":     "cluster-replica-no-failover",
}

// redisHidden are Redis's HIDDEN_CONFIG settings, for its tests: CONFIG
// GET shows them only by their exact name.
var redisHidden = map[string]bool{
	"key-load-delay": true, "loading-process-events-interval-bytes": true,
	"watchdog-period": true, "use-exit-on-panic": true,
}

// redisImmutable are the tuning settings Redis 7.0 refuses to change at
// run time (IMMUTABLE_CONFIG).
var redisImmutable = map[string]bool{
	"daemonize": true, "tcp-backlog": true, "supervised": true, "logfile": true, "pidfile": true,
	"appendfilename": true, "enable-debug-command": true, "enable-protected-configs": true,
	"enable-module-command": true, "cluster-enabled": true,
	"rdbchecksum": true, "always-show-logo": true, "set-proc-title": true, "syslog-enabled": true,
	"syslog-ident": true, "syslog-facility": true, "disable-thp": true, "io-threads-do-reads": true,
	"appenddirname": true, "cluster-config-file": true, "cluster-port": true,
	"server_cpulist": true, "bio_cpulist": true, "aof_rewrite_cpulist": true, "bgsave_cpulist": true,
	"socket-mark-id": true,
}

// tuningDefaults are the settings, with Redis 7.0.15's defaults and bounds
// (config.c).
var tuningDefaults = []tuning{
	checkedSetting("save", "", checkSavePoints),
	boolSetting("appendonly", "no"),
	stringSetting("appendfilename", "appendonly.aof"),
	stringSetting("dbfilename", "dump.rdb"),
	intSetting("list-max-listpack-size", "-2", intMin, intMax),
	intSetting("list-compress-depth", "0", 0, intMax),
	// Acted on (applyConfig, encodingLimits): when a hash, set or sorted
	// set leaves its compact encoding.
	intSetting("hash-max-listpack-entries", "512", 0, longMax),
	memSetting("hash-max-listpack-value", "64", 0, longMax),
	intSetting("set-max-intset-entries", "512", 0, longMax),
	intSetting("zset-max-listpack-entries", "128", 0, longMax),
	memSetting("zset-max-listpack-value", "64", 0, longMax),
	memSetting("stream-node-max-bytes", "4096", 0, longMax),
	intSetting("stream-node-max-entries", "100", 0, longMax), // acted on: encodingLimits
	memSetting("hll-sparse-max-bytes", "3000", 0, longMax),
	enumSetting("sanitize-dump-payload", "no", "no", "yes", "clients"),
	boolSetting("activerehashing", "yes"),
	intSetting("active-expire-effort", "1", 1, 10),
	boolSetting("dynamic-hz", "yes"),
	boolSetting("lazyfree-lazy-eviction", "no"),
	boolSetting("lazyfree-lazy-expire", "no"),
	boolSetting("lazyfree-lazy-server-del", "no"),
	boolSetting("lazyfree-lazy-user-del", "no"),
	boolSetting("lazyfree-lazy-user-flush", "no"),
	intSetting("tracking-table-max-keys", "1000000", 0, longMax), // acted on: applyConfig
	intSetting("min-replicas-to-write", "0", 0, intMax),          // acted on: applyConfig (noreplicas.go)
	intSetting("min-replicas-max-lag", "10", 0, intMax),
	intSetting("tcp-keepalive", "300", 0, intMax),
	intSetting("tcp-backlog", "511", 0, intMax),
	intSetting("timeout", "0", 0, intMax),
	boolSetting("daemonize", "no"),
	enumSetting("supervised", "no", "upstart", "systemd", "auto", "no"),
	boolSetting("protected-mode", "yes"),
	enumSetting("loglevel", "notice", "debug", "verbose", "notice", "warning"),
	stringSetting("logfile", ""),
	stringSetting("pidfile", ""),
	intSetting("slowlog-log-slower-than", "10000", -1, longMax),
	intSetting("slowlog-max-len", "128", 0, longMax),
	intSetting("acllog-max-len", "128", 0, longMax), // acted on: applyConfig
	memSetting("client-query-buffer-limit", "1073741824", 1<<20, longMax),
	boolSetting("replica-read-only", "yes"),
	boolSetting("replica-serve-stale-data", "yes"),
	intSetting("repl-diskless-sync-delay", "5", 0, intMax),
	enumSetting("propagation-error-behavior", "ignore", "ignore", "panic", "panic-on-replicas"),
	boolSetting("always-show-logo", "no"),
	boolSetting("repl-diskless-sync", "yes"),
	boolSetting("stop-writes-on-bgsave-error", "yes"),
	boolSetting("rdbcompression", "yes"),
	boolSetting("rdbchecksum", "yes"),
	boolSetting("aof-use-rdb-preamble", "yes"),
	boolSetting("no-appendfsync-on-rewrite", "no"),
	intSetting("auto-aof-rewrite-percentage", "100", 0, intMax),
	boolSetting("jemalloc-bg-thread", "yes"),
	boolSetting("activedefrag", "no"),
	enumSetting("enable-debug-command", "no", "no", "yes", "local"),
	enumSetting("enable-protected-configs", "no", "no", "yes", "local"),
	enumSetting("enable-module-command", "no", "no", "yes", "local"),
	boolSetting("cluster-enabled", "no"),
	memSetting("repl-backlog-size", "1048576", 1, longMax).withCheck(atLeastBacklog),
	intSetting("key-load-delay", "0", intMin, intMax),
	intSetting("loading-process-events-interval-bytes", "2097152", 1024, intMax),
	intSetting("watchdog-period", "0", 0, intMax),
	boolSetting("use-exit-on-panic", "no"),

	// The process: Cairn does not fork, so Redis's reason to turn
	// transparent huge pages off (copy-on-write latency in the save
	// child) does not arise; its process title is Go's.
	boolSetting("disable-thp", "yes"),
	boolSetting("set-proc-title", "yes"),
	checkedSetting("proc-title-template", "{title} {listen-addr} {server-mode}", checkProcTitle),
	stringSetting("server_cpulist", ""),
	stringSetting("bio_cpulist", ""),
	stringSetting("aof_rewrite_cpulist", ""),
	stringSetting("bgsave_cpulist", ""),
	boolSetting("crash-log-enabled", "yes"),
	boolSetting("crash-memcheck-enabled", "yes"),
	stringSetting("ignore-warnings", ""),
	boolSetting("io-threads-do-reads", "no"),
	intSetting("socket-mark-id", "0", 0, math.MaxUint32),
	boolSetting("syslog-enabled", "no"),
	stringSetting("syslog-ident", "redis"),
	enumSetting("syslog-facility", "local0", "user", "local0", "local1", "local2", "local3",
		"local4", "local5", "local6", "local7"),

	// Memory defragmentation is jemalloc's; Go's allocator has none.
	intSetting("active-defrag-cycle-min", "1", 1, 99),
	intSetting("active-defrag-cycle-max", "25", 1, 99),
	memSetting("active-defrag-ignore-bytes", "104857600", 1, longMax),
	intSetting("active-defrag-max-scan-fields", "1000", 1, longMax),
	intSetting("active-defrag-threshold-lower", "10", 0, 1000),
	intSetting("active-defrag-threshold-upper", "100", 0, 1000),

	// The append-only file and RDB files' fsync: Pebble's write-ahead log
	// takes the AOF's place (appendfsync is acted on).
	stringSetting("appenddirname", "appendonlydir"),
	boolSetting("aof-load-truncated", "yes"),
	boolSetting("aof-timestamp-enabled", "no"),
	boolSetting("aof-rewrite-incremental-fsync", "yes"),
	boolSetting("aof-disable-auto-gc", "no"),
	boolSetting("rdb-save-incremental-fsync", "yes"),
	boolSetting("rdb-del-sync-files", "no"),

	// Replication: Cairn is never a replica and has no replicas.
	stringSetting("masterauth", ""),
	stringSetting("masteruser", ""),
	stringSetting("replica-announce-ip", ""),
	intSetting("replica-announce-port", "0", 0, 65535),
	boolSetting("replica-announced", "yes"),
	intSetting("replica-priority", "100", 0, intMax),
	boolSetting("replica-lazy-flush", "no"),
	boolSetting("replica-ignore-maxmemory", "yes"),
	boolSetting("replica-ignore-disk-write-errors", "no"),
	intSetting("repl-timeout", "60", 1, intMax),
	intSetting("repl-ping-replica-period", "10", 1, intMax),
	intSetting("repl-backlog-ttl", "3600", 0, longMax),
	boolSetting("repl-disable-tcp-nodelay", "no"),
	enumSetting("repl-diskless-load", "disabled", "disabled", "on-empty-db", "swapdb"),
	intSetting("repl-diskless-sync-max-replicas", "0", 0, intMax),
	intSetting("shutdown-timeout", "10", 0, intMax), // how long a shutdown waits for lagging replicas

	// Redis Cluster's bus: Cairn answers CLUSTER as a single node.
	stringSetting("cluster-config-file", "nodes.conf"),
	intSetting("cluster-port", "0", 0, 65535),
	intSetting("cluster-node-timeout", "15000", 0, longMax),
	intSetting("cluster-migration-barrier", "1", 0, intMax),
	intSetting("cluster-replica-validity-factor", "10", 0, intMax),
	boolSetting("cluster-replica-no-failover", "no"),
	boolSetting("cluster-require-full-coverage", "yes"),
	boolSetting("cluster-allow-reads-when-down", "no"),
	boolSetting("cluster-allow-pubsubshard-when-down", "yes"),
	boolSetting("cluster-allow-replica-migration", "yes"),
	stringSetting("cluster-announce-ip", ""),
	checkedSetting("cluster-announce-hostname", "", checkHostname),
	intSetting("cluster-announce-port", "0", 0, 65535),
	intSetting("cluster-announce-bus-port", "0", 0, 65535),
	intSetting("cluster-announce-tls-port", "0", 0, 65535),
	enumSetting("cluster-preferred-endpoint-type", "ip", "ip", "hostname", "unknown-endpoint"),
	memSetting("cluster-link-sendbuf-limit", "0", 0, longMax),

	// TLS: tlsConfig acts on tls-protocols, tls-ciphers, tls-ca-cert-dir
	// and tls-session-caching, and refuses what Go's TLS cannot do (an
	// encrypted key file, a TLS 1.3 suite list). Go's TLS has no
	// finite-field Diffie-Hellman suites (tls-dh-params-file), keeps no
	// server-side session cache (its tickets are stateless), and picks
	// suites by its own order (tls-prefer-server-ciphers). The client
	// side and the cluster bus are for connections Cairn does not make.
	stringSetting("tls-protocols", ""),
	stringSetting("tls-ciphers", ""),
	stringSetting("tls-ciphersuites", ""),
	boolSetting("tls-prefer-server-ciphers", "no"),
	stringSetting("tls-ca-cert-dir", ""),
	stringSetting("tls-key-file-pass", ""),
	stringSetting("tls-dh-params-file", ""),
	boolSetting("tls-session-caching", "yes"),
	intSetting("tls-session-cache-size", "20480", 0, intMax),
	intSetting("tls-session-cache-timeout", "300", 0, intMax),
	stringSetting("tls-client-cert-file", ""),
	stringSetting("tls-client-key-file", ""),
	stringSetting("tls-client-key-file-pass", ""),
	boolSetting("tls-cluster", "no"),
	boolSetting("tls-replication", "no"),
}
