package server

import (
	"context"
	"crypto/subtle"
	"fmt"
	"log/slog"
	"net"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tidwall/redcon"

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

	store   *store.Store
	clock   store.Clock
	table   *Table
	log     *slog.Logger
	clients clients
	stats   serverStats

	listeners []net.Listener
	redcons   []*redcon.Server

	// Hot configuration, read on every command or connection.
	requirePass     atomic.Pointer[string]
	protoMaxBulkLen atomic.Int64
	maxClients      atomic.Int64
	hz              atomic.Int64
	maxMemory       atomic.Int64
	startMemLimit   int64 // the Go memory limit at start (GOMEMLIMIT), restored when maxmemory is unset

	ctx      context.Context // cancelled by Close: wakes every waiting client
	cancel   context.CancelFunc
	conns    sync.WaitGroup // one per accepted connection
	bg       sync.WaitGroup // background goroutines
	closing  sync.Once
	closed   chan struct{}
	closeErr error
	started  time.Time
}

// Start opens the store and starts serving on the configured addresses.
func Start(cfg Config) (*Server, error) {
	cfg.setDefaults()
	st, err := openStore(cfg)
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg:     cfg,
		store:   st,
		clock:   cfg.Clock,
		table:   newTable(commandGroups()...),
		log:     cfg.Logger,
		closed:  make(chan struct{}),
		started: cfg.Clock.Now(),
	}
	s.clients.byID = make(map[int64]*Client)
	s.startMemLimit = debug.SetMemoryLimit(-1)
	s.applyConfig()
	s.ctx, s.cancel = context.WithCancel(context.Background())
	st.SetObserver(s)

	for _, host := range cfg.Bind {
		ln, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(cfg.Port)))
		if err != nil {
			s.closeListeners()
			st.Close()
			return nil, err
		}
		s.listeners = append(s.listeners, ln)
		if cfg.Port == 0 {
			// Every bind address shares the port the first one got.
			cfg.Port = ln.Addr().(*net.TCPAddr).Port
			s.cfg.Port = cfg.Port
		}
	}
	for _, ln := range s.listeners {
		rs := redcon.NewServer("", s.serveRESP, s.accept, s.disconnected)
		s.redcons = append(s.redcons, rs)
		s.bg.Add(1)
		go func() {
			defer s.bg.Done()
			rs.Serve(guardListener{Listener: ln, s: s})
		}()
	}
	s.startBackground()
	s.log.Info("cairn started", "version", Version, "addr", s.Addr(), "databases", cfg.Databases, "durable", st.Durable())
	return s, nil
}

// openStore opens the keyspace on the configured engine, loading what a
// durable engine holds.
func openStore(cfg Config) (*store.Store, error) {
	opts := store.Options{Databases: cfg.Databases, Clock: cfg.Clock}
	if cfg.Engine == "pebble" {
		eng, err := pebblestore.Open(cfg.Dir, pebblestore.Options{})
		if err != nil {
			return nil, fmt.Errorf("open data directory %s: %w", cfg.Dir, err)
		}
		opts.Engine = eng
		st, err := store.Open(opts)
		if err != nil {
			eng.Close()
			return nil, fmt.Errorf("load data directory %s: %w", cfg.Dir, err)
		}
		return st, nil
	}
	return store.Open(opts)
}

// applyConfig copies hot settings into atomics after a change.
func (s *Server) applyConfig() {
	pass := s.cfg.RequirePass
	s.requirePass.Store(&pass)
	s.protoMaxBulkLen.Store(s.cfg.ProtoMaxBulkLen)
	s.maxClients.Store(int64(s.cfg.MaxClients))
	s.hz.Store(int64(s.cfg.Hz))
	s.store.SetMaxStringLen(s.cfg.ProtoMaxBulkLen)
	s.applyMaxMemory()
}

// config returns a copy of the current configuration.
func (s *Server) config() Config {
	s.cfgMu.Lock()
	defer s.cfgMu.Unlock()
	return s.cfg
}

// Addr returns the address of the first listener, "host:port".
func (s *Server) Addr() string { return s.listeners[0].Addr().String() }

// Store returns the server's keyspace (for embedding and tests).
func (s *Server) Store() *store.Store { return s.store }

// Done is closed when the server has shut down (Close or SHUTDOWN).
func (s *Server) Done() <-chan struct{} { return s.closed }

// Close stops the server: it stops accepting, disconnects every client,
// releases blocked commands, waits for every goroutine it started, and
// closes the store. It is safe to call more than once.
func (s *Server) Close() error {
	s.closing.Do(func() {
		s.cancel()
		s.closeListeners()
		s.bg.Wait()
		s.conns.Wait()
		if err := s.store.Sync(); err != nil {
			s.closeErr = err
		}
		if err := s.store.Close(); err != nil && s.closeErr == nil {
			s.closeErr = err
		}
		s.log.Info("cairn stopped")
		close(s.closed)
	})
	<-s.closed
	return s.closeErr
}

func (s *Server) closeListeners() {
	for _, ln := range s.listeners {
		ln.Close()
	}
}

// accept registers a new connection, or refuses it over maxclients.
func (s *Server) accept(conn redcon.Conn) bool {
	if s.ctx.Err() != nil {
		return false
	}
	nc := conn.NetConn()
	if int64(s.clients.count()) >= s.maxClients.Load() {
		s.stats.rejected.Add(1)
		nc.Write([]byte("-ERR max number of clients reached\r\n"))
		return false
	}
	c := s.newClient(conn, redcon.BaseWriter(conn))
	conn.SetContext(c)
	s.clients.add(c)
	s.clients.total.Add(1)
	s.conns.Add(1)
	return true
}

// newClient builds the state of a new connection that replies through w.
func (s *Server) newClient(conn redcon.Conn, w *redcon.Writer) *Client {
	nc := conn.NetConn()
	c := &Client{
		ID:      s.clients.nextID.Add(1),
		srv:     s,
		conn:    conn,
		netConn: nc,
		addr:    conn.RemoteAddr(),
		laddr:   nc.LocalAddr().String(),
		fd:      socketFD(nc),
		created: s.clock.Now(),
	}
	c.out = protocol.NewWriter(w)
	c.ctx = Context{Out: c.out, Client: c, Server: s}
	c.lastInteraction.Store(c.created.UnixMilli())
	c.authenticated = !s.authRequired()
	user := "default"
	c.user.Store(&user)
	if g, ok := nc.(*protocol.Guard); ok {
		g.AuthRequired = func() bool { return !c.authenticated && s.authRequired() }
	}
	return c
}

// disconnected runs when a connection's goroutine ends. redcon calls it
// with its own lock held, so it must not call back into redcon.
func (s *Server) disconnected(conn redcon.Conn, err error) {
	c, ok := conn.Context().(*Client)
	if !ok {
		return
	}
	s.clients.remove(c)
	s.conns.Done()
}

// authRequired reports whether clients must AUTH first.
func (s *Server) authRequired() bool { return *s.requirePass.Load() != "" }

// checkPassword compares in constant time, so response timing does not
// reveal how much of a guess was right.
func (s *Server) checkPassword(pass []byte) bool {
	want := *s.requirePass.Load()
	return subtle.ConstantTimeCompare([]byte(want), pass) == 1
}

// guardListener wraps each accepted connection in a protocol.Guard.
type guardListener struct {
	net.Listener
	s *Server
}

func (l guardListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return protocol.NewGuard(c, l.s.protoMaxBulkLen.Load, nil), nil
}

// startBackground starts the active expiry cycle. With a ManualClock the
// cycle also runs on every FastForward, so tests see keys disappear the
// moment their TTL passes.
func (s *Server) startBackground() {
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		hz := s.hz.Load()
		t := time.NewTicker(time.Second / time.Duration(hz))
		defer t.Stop()
		for {
			select {
			case <-s.ctx.Done():
				return
			case <-t.C:
				s.expireCycle()
			}
			if now := s.hz.Load(); now != hz { // CONFIG SET hz
				hz = now
				t.Reset(time.Second / time.Duration(hz))
			}
		}
	}()
	if mc, ok := s.clock.(*store.ManualClock); ok {
		mc.OnAdvance(func() {
			if s.ctx.Err() == nil {
				s.expireCycle()
			}
		})
	}
}

// expireCycle deletes due keys in bounded steps, yielding the lock between
// steps so a mass expiry never stalls clients for long.
func (s *Server) expireCycle() {
	for i := 0; i < 1000 && s.store.ExpireCycle(200); i++ {
	}
}

// shutdown closes the server from a command's goroutine, which Close
// would otherwise wait for.
func (s *Server) shutdown() {
	go s.Close()
}
