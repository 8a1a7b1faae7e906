package server

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cairn-db/cairn/protocol"
	"github.com/cairn-db/cairn/store"
	"github.com/cairn-db/cairn/store/pebblestore"
)

// Version is the Redis version Cairn reports (INFO, HELLO). Clients gate
// features on it, so it names the Redis release whose behaviour Cairn
// follows.
const Version = "7.0.15"

// Server is a running Cairn server: listeners, clients, the store. It is
// both the daemon's server and the embedded test server; they share all
// code.
type Server struct {
	cfgMu sync.Mutex
	cfg   Config
	// guards are enable-debug-command and enable-protected-configs as the
	// server started: no CONFIG SET changes them, so commands read them
	// here, without cfgMu.
	guards map[string]string
	// activeExpireOff stops the cron's expiry of keys (DEBUG
	// SET-ACTIVE-EXPIRE 0).
	activeExpireOff atomic.Bool
	// denyScriptsOff lets scripts call commands flagged noscript (DEBUG
	// SET-DISABLE-DENY-SCRIPTS 1), for tests.
	denyScriptsOff atomic.Bool
	// cronPaused stops the background work startBackground runs (DEBUG
	// PAUSE-CRON 1), as Redis's serverCron stops.
	cronPaused atomic.Bool
	// migrateSockets are MIGRATE's connections, kept for 10 s.
	migrateSockets migrateSockets

	store *store.Store
	clock store.Clock
	// realClock is set when clock is the wall clock, so the dispatcher can
	// read the time once per command.
	realClock bool
	table     *Table
	log       *slog.Logger
	clients   clients
	clientMem clientMem // clients' memory and client eviction (clientmem.go)
	stats     serverStats
	engine    *pebblestore.Engine // nil with the memory engine
	watches   watches
	pubsub    pubsub
	tracking  tracking // client-side caching (tracking.go)
	scripts   scripts
	functions functions
	hot       eventConfig
	// blocking holds the clients waiting in blocking commands.
	blocking blocking
	pause    clientPause // CLIENT PAUSE (pause.go)
	faults   faultSet    // injected faults, for tests (faults.go)
	persist  persistState
	shutdown shutdownState // SHUTDOWN and signals (shutdown.go)

	metrics  *promMetrics
	errStats errorStats
	slowlog  slowlog
	monitors monitors
	acl      *acl

	// The listeners: TCP ones per bind address, which CONFIG SET bind
	// and port replace (listen.go), so they are read under lnMu.
	lnMu         sync.Mutex
	listeners    []net.Listener
	tlsListeners []net.Listener
	unixListener net.Listener

	// Hot configuration, read on every command or connection.
	requirePass     string // last applied, to tell when CONFIG SET changes it
	protoMaxBulkLen atomic.Int64
	maxClients      atomic.Int64
	hz              atomic.Int64
	maxMemory       atomic.Int64
	noReplicas      atomic.Bool  // min-replicas-to-write is not met (noreplicas.go)
	startMemLimit   int64        // the Go memory limit at start (GOMEMLIMIT), restored when maxmemory is unset
	slowlogSlower   atomic.Int64 // µs; negative disables the slow log
	// latency-tracking, its percentiles, and latency-monitor-threshold (ms;
	// 0 is off): see latency_tracking.go and latency.go.
	latencyTracking    atomic.Bool
	latencyPercentiles atomic.Pointer[[]float64]
	latencyThreshold   atomic.Int64
	oomScore           oomScore // oom-score-adj's memory of the score before it
	latency            latencyMonitor
	limits             limits

	ctx       context.Context // cancelled by Close: wakes every waiting client
	cancel    context.CancelFunc
	loops     eventLoops     // serve plain TCP clients (eventloop_linux.go)
	conns     sync.WaitGroup // one per accepted connection
	outboxes  sync.WaitGroup // one per subscriber's writer goroutine
	bg        sync.WaitGroup // background goroutines
	accepting sync.WaitGroup // one per listener's accept loop
	closing   sync.Once
	closed    chan struct{}
	ready     chan struct{} // closed once every command runs (logReady)
	closeErr  error
	started   time.Time

	loading   atomic.Bool // the store is loading in the background (loading.go)
	loadStart time.Time
	loadErr   error // why the background load failed; read after s.bg.Wait
}

// Start opens the store and starts serving on the configured addresses.
func Start(cfg Config) (*Server, error) {
	cfg.setDefaults()
	st, eng, err := openStore(cfg)
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg:     cfg,
		store:   st,
		engine:  eng,
		clock:   cfg.Clock,
		table:   newTable(commandGroups()...),
		log:     cfg.Logger,
		closed:  make(chan struct{}),
		ready:   make(chan struct{}),
		started: cfg.Clock.Now(),
	}
	s.guards = map[string]string{}
	for _, name := range []string{"enable-debug-command", "enable-protected-configs"} {
		s.guards[name] = cfg.tuning[name]
	}
	s.clients.byID = make(map[int64]*Client)
	st.SetBufferMemory(&s.clientMem.total)
	s.startMemLimit = debug.SetMemoryLimit(-1)
	applyGoMaxProcs(cfg)
	s.persist.init(s)
	if eng != nil {
		eng.OnAlwaysFsync(func(d time.Duration) { s.latencyEvent("aof-fsync-always", d) })
	}
	_, s.realClock = cfg.Clock.(store.RealClock)
	s.metrics = newMetrics(s)
	s.acl = newACL(s.table, cfg.RequirePass)
	s.acl.pubsubAll.Store(cfg.ACLPubsubAll)
	s.requirePass = cfg.RequirePass
	if err := s.loadStartupUsers(); err != nil {
		st.Close()
		return nil, err
	}
	s.table.applyRenames(cfg.RenameCommands)
	s.applyConfig()
	s.ctx, s.cancel = context.WithCancel(context.Background())
	st.SetObserver(s)
	if !cfg.LoadInBackground {
		if err := s.importRDB(s.startRDB()); err != nil {
			st.Close()
			return nil, err
		}
		s.loadStoredFunctions()
	}

	lns, port, err := s.listenTCP(cfg.Bind, cfg.Port)
	if err != nil {
		st.Close()
		// redis-server's words, which scripts that retry on another
		// port look for.
		return nil, fmt.Errorf("Failed listening on port %d (tcp), aborting: %w", cfg.Port, err)
	}
	// Every bind address shares the port the first one got.
	s.listeners, s.cfg.Port = lns, port
	if cfg.UnixSocket != "" {
		ln, err := listenUnix(cfg.UnixSocket, cfg.UnixSocketPerm)
		if err != nil {
			s.closeListeners()
			st.Close()
			return nil, err
		}
		s.unixListener = ln
	}
	tlsLns, tlsPort, err := s.listenTLS(cfg)
	if err != nil {
		s.closeListeners()
		st.Close()
		return nil, err
	}
	s.tlsListeners, s.cfg.TLSPort = tlsLns, tlsPort
	if cfg.MetricsAddr != "" {
		if err := s.serveMetrics(cfg.MetricsAddr); err != nil {
			s.closeListeners()
			st.Close()
			return nil, fmt.Errorf("metrics listener: %w", err)
		}
	}
	if cfg.LoadInBackground {
		s.loading.Store(true) // before the first client: see loadInBackground
		s.loadStart = time.Now()
	}
	s.startEventLoops(max(cfg.IOThreads, 1))
	s.serveListeners(s.listeners, false)
	if s.unixListener != nil {
		s.serveListeners([]net.Listener{s.unixListener}, false)
	}
	s.serveListeners(s.tlsListeners, true)
	s.startBackground()
	if cfg.tuning["always-show-logo"] == "yes" {
		// What redis-server's logo says, once it listens: Redis's test
		// suite waits for " PID: <pid>" before it connects.
		s.log.Info(fmt.Sprintf("Cairn %s, standalone mode, Port: %d, PID: %d", Version, s.cfg.Port, os.Getpid()))
	}
	s.log.Info("cairn started", "version", Version, "engine", cfg.Engine, "dir", cfg.Dir,
		"addr", s.Addr(), "tls_addr", s.TLSAddr(), "metrics_addr", s.MetricsAddr(),
		"databases", cfg.Databases, "durable", st.Durable())
	if cfg.LoadInBackground {
		// Last: a load that fails closes the server at once.
		s.bg.Add(1)
		go s.loadInBackground(cfg.loadGate, cfg.Dir)
	} else {
		s.logReady()
	}
	return s, nil
}

// openStore opens the keyspace on the configured engine, loading what a
// durable engine holds.
func openStore(cfg Config) (*store.Store, *pebblestore.Engine, error) {
	lim := cfg.encodingLimits()
	opts := store.Options{Databases: cfg.Databases, Clock: cfg.Clock, Limits: &lim}
	open := store.Open
	if cfg.LoadInBackground {
		open = store.OpenUnloaded // loaded by loadInBackground
	}
	if cfg.Engine == "pebble" {
		mode, err := pebblestore.ParseSyncMode(cfg.AppendFsync)
		if err != nil {
			return nil, nil, err
		}
		eng, err := pebblestore.Open(cfg.Dir, pebblestore.Options{Sync: mode, FS: cfg.FS, FoldSize: cfg.AutoAOFRewriteMinSize, Background: backgroundProcs(cfg)})
		if err != nil {
			return nil, nil, fmt.Errorf("open data directory %s: %w", cfg.Dir, err)
		}
		opts.Engine = eng
		st, err := open(opts)
		if err != nil {
			eng.Close()
			return nil, nil, fmt.Errorf("load data directory %s: %w", cfg.Dir, err)
		}
		return st, eng, nil
	}
	st, err := store.Open(opts)
	return st, nil, err
}

// applyConfig copies hot settings into atomics after a change.
func (s *Server) applyConfig() {
	if s.cfg.RequirePass != s.requirePass {
		s.requirePass = s.cfg.RequirePass
		s.acl.setRequirePass(s.requirePass)
	}
	s.protoMaxBulkLen.Store(s.cfg.ProtoMaxBulkLen)
	s.maxClients.Store(int64(s.cfg.MaxClients))
	s.hz.Store(int64(max(1, min(s.cfg.Hz, 500)))) // Redis's CONFIG_MIN_HZ, CONFIG_MAX_HZ
	s.store.SetMaxStringLen(s.cfg.ProtoMaxBulkLen)
	s.store.SetHLLSparseMaxBytes(atoi64(s.cfg.tuning["hll-sparse-max-bytes"]))
	s.store.SetEncodingLimits(s.cfg.encodingLimits())
	s.store.SetRDBCompression(s.cfg.tuning["rdbcompression"] != "no")
	s.store.SetKeyLoadDelay(atoi64(s.cfg.tuning["key-load-delay"]))
	s.applyMaxMemory()
	if s.engine != nil {
		s.engine.SetFoldSize(s.cfg.AutoAOFRewriteMinSize)
		if m, err := pebblestore.ParseSyncMode(s.cfg.AppendFsync); err == nil && m != s.engine.Mode() {
			if err := s.engine.SetMode(m); err != nil {
				s.log.Error("appendfsync: sync failed", "err", err)
			}
		}
	}
	s.tracking.maxKeys.Store(atoi64(s.cfg.tuning["tracking-table-max-keys"]))
	s.limitTracking()
	s.noReplicas.Store(atoi64(s.cfg.tuning["min-replicas-to-write"]) > 0 && atoi64(s.cfg.tuning["min-replicas-max-lag"]) > 0)
	s.slowlogSlower.Store(atoi64(s.cfg.tuning["slowlog-log-slower-than"]))
	s.slowlog.setMaxLen(int(atoi64(s.cfg.tuning["slowlog-max-len"])))
	s.acl.pubsubAll.Store(s.cfg.ACLPubsubAll)
	s.acl.log.setMaxLen(int(atoi64(s.cfg.tuning["acllog-max-len"])))
	s.latencyThreshold.Store(atoi64(s.cfg.tuning["latency-monitor-threshold"]))
	s.applyLatencyTracking()
	s.limits.apply(&s.cfg)
	s.applyLogLevel()
	s.applyEventConfig()
	s.applyOOMScore()
}

// config returns a copy of the current configuration.
func (s *Server) config() Config {
	s.cfgMu.Lock()
	defer s.cfgMu.Unlock()
	return s.cfg
}

// Addr returns the address of the first TCP listener, "host:port"; with
// none (an empty bind), the Unix socket's path, or "".
func (s *Server) Addr() string {
	s.lnMu.Lock()
	defer s.lnMu.Unlock()
	switch {
	case len(s.listeners) > 0:
		return s.listeners[0].Addr().String()
	case s.unixListener != nil:
		return s.unixListener.Addr().String()
	}
	return ""
}

// Store returns the server's keyspace (for embedding and tests).
func (s *Server) Store() *store.Store { return s.store }

// Done is closed when the server has shut down (Close or SHUTDOWN).
func (s *Server) Done() <-chan struct{} { return s.closed }

// Ready is closed once the server has loaded its data and runs every
// command: when it logs "Ready to accept connections", the moment a
// supervisor is told the service is up.
func (s *Server) Ready() <-chan struct{} { return s.ready }

// Close stops the server: it stops accepting, disconnects every client,
// releases blocked commands, waits for every goroutine it started, and
// closes the store. It is safe to call more than once.
func (s *Server) Close() error {
	s.closing.Do(func() {
		s.cancel()
		s.closeListeners()
		s.accepting.Wait()
		s.clients.each(func(c *Client) { c.kill() })
		s.loops.close() // after the last accept: no client can join a loop now
		s.bg.Wait()
		s.conns.Wait()
		s.outboxes.Wait()
		s.migrateSockets.closeAll()
		if s.loadErr != nil { // the loader has ended (s.bg)
			s.closeErr = s.loadErr
		}
		failed := s.store.WriteError()
		if failed == nil {
			if err := s.store.Sync(); err != nil {
				s.closeErr = err
			}
		}
		if err := s.store.Close(); err != nil {
			if failed != nil {
				// Already reported to every writer as MISCONF.
				s.log.Error("closing the data directory after a write error", "err", err)
			} else if s.closeErr == nil {
				s.closeErr = err
			}
		}
		s.log.Info("cairn stopped")
		close(s.closed)
	})
	<-s.closed
	return s.closeErr
}

func (s *Server) closeListeners() {
	s.lnMu.Lock()
	closeAll(s.listeners)
	closeAll(s.tlsListeners)
	if s.unixListener != nil {
		s.unixListener.Close()
	}
	s.lnMu.Unlock()
	if s.metrics != nil {
		s.stopMetrics()
	}
}

// accept registers a new connection, or refuses and closes it (nil):
// over maxclients, by protected mode, or while shutting down.
func (s *Server) accept(nc net.Conn, loops bool) *Client {
	if s.ctx.Err() != nil {
		nc.Close()
		return nil
	}
	if int64(s.clients.count()) >= s.maxClients.Load() {
		s.stats.rejected.Add(1)
		s.log.Warn("connection refused: maxclients reached", "client", nc.RemoteAddr().String())
		go refuse(nc, "-ERR max number of clients reached\r\n")
		return nil
	}
	if s.protectedDenied(nc.RemoteAddr()) {
		go refuse(nc, deniedProtected)
		return nil
	}
	var sock *socket
	// While a script is busy a loop may be stuck behind it (a command
	// that found no script running, then waited for the keyspace lock the
	// script took): a new client then gets a goroutine, so it can still
	// send SCRIPT KILL or SHUTDOWN NOSAVE.
	if loops && len(s.loops.loops) > 0 && !s.scriptBusy() {
		sock = newSocket(nc)
	}
	c := s.newClient(nc, sock)
	s.clients.add(c)
	s.clients.total.Add(1)
	s.conns.Add(1)
	return c
}

// refuse sends a refused connection its error and closes it. It runs on
// its own goroutine, with a deadline: over TLS the write waits for the
// handshake, which a client could stall, and the accept loop must not.
func refuse(nc net.Conn, msg string) {
	nc.SetWriteDeadline(time.Now().Add(time.Second))
	nc.Write([]byte(msg))
	nc.Close()
}

// newClient builds the state of a new connection; with a socket, an
// event loop will serve it.
func (s *Server) newClient(nc net.Conn, sock *socket) *Client {
	cn := newConn(nc, sock, s.protoMaxBulkLen.Load)
	cn.rd.QueryLimit = s.limits.queryBuf.Load
	c := &Client{
		ID:         s.clients.nextID.Add(1),
		srv:        s,
		conn:       cn,
		netConn:    nc,
		addr:       clientAddr(nc.RemoteAddr(), nc.LocalAddr()),
		laddr:      clientAddr(nc.LocalAddr(), nc.LocalAddr()),
		fd:         socketFD(nc),
		unixSocket: nc.LocalAddr().Network() == "unix",
		created:    s.clock.Now(),
	}
	c.out = protocol.NewWriter(cn.wr)
	c.out.SetBeforeFlush(func() error { return s.ackDurable(c) })
	c.ctx = Context{Out: c.out, Client: c, Server: s}
	c.lastInteraction.Store(c.created.UnixMilli())
	c.resp.Store(2)
	c.authenticated = !s.authRequired()
	c.aclUser.Store(s.acl.get("default"))
	cn.rd.AuthRequired = func() bool { return !c.authenticated && s.authRequired() }
	cn.rd.OnQueryLimit = func(n int64) {
		s.stats.limitKills.Add(1)
		s.log.Warn("closing client that reached max query buffer length", "client", c.addr, "qbuf", n)
	}
	cn.rd.OnPartial = func() { c.noteQueryBuf(false) }
	return c
}

// disconnected runs when a connection's goroutine ends, unless MONITOR
// took the connection over (runMonitor cleans up after itself).
func (s *Server) disconnected(c *Client) {
	s.stopCounting(c)
	s.clients.remove(c)
	s.forget(c)
	s.conns.Done()
}

// authRequired reports whether new clients must AUTH first: unless the
// default user is enabled with nopass, as Redis decides.
func (s *Server) authRequired() bool {
	r := s.acl.get("default").rules.Load()
	return !(r.enabled && r.nopass)
}

// startBackground starts the active expiry cycle, and once a second the
// idle-client, buffer and save-point checks. With a ManualClock the
// cycle also runs on every FastForward, so tests see keys disappear the
// moment their TTL passes.
func (s *Server) startBackground() {
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		hz := s.hz.Load()
		var tick int64
		t := time.NewTicker(time.Second / time.Duration(hz))
		defer t.Stop()
		for {
			select {
			case <-s.ctx.Done():
				return
			case <-t.C:
				if s.cronPaused.Load() {
					break
				}
				s.expireCycle()
				if tick++; tick%hz == 0 {
					s.reapIdle()
					s.migrateSockets.closeIdle(time.Now())
					s.checkQueueLimits()
					s.loops.shrinkIdle()
					s.saveIfDue()
				}
			}
			if now := s.hz.Load(); now != hz { // CONFIG SET hz
				hz = now
				t.Reset(time.Second / time.Duration(hz))
			}
		}
	}()
	if mc, ok := s.clock.(*store.ManualClock); ok {
		mc.OnAdvance(func() {
			if s.ctx.Err() == nil && !s.cronPaused.Load() {
				s.expireCycle()
			}
		})
	}
}

// expireCycle deletes due keys in bounded steps, yielding the lock between
// steps so a mass expiry never stalls clients for long.
func (s *Server) expireCycle() {
	if s.pause.on.Load() || s.activeExpireOff.Load() {
		return // as Redis, which must not delete keys its replicas still hold
	}
	var work time.Duration
	for i := 0; i < 1000; i++ {
		more, held := s.store.ExpireCycleTimed(200)
		work += held
		if !more {
			break
		}
	}
	s.latencyEvent("expire-cycle", work)
	if s.tracking.bcastDue.Load() { // keys that expired under BCAST prefixes
		s.broadcastInvalidations()
	}
}
