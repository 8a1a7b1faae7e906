package server

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// This file applies redis.conf's finer TLS settings (see tuningDefaults)
// to Go's tls.Config, or refuses those Go's TLS cannot honour, so that a
// setting is never silently ignored where it would weaken the server.

// applyTLSOptions sets tc from the tls-* tuning settings.
func applyTLSOptions(tc *tls.Config, tuning map[string]string) error {
	lo, hi, err := tlsVersions(tuning["tls-protocols"])
	if err != nil {
		return err
	}
	tc.MinVersion, tc.MaxVersion = lo, hi
	if list := tuning["tls-ciphers"]; list != "" {
		if tc.CipherSuites, err = tlsCipherSuites(list); err != nil {
			return err
		}
	}
	if tuning["tls-ciphersuites"] != "" {
		return errors.New("tls-ciphersuites: Go's TLS 1.3 always offers its three suites and cannot be restricted; leave it empty")
	}
	if tuning["tls-key-file-pass"] != "" {
		return errors.New("tls-key-file-pass: encrypted private keys are not supported; give tls-key-file unencrypted")
	}
	if dir := tuning["tls-ca-cert-dir"]; dir != "" {
		if tc.ClientCAs == nil {
			tc.ClientCAs = x509.NewCertPool()
		}
		if err := appendCertDir(tc.ClientCAs, dir); err != nil {
			return err
		}
	}
	tc.SessionTicketsDisabled = tuning["tls-session-caching"] == "no"
	return nil
}

// tlsVersionNames are tls-protocols' words.
var tlsVersionNames = map[string]uint16{
	"tlsv1": tls.VersionTLS10, "tlsv1.1": tls.VersionTLS11,
	"tlsv1.2": tls.VersionTLS12, "tlsv1.3": tls.VersionTLS13,
}

// tlsVersions maps tls-protocols ("TLSv1.2 TLSv1.3"; empty: those two, as
// Redis's default) to the lowest and highest version allowed.
func tlsVersions(protocols string) (lo, hi uint16, err error) {
	words := strings.Fields(protocols)
	if len(words) == 0 {
		return tls.VersionTLS12, tls.VersionTLS13, nil
	}
	for _, w := range words {
		v, ok := tlsVersionNames[strings.ToLower(w)]
		if !ok {
			return 0, 0, fmt.Errorf("invalid tls-protocols specified: %q", w)
		}
		if lo == 0 || v < lo {
			lo = v
		}
		hi = max(hi, v)
	}
	return lo, hi, nil
}

// tlsCipherSuites maps tls-ciphers, a colon-separated list of TLS 1.2
// suites by their OpenSSL names (as redis.conf gives them) or IANA names,
// to Go's suites. OpenSSL's keywords and operators (HIGH, !aNULL …) are
// refused rather than guessed at.
func tlsCipherSuites(list string) ([]uint16, error) {
	byName := map[string]uint16{}
	for _, cs := range tls.CipherSuites() {
		byName[cs.Name] = cs.ID
		if o, ok := openSSLCipherNames[cs.Name]; ok {
			byName[o] = cs.ID
		}
	}
	var ids []uint16
	for _, name := range strings.Split(list, ":") {
		id, ok := byName[strings.TrimSpace(name)]
		if !ok {
			return nil, fmt.Errorf("tls-ciphers: %q is not a TLS 1.2 cipher suite Cairn supports", name)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// openSSLCipherNames are OpenSSL's names of Go's secure TLS 1.2 suites.
var openSSLCipherNames = map[string]string{
	"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256":       "ECDHE-ECDSA-AES128-GCM-SHA256",
	"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256":         "ECDHE-RSA-AES128-GCM-SHA256",
	"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384":       "ECDHE-ECDSA-AES256-GCM-SHA384",
	"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384":         "ECDHE-RSA-AES256-GCM-SHA384",
	"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256": "ECDHE-ECDSA-CHACHA20-POLY1305",
	"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256":   "ECDHE-RSA-CHACHA20-POLY1305",
	"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA":          "ECDHE-ECDSA-AES128-SHA",
	"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA":            "ECDHE-RSA-AES128-SHA",
	"TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA":          "ECDHE-ECDSA-AES256-SHA",
	"TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA":            "ECDHE-RSA-AES256-SHA",
}

// appendCertDir adds the PEM certificates of every file in dir to pool,
// as OpenSSL's CA path (tls-ca-cert-dir) trusts them.
func appendCertDir(pool *x509.CertPool, dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("read tls-ca-cert-dir: %w", err)
	}
	found := false
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		pem, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err == nil && pool.AppendCertsFromPEM(pem) {
			found = true
		}
	}
	if !found {
		return errors.New("tls-ca-cert-dir holds no PEM certificate")
	}
	return nil
}
