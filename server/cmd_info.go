package server

import (
	"cmp"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"runtime"
	"runtime/metrics"
	"strings"
	"time"

	"github.com/cairn-db/cairn/protocol"
	"github.com/cairn-db/cairn/store"
)

// infoSection writes one INFO section's fields.
type infoSection struct {
	name  string // as INFO's arguments name it
	title string // its header line: Redis spells "cpu" "CPU"
	write func(s *Server, w *infoWriter)
	// extra sections are left out of the default INFO, as in Redis.
	extra bool
}

// infoSections are in Redis's order; the default set is Redis's too.
var infoSections = []infoSection{
	{"server", "Server", (*Server).infoServer, false},
	{"clients", "Clients", (*Server).infoClients, false},
	{"memory", "Memory", (*Server).infoMemory, false},
	{"persistence", "Persistence", (*Server).infoPersistence, false},
	{"stats", "Stats", (*Server).infoStats, false},
	{"replication", "Replication", (*Server).infoReplication, false},
	{"cpu", "CPU", (*Server).infoCPU, false},
	{"modules", "Modules", func(*Server, *infoWriter) {}, false}, // none can be loaded
	{"commandstats", "Commandstats", (*Server).infoCommandStats, true},
	{"errorstats", "Errorstats", (*Server).infoErrorStats, false},
	{"latencystats", "Latencystats", (*Server).infoLatencyStats, true},
	{"cluster", "Cluster", (*Server).infoCluster, false},
	{"keyspace", "Keyspace", (*Server).infoKeyspace, false},
}

func infoCommands() []*Command {
	// flagAtomic: the keyspace section reads the store, and INFO may run
	// inside EXEC or a script, which already hold the keyspace lock.
	return []*Command{cmd("info", -1, FlagLoading|FlagStale|flagAtomic, cmdInfo)}
}

// INFO [section …]
func cmdInfo(c *Context) error {
	want := map[string]bool{}
	for _, a := range c.Args[1:] {
		want[strings.ToLower(string(a))] = true
	}
	all := want["all"] || want["everything"]
	def := len(want) == 0 || want["default"]
	w := &infoWriter{tx: c.Tx}
	for _, sec := range infoSections {
		if !all && !want[sec.name] && !(def && !sec.extra) {
			continue
		}
		if w.b.Len() > 0 {
			w.b.WriteString("\r\n")
		}
		w.b.WriteString("# " + sec.title + "\r\n")
		sec.write(c.Server, w)
	}
	c.Out.Verbatim(w.b.String())
	return nil
}

type infoWriter struct {
	b  strings.Builder
	tx *store.Tx // the command's transaction, for sections that read the keyspace
}

func (w *infoWriter) field(k string, v any) {
	fmt.Fprintf(&w.b, "%s:%v\r\n", k, v)
}

// runID is a random 40-hex-digit id per process, as Redis's run_id.
var runID = func() string {
	b := make([]byte, 20)
	rand.Read(b)
	return hex.EncodeToString(b)
}()

func (s *Server) infoServer(w *infoWriter) {
	cfg := s.config()
	now := s.clock.Now()
	up := int64(now.Sub(s.started).Seconds())
	exe, _ := os.Executable()
	w.field("redis_version", Version)
	w.field("redis_git_sha1", "00000000")
	w.field("redis_git_dirty", 0)
	w.field("redis_build_id", "0")
	w.field("redis_mode", "standalone")
	w.field("os", runtime.GOOS+" "+runtime.GOARCH)
	w.field("arch_bits", 64)
	w.field("multiplexing_api", "go")
	w.field("gcc_version", "0.0.0")
	w.field("process_id", os.Getpid())
	w.field("process_supervised", cmp.Or(cfg.Supervised, "no"))
	w.field("run_id", runID)
	w.field("tcp_port", cfg.Port)
	w.field("server_time_usec", now.UnixMicro())
	w.field("uptime_in_seconds", up)
	w.field("uptime_in_days", up/86400)
	w.field("hz", cfg.Hz)
	w.field("configured_hz", cfg.Hz)
	w.field("lru_clock", now.Unix()&(1<<24-1))
	w.field("executable", exe)
	w.field("config_file", cfg.ConfigFile)
	w.field("io_threads_active", 0)
	w.field("cairn_engine", cfg.Engine)
	w.field("cairn_go_version", runtime.Version())
}

func (s *Server) infoClients(w *infoWriter) {
	w.field("connected_clients", s.clients.count())
	w.field("cluster_connections", 0)
	w.field("maxclients", s.maxClients.Load())
	w.field("client_recent_max_input_buffer", 0)
	w.field("client_recent_max_output_buffer", 0)
	w.field("blocked_clients", s.blockedClients())
	w.field("tracking_clients", s.tracking.nClients.Load())
	w.field("clients_in_timeout_table", s.blocking.timed.Load())
}

func (s *Server) infoMemory(w *infoWriter) {
	used := s.store.UsedMemory()
	peak := s.stats.notePeakMemory(used)
	rss := rssBytes()
	cfg := s.config()
	w.field("used_memory", used)
	w.field("used_memory_human", humanBytes(used))
	w.field("used_memory_rss", rss)
	w.field("used_memory_rss_human", humanBytes(rss))
	w.field("used_memory_peak", peak)
	w.field("used_memory_peak_human", humanBytes(peak))
	// As MEMORY STATS: the keyspace's own structures are the overhead.
	ov := s.memoryOverhead(w.tx)
	w.field("used_memory_overhead", ov.overheadTotal)
	w.field("used_memory_startup", ov.startup)
	w.field("used_memory_dataset", ov.dataset)
	w.field("cairn_go_heap_objects", heapBytes())
	w.field("total_system_memory", totalSystemMemory())
	w.field("number_of_cached_scripts", s.cachedScripts())
	libs, funcs := s.functions.counts()
	w.field("number_of_functions", funcs)
	w.field("number_of_libraries", libs)
	w.field("maxmemory", cfg.MaxMemory)
	w.field("maxmemory_human", humanBytes(cfg.MaxMemory))
	w.field("maxmemory_policy", cfg.MaxMemoryPolicy)
	if used > 0 {
		w.field("mem_fragmentation_ratio", fmt.Sprintf("%.2f", float64(rss)/float64(used)))
	}
	// Clients' buffers count in used_memory, as in Redis; Cairn has no
	// replication or AOF buffers that Redis leaves out of eviction.
	w.field("mem_not_counted_for_evict", 0)
	w.field("mem_clients_slaves", 0)
	w.field("mem_clients_normal", s.store.BufferMemory())
	w.field("mem_allocator", "go")
	// Redis frees large values in a background thread (UNLINK, FLUSHALL
	// ASYNC, lazyfree-lazy-*) and counts them here. Cairn drops the last
	// reference in the command and Go's concurrent GC reclaims the memory:
	// nothing is ever queued for, or freed by, a lazyfree thread.
	w.field("lazyfree_pending_objects", 0)
	w.field("lazyfreed_objects", 0)
}

func (s *Server) infoStats(w *infoWriter) {
	st := s.store.Stats()
	w.field("total_connections_received", s.clients.total.Load())
	w.field("total_commands_processed", s.stats.commands.Load())
	w.field("instantaneous_ops_per_sec", 0)
	w.field("rejected_connections", s.stats.rejected.Load())
	w.field("expired_keys", st.ExpiredKeys.Load())
	w.field("evicted_keys", st.EvictedKeys.Load())
	w.field("evicted_clients", s.clientMem.evicted.Load())
	w.field("keyspace_hits", st.KeyspaceHits.Load())
	w.field("keyspace_misses", st.KeyspaceMisses.Load())
	w.field("pubsub_channels", s.numChannels(spaceChannel))
	w.field("pubsub_patterns", s.numChannels(spacePattern))
	w.field("pubsubshard_channels", s.numChannels(spaceShard))
	w.field("migrate_cached_sockets", s.migrateSockets.count())
	w.field("tracking_total_keys", s.tracking.nKeys.Load())
	w.field("tracking_total_items", s.tracking.nItems.Load())
	w.field("tracking_total_prefixes", s.tracking.nPrefix.Load())
	w.field("total_error_replies", s.stats.errors.Load())
	w.field("total_connections_closed_over_limit", s.stats.limitKills.Load())
	w.field("acl_access_denied_auth", s.acl.log.deniedAuth.Load())
	w.field("acl_access_denied_cmd", s.acl.log.deniedCmd.Load())
	w.field("acl_access_denied_key", s.acl.log.deniedKey.Load())
	w.field("acl_access_denied_channel", s.acl.log.deniedChannel.Load())
}

func (s *Server) infoReplication(w *infoWriter) {
	w.field("role", "master")
	w.field("connected_slaves", 0)
	w.field("master_failover_state", "no-failover")
	w.field("master_replid", runID)
	w.field("master_replid2", strings.Repeat("0", 40))
	w.field("master_repl_offset", 0)
	w.field("second_repl_offset", -1)
	w.field("repl_backlog_active", 0)
	w.field("repl_backlog_size", atoi64(s.config().tuning["repl-backlog-size"]))
	w.field("repl_backlog_first_byte_offset", 0)
	w.field("repl_backlog_histlen", 0)
}

func (s *Server) infoCluster(w *infoWriter) {
	w.field("cluster_enabled", 0)
}

func (s *Server) infoCPU(w *infoWriter) {
	sys, user := cpuTimes()
	sec := func(d time.Duration) string {
		return fmt.Sprintf("%d.%06d", d/time.Second, d%time.Second/time.Microsecond)
	}
	w.field("used_cpu_sys", sec(sys))
	w.field("used_cpu_user", sec(user))
	w.field("used_cpu_sys_children", "0.000000")
	w.field("used_cpu_user_children", "0.000000")
}

func (s *Server) infoKeyspace(w *infoWriter) {
	if w.tx == nil { // loading: no keys yet
		return
	}
	for db := 0; db < s.store.Databases(); db++ {
		keys, expires := w.tx.DBStats(db)
		if keys > 0 {
			w.field(fmt.Sprintf("db%d", db), fmt.Sprintf("keys=%d,expires=%d,avg_ttl=0", keys, expires))
		}
	}
}

// heapBytes is the Go heap in use, the closest figure to Redis's
// used_memory the runtime offers cheaply.
func heapBytes() int64 {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(sample)
	return int64(sample[0].Value.Uint64())
}

// rssBytes reads the process's resident set size from /proc.
func rssBytes() int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	var size, rss int64
	fmt.Sscan(string(b), &size, &rss)
	return rss * int64(os.Getpagesize())
}

// humanBytes formats n as Redis's bytesToHuman does.
func humanBytes(n int64) string {
	f := float64(n)
	switch {
	case n < 1024:
		return fmt.Sprintf("%dB", n)
	case n < 1<<20:
		return fmt.Sprintf("%.2fK", f/(1<<10))
	case n < 1<<30:
		return fmt.Sprintf("%.2fM", f/(1<<20))
	case n < 1<<40:
		return fmt.Sprintf("%.2fG", f/(1<<30))
	}
	return fmt.Sprintf("%.2fT", f/(1<<40))
}

func atoi64(s string) int64 {
	n, _ := protocol.ParseInt([]byte(s))
	return n
}
