package server

import (
	"errors"
	"net"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/cairn-db/cairn/protocol"
)

// The TCP listeners follow Redis's bind and port, at start and on CONFIG
// SET: one listener per bind address, "*" for every IPv4 address and
// "::*" for every IPv6 one, and an address written with a leading "-"
// (Debian's stock "bind 127.0.0.1 -::1") is optional: skipped when this
// host does not have it. An empty bind listens on no TCP address at all.

// maxBindAddrs is Redis's CONFIG_BINDADDR_MAX.
const maxBindAddrs = 16

// listenDirectives are bind, port and bind-source-addr.
func listenDirectives() []directive {
	return []directive{
		{name: "bind",
			get: func(c *Config) string { return strings.Join(c.Bind, " ") },
			set: func(c *Config, v string) error {
				addrs := strings.Fields(v)
				if len(addrs) > maxBindAddrs {
					return configError("Too many bind addresses specified.")
				}
				c.Bind = append([]string{}, addrs...) // empty, not nil: no TCP listener
				return nil
			}},
		{name: "port",
			get: func(c *Config) string { return strconv.Itoa(c.Port) },
			set: intSetter(func(c *Config) *int { return &c.Port }, 0, 65535)},
		// Redis binds its replication connections to this address; Cairn
		// makes no outgoing connections that Redis would bind, so it only
		// keeps the setting.
		{name: "bind-source-addr",
			get: func(c *Config) string { return c.bindSourceAddr },
			set: func(c *Config, v string) error { c.bindSourceAddr = v; return nil }},
	}
}

// bindNetwork maps a bind address to Go's network and host, and whether
// it is optional. As Redis, an address with a colon is IPv6 and one
// without IPv4 (a host name resolves to its IPv4 address); "::*" listens
// on IPv6 only, so it can share the port with "*".
func bindNetwork(addr string) (network, host string, optional bool) {
	addr, optional = strings.CutPrefix(addr, "-")
	if strings.Contains(addr, ":") {
		if addr == "::*" {
			addr = "::"
		}
		return "tcp6", addr, optional
	}
	if addr == "*" {
		addr = "0.0.0.0"
	}
	return "tcp4", addr, optional
}

// skippableListenError reports whether listenToPort would go on without
// this address: an optional one the host does not have, or any of a
// protocol family the host lacks (no IPv6).
func skippableListenError(err error, optional bool) bool {
	if optional && errors.Is(err, syscall.EADDRNOTAVAIL) {
		return true
	}
	for _, e := range []syscall.Errno{syscall.ENOPROTOOPT, syscall.EPROTONOSUPPORT,
		syscall.ESOCKTNOSUPPORT, syscall.EPFNOSUPPORT, syscall.EAFNOSUPPORT} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// listenTCP opens a listener on port for each bind address and returns
// them with the port they share (a free one when port is 0). On an error
// it closes what it opened.
func (s *Server) listenTCP(bind []string, port int) ([]net.Listener, int, error) {
	var out []net.Listener
	for _, addr := range bind {
		network, host, optional := bindNetwork(addr)
		ln, err := net.Listen(network, net.JoinHostPort(host, strconv.Itoa(port)))
		if err != nil {
			s.log.Warn("Warning: Could not create server TCP listening socket", "addr", host, "port", port, "err", err)
			if skippableListenError(err, optional) {
				continue
			}
			closeAll(out)
			return nil, 0, err
		}
		if port == 0 {
			port = ln.Addr().(*net.TCPAddr).Port
		}
		out = append(out, ln)
	}
	return out, port, nil
}

func closeAll(lns []net.Listener) {
	for _, ln := range lns {
		ln.Close()
	}
}

// serveListeners starts an accept loop per listener; tls marks TLS ones,
// whose clients no event loop serves. Call it with lnMu held (or before
// the server is shared), and not once Close began: Close waits for the
// loops after it closed the listeners under lnMu.
func (s *Server) serveListeners(lns []net.Listener, tls bool) {
	for _, ln := range lns {
		s.accepting.Add(1)
		go func() {
			defer s.accepting.Done()
			s.serveListener(ln, !tls)
		}()
	}
}

// applyListen moves the listeners when CONFIG SET changed bind or port
// (next is the new configuration, whose Port becomes the one taken when
// it is 0), with Redis's errors. Clients stay connected. Called with
// cfgMu held.
func (s *Server) applyListen(next *Config) error {
	bindChanged := !slices.Equal(next.Bind, s.cfg.Bind)
	if !bindChanged && next.Port == s.cfg.Port {
		return nil
	}
	port, err := s.rebind(s.cfg, *next, bindChanged)
	if err != nil {
		name, why := "port", "Unable to listen on this port. Check server logs."
		if bindChanged {
			name, why = "bind", "Failed to bind to specified addresses."
		}
		return protocol.Error("ERR CONFIG SET failed (possibly related to argument '" + name + "') - " + why)
	}
	next.Port = port
	return nil
}

// rebind replaces the listeners of configuration old with listeners for
// next: the TCP ones, and on a bind change the TLS ones too. A new port
// is opened before the old one closes, as Redis's changeListenPort; new
// addresses may need the port the old ones hold, so, as Redis's
// changeBindAddr, those are closed first and reopened if the new ones
// fail.
func (s *Server) rebind(old, next Config, bindChanged bool) (int, error) {
	s.lnMu.Lock()
	defer s.lnMu.Unlock()
	if s.ctx.Err() != nil {
		return 0, net.ErrClosed
	}
	if !bindChanged {
		lns, port, err := s.listenTCP(next.Bind, next.Port)
		if err != nil {
			return 0, err
		}
		closeAll(s.listeners)
		s.listeners = lns
		s.serveListeners(lns, false)
		return port, nil
	}
	closeAll(s.listeners)
	closeAll(s.tlsListeners)
	s.listeners, s.tlsListeners = nil, nil
	port, err := s.listen(next)
	if err != nil {
		s.log.Warn("Failed to bind, trying to restore old listening sockets.", "err", err)
		if _, rerr := s.listen(old); rerr != nil {
			s.log.Warn("Failed to restore old listening sockets.", "err", rerr)
		}
		return 0, err
	}
	return port, nil
}

// listen opens cfg's TCP and TLS listeners and starts serving them, or
// opens none; it returns the TCP port. Called with lnMu held.
func (s *Server) listen(cfg Config) (int, error) {
	lns, port, err := s.listenTCP(cfg.Bind, cfg.Port)
	if err != nil {
		return 0, err
	}
	tlsLns, _, err := s.listenTLS(cfg)
	if err != nil {
		closeAll(lns)
		return 0, err
	}
	s.listeners, s.tlsListeners = lns, tlsLns
	s.serveListeners(lns, false)
	s.serveListeners(tlsLns, true)
	return port, nil
}
