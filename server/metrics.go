package server

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/cairn-db/cairn/store"
)

// metrics is a server's Prometheus registry. It is the server's own,
// never the global default, so two servers can run in one process.
type promMetrics struct {
	reg           *prometheus.Registry
	commandErrors *prometheus.CounterVec
	http          *http.Server
	ln            net.Listener
}

// waitBuckets span 1 ms to about 4.5 hours, for blocked clients.
var waitBuckets = prometheus.ExponentialBuckets(1e-3, 4, 12)

// newMetrics builds the registry and resolves every command's series.
func newMetrics(s *Server) *promMetrics {
	m := &promMetrics{reg: prometheus.NewRegistry()}
	m.commandErrors = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "cairn_command_errors_total",
		Help: "Error replies by command and error kind (the reply's first word, as in INFO errorstats).",
	}, []string{"cmd", "kind"})
	s.table.forEachCommand(func(c *Command) {
		name := c.FullName()
		labels := prometheus.Labels{"cmd": name}
		st := &cmdStats{errs: map[string]prometheus.Counter{}}
		if c.Flags&FlagBlocking != 0 {
			st.wait = prometheus.NewHistogram(prometheus.HistogramOpts{
				Name:        "cairn_blocking_wait_seconds",
				Help:        "Time blocking commands waited before being served or timing out.",
				ConstLabels: labels,
				Buckets:     waitBuckets,
			})
		}
		c.stats = st
	})
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.commandErrors,
		&commandCollector{s: s},
		&keyspaceCollector{s: s},
		&queueCollector{s: s},
		newEngineCollector(s.EngineMetrics),
	)
	gauge := func(name, help string, f func() float64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, f)
	}
	counter := func(name, help string, f func() float64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, f)
	}
	st := s.store.Stats()
	m.reg.MustRegister(
		gauge("cairn_connected_clients", "Client connections open now.", func() float64 { return float64(s.clients.count()) }),
		gauge("cairn_blocked_clients", "Clients waiting in a blocking command.", func() float64 { return float64(s.blockedClients()) }),
		gauge("cairn_memory_used_bytes", "Cairn's accounting of its data and clients' buffers (INFO used_memory), which maxmemory caps.", func() float64 { return float64(s.store.UsedMemory()) }),
		gauge("cairn_memory_clients_bytes", "The part of used memory clients' buffers hold (INFO mem_clients_normal), which maxmemory-clients caps.", func() float64 { return float64(s.store.BufferMemory()) }),
		gauge("cairn_go_heap_objects_bytes", "Go heap in live and unswept objects.", func() float64 { return float64(heapBytes()) }),
		gauge("cairn_maxmemory_bytes", "The maxmemory setting; 0 is no limit.", func() float64 { return float64(atoi64(s.tuning("maxmemory"))) }),
		counter("cairn_connections_received_total", "Connections accepted.", func() float64 { return float64(s.clients.total.Load()) }),
		counter("cairn_connections_rejected_total", "Connections refused over maxclients.", func() float64 { return float64(s.stats.rejected.Load()) }),
		counter("cairn_expired_keys_total", "Keys deleted because their TTL passed.", func() float64 { return float64(st.ExpiredKeys.Load()) }),
		counter("cairn_evicted_keys_total", "Keys evicted under maxmemory.", func() float64 { return float64(s.evictedKeys()) }),
		counter("cairn_evicted_clients_total", "Clients disconnected over maxmemory-clients.", func() float64 { return float64(s.clientMem.evicted.Load()) }),
		counter("cairn_keyspace_hits_total", "Key lookups that found the key.", func() float64 { return float64(st.KeyspaceHits.Load()) }),
		counter("cairn_keyspace_misses_total", "Key lookups that found nothing.", func() float64 { return float64(st.KeyspaceMisses.Load()) }),
		counter("cairn_error_replies_total", "Error replies sent.", func() float64 { return float64(s.stats.errors.Load()) }),
		counter("cairn_clients_disconnected_over_limit_total", "Clients closed for exceeding a limit (query or output buffer, idle timeout).", func() float64 { return float64(s.stats.limitKills.Load()) }),
	)
	return m
}

// evictedKeys is the evicted_keys figure.
func (s *Server) evictedKeys() int64 { return s.store.Stats().EvictedKeys.Load() }

// commandCollector emits the call counters and latency histograms of the
// commands that have run at least once, so an idle command adds no
// series, and the dispatcher only bumps atomics.
type commandCollector struct{ s *Server }

var (
	callsDesc    = prometheus.NewDesc("cairn_commands_total", "Commands executed, by command.", []string{"cmd"}, nil)
	durationDesc = prometheus.NewDesc("cairn_command_duration_seconds", "Command execution time, excluding time spent blocked.", []string{"cmd"}, nil)
)

func (c *commandCollector) Describe(chan<- *prometheus.Desc) {} // unchecked: series vary

func (c *commandCollector) Collect(ch chan<- prometheus.Metric) {
	c.s.table.forEachCommand(func(cmd *Command) {
		st := cmd.stats
		if st == nil {
			return
		}
		n := st.latency.count()
		if n == 0 {
			return
		}
		ch <- prometheus.MustNewConstMetric(callsDesc, prometheus.CounterValue, float64(n), cmd.FullName())
		ch <- st.latency.metric(durationDesc, cmd.FullName())
		if st.wait != nil {
			st.wait.Collect(ch)
		}
	})
}

// keyspaceCollector reports keys and keys with a TTL per database, read
// at scrape time.
type keyspaceCollector struct{ s *Server }

var (
	keysDesc     = prometheus.NewDesc("cairn_keys", "Keys per database.", []string{"db"}, nil)
	expiringDesc = prometheus.NewDesc("cairn_expiring_keys", "Keys with a TTL per database.", []string{"db"}, nil)
)

func (c *keyspaceCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- keysDesc
	ch <- expiringDesc
}

func (c *keyspaceCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.s.store
	st.View(0, func(tx *store.Tx) error {
		for db := 0; db < st.Databases(); db++ {
			keys, expires := tx.DBStats(db)
			if keys == 0 {
				continue
			}
			d := strconv.Itoa(db)
			ch <- prometheus.MustNewConstMetric(keysDesc, prometheus.GaugeValue, float64(keys), d)
			ch <- prometheus.MustNewConstMetric(expiringDesc, prometheus.GaugeValue, float64(expires), d)
		}
		return nil
	})
}

// MetricsRegistry returns the server's Prometheus registry, for embedders
// that serve metrics themselves or add their own collectors.
func (s *Server) MetricsRegistry() *prometheus.Registry { return s.metrics.reg }

// MetricsAddr returns the address /metrics is served on, or "" when the
// metrics listener is off.
func (s *Server) MetricsAddr() string {
	if s.metrics.ln == nil {
		return ""
	}
	return s.metrics.ln.Addr().String()
}

// serveMetrics starts the /metrics listener on addr.
func (s *Server) serveMetrics(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{Registry: s.metrics.reg}))
	s.metrics.ln = ln
	s.metrics.http = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		if err := s.metrics.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("metrics listener", "err", err)
		}
	}()
	return nil
}

// stopMetrics closes the metrics listener.
func (s *Server) stopMetrics() {
	if s.metrics.http != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		s.metrics.http.Shutdown(ctx)
	}
}
