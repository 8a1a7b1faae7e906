package server

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
)

// tlsConfig builds the TLS settings from the tls-* directives.
func tlsConfig(cfg Config) (*tls.Config, error) {
	if cfg.TLSCertFile == "" || cfg.TLSKeyFile == "" {
		return nil, errors.New("tls-port needs tls-cert-file and tls-key-file")
	}
	cert, err := tls.LoadX509KeyPair(cfg.TLSCertFile, cfg.TLSKeyFile)
	if err != nil {
		return nil, fmt.Errorf("load TLS certificate: %w", err)
	}
	tc := &tls.Config{Certificates: []tls.Certificate{cert}}
	if cfg.TLSCACertFile != "" {
		pem, err := os.ReadFile(cfg.TLSCACertFile)
		if err != nil {
			return nil, fmt.Errorf("read tls-ca-cert-file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, errors.New("tls-ca-cert-file holds no PEM certificate")
		}
		tc.ClientCAs = pool
	}
	if err := applyTLSOptions(tc, cfg.tuning); err != nil {
		return nil, err
	}
	switch cfg.TLSAuthClients {
	case "no":
		tc.ClientAuth = tls.NoClientCert
	case "optional":
		tc.ClientAuth = tls.VerifyClientCertIfGiven
	default:
		if tc.ClientCAs != nil {
			tc.ClientAuth = tls.RequireAndVerifyClientCert
		}
	}
	return tc, nil
}

// listenTLS opens the TLS listeners, one per bind address, and returns
// them with their port (a free one when tls-port is 0).
func (s *Server) listenTLS(cfg Config) ([]net.Listener, int, error) {
	if cfg.TLSPort == 0 && cfg.TLSCertFile == "" {
		return nil, 0, nil
	}
	tc, err := tlsConfig(cfg)
	if err != nil {
		return nil, 0, err
	}
	lns, port, err := s.listenTCP(cfg.Bind, cfg.TLSPort)
	if err != nil {
		return nil, 0, err
	}
	for i, ln := range lns {
		lns[i] = tls.NewListener(ln, tc)
	}
	return lns, port, nil
}

// TLSAddr returns the address of the first TLS listener, or "".
func (s *Server) TLSAddr() string {
	s.lnMu.Lock()
	defer s.lnMu.Unlock()
	if len(s.tlsListeners) == 0 {
		return ""
	}
	return s.tlsListeners[0].Addr().String()
}
