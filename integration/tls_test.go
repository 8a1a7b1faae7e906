package integration

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cairn-db/cairn/server"
	"github.com/cairn-db/cairn/server/servertest"
)

// testPKI is a throwaway CA with a server and a client certificate, as
// PEM files in a temporary directory.
type testPKI struct {
	dir                                              string
	caFile, certFile, keyFile, clientCert, clientKey string
	pool                                             *x509.CertPool
}

func newTestPKI(t *testing.T) *testPKI {
	t.Helper()
	dir := t.TempDir()
	p := &testPKI{dir: dir}
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "cairn test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	p.pool = x509.NewCertPool()
	p.pool.AddCert(ca)
	p.caFile = writePEM(t, dir, "ca.crt", "CERTIFICATE", caDER)
	leaf := func(name string, serial int64, usage x509.ExtKeyUsage) (string, string) {
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: name},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
			ExtKeyUsage: []x509.ExtKeyUsage{usage}, KeyUsage: x509.KeyUsageDigitalSignature,
			IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		kb, _ := x509.MarshalECPrivateKey(key)
		return writePEM(t, dir, name+".crt", "CERTIFICATE", der), writePEM(t, dir, name+".key", "EC PRIVATE KEY", kb)
	}
	p.certFile, p.keyFile = leaf("server", 2, x509.ExtKeyUsageServerAuth)
	p.clientCert, p.clientKey = leaf("client", 3, x509.ExtKeyUsageClientAuth)
	return p
}

func writePEM(t *testing.T, dir, name, typ string, der []byte) string {
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestTLSWithGoRedis serves plain and TLS ports side by side and checks
// that client certificates are required when a CA is configured.
func TestTLSWithGoRedis(t *testing.T) {
	pki := newTestPKI(t)
	srv := servertest.Start(t, servertest.WithConfig(func(c *server.Config) {
		c.TLSCertFile, c.TLSKeyFile, c.TLSCACertFile = pki.certFile, pki.keyFile, pki.caFile
	}))
	if srv.TLSAddr() == "" {
		t.Fatal("no TLS listener")
	}
	ctx := context.Background()
	cert, err := tls.LoadX509KeyPair(pki.clientCert, pki.clientKey)
	if err != nil {
		t.Fatal(err)
	}
	secure := redis.NewClient(&redis.Options{Addr: srv.TLSAddr(), TLSConfig: &tls.Config{
		RootCAs: pki.pool, Certificates: []tls.Certificate{cert}, ServerName: "localhost",
	}})
	defer secure.Close()
	if err := secure.Set(ctx, "k", "over tls", 0).Err(); err != nil {
		t.Fatal(err)
	}
	plain := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer plain.Close()
	if v, err := plain.Get(ctx, "k").Result(); err != nil || v != "over tls" {
		t.Fatalf("plain GET = %q, %v", v, err)
	}
	// Without a client certificate the handshake fails.
	anon := redis.NewClient(&redis.Options{Addr: srv.TLSAddr(), MaxRetries: -1, TLSConfig: &tls.Config{RootCAs: pki.pool, ServerName: "localhost"}})
	defer anon.Close()
	if err := anon.Ping(ctx).Err(); err == nil {
		t.Fatal("TLS client without a certificate was accepted")
	}
}

// TestTLSWithRedisCLI runs the daemon with --tls-port and talks to it with
// redis-cli --tls.
func TestTLSWithRedisCLI(t *testing.T) {
	cli, err := exec.LookPath("redis-cli")
	if err != nil {
		t.Skip("redis-cli not installed (Debian package redis-tools)")
	}
	pki := newTestPKI(t)
	tlsPort, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	startCairn(t, "--tls-port", strconv.Itoa(tlsPort), "--tls-cert-file", pki.certFile,
		"--tls-key-file", pki.keyFile, "--tls-ca-cert-file", pki.caFile, "--tls-auth-clients", "no")
	if err := waitListening("127.0.0.1:"+strconv.Itoa(tlsPort), 10*time.Second); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(cli, "--tls", "--cacert", pki.caFile, "-h", "127.0.0.1", "-p", strconv.Itoa(tlsPort), "PING").CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "PONG" {
		t.Fatalf("redis-cli --tls PING: %v %s", err, out)
	}
}

// TestTLSProtocolsAndCiphers checks that tls-protocols and tls-ciphers
// are applied, not just accepted: with only TLSv1.3 allowed, a client
// limited to TLS 1.2 is turned away; with one TLS 1.2 suite named by its
// OpenSSL name, that suite is the one negotiated.
func TestTLSProtocolsAndCiphers(t *testing.T) {
	pki := newTestPKI(t)
	start := func(settings ...string) string {
		srv := servertest.Start(t, servertest.WithConfig(func(c *server.Config) {
			c.TLSCertFile, c.TLSKeyFile, c.TLSAuthClients = pki.certFile, pki.keyFile, "no"
			for i := 0; i < len(settings); i += 2 {
				if err := c.Set(settings[i], settings[i+1]); err != nil {
					t.Fatal(err)
				}
			}
		}))
		return srv.TLSAddr()
	}
	dial := func(addr string, tc *tls.Config) (*tls.ConnectionState, error) {
		tc.RootCAs, tc.ServerName = pki.pool, "localhost"
		conn, err := tls.Dial("tcp", addr, tc)
		if err != nil {
			return nil, err
		}
		defer conn.Close()
		st := conn.ConnectionState()
		return &st, nil
	}
	only13 := start("tls-protocols", "TLSv1.3")
	if _, err := dial(only13, &tls.Config{MaxVersion: tls.VersionTLS12}); err == nil {
		t.Error("tls-protocols TLSv1.3: a TLS 1.2 client was accepted")
	}
	if st, err := dial(only13, &tls.Config{}); err != nil || st.Version != tls.VersionTLS13 {
		t.Errorf("tls-protocols TLSv1.3: %v, %+v", err, st)
	}
	oneSuite := start("tls-protocols", "TLSv1.2", "tls-ciphers", "ECDHE-ECDSA-AES256-GCM-SHA384")
	st, err := dial(oneSuite, &tls.Config{})
	if err != nil || st.CipherSuite != tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 {
		t.Errorf("tls-ciphers ECDHE-ECDSA-AES256-GCM-SHA384: %v, suite %v", err, st)
	}
}
