package servertest

import (
	"bufio"
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Conn is a raw RESP connection for tests that assert exact reply bytes.
type Conn struct {
	t  testing.TB
	nc net.Conn
	r  *bufio.Reader
}

// Dial connects to addr and closes the connection at the end of the test.
func Dial(t testing.TB, addr string) *Conn {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatalf("servertest: dial %s: %v", addr, err)
	}
	t.Cleanup(func() { nc.Close() })
	return &Conn{t: t, nc: nc, r: bufio.NewReader(nc)}
}

// Do sends one command and returns its reply as raw RESP.
func (c *Conn) Do(args ...string) string {
	c.t.Helper()
	c.Send(args...)
	return c.Read()
}

// Send writes one command without reading its reply (for pipelines).
func (c *Conn) Send(args ...string) {
	c.t.Helper()
	c.Write(EncodeCommand(args...))
}

// TrySend sends a command and returns the write error instead of failing
// the test: for requests the server may close the connection during.
func (c *Conn) TrySend(args ...string) error {
	c.nc.SetWriteDeadline(time.Now().Add(10 * time.Second))
	_, err := c.nc.Write([]byte(EncodeCommand(args...)))
	return err
}

// Write sends raw bytes.
func (c *Conn) Write(raw string) {
	c.t.Helper()
	c.nc.SetWriteDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.nc.Write([]byte(raw)); err != nil {
		c.t.Fatalf("servertest: write: %v", err)
	}
}

// Read reads one complete reply as raw RESP.
func (c *Conn) Read() string {
	c.t.Helper()
	c.nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	s, err := ReadReply(c.r)
	if err != nil {
		c.t.Fatalf("servertest: read: %v", err)
	}
	return s
}

// ReadErr reads one reply and returns the read error instead of failing,
// for tests that expect the server to close the connection.
func (c *Conn) ReadErr(timeout time.Duration) (string, error) {
	c.nc.SetReadDeadline(time.Now().Add(timeout))
	return ReadReply(c.r)
}

// Close closes the connection.
func (c *Conn) Close() { c.nc.Close() }

// EncodeCommand encodes args as a RESP array of bulk strings.
func EncodeCommand(args ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	return b.String()
}

// ReadReply reads one complete RESP2 or RESP3 reply and returns its bytes.
func ReadReply(r *bufio.Reader) (string, error) {
	var b strings.Builder
	err := readReply(r, &b)
	return b.String(), err
}

func readReply(r *bufio.Reader, b *strings.Builder) error {
	line, err := r.ReadString('\n')
	if err != nil {
		return err
	}
	b.WriteString(line)
	if len(line) < 3 {
		return fmt.Errorf("short reply line %q", line)
	}
	body := strings.TrimSuffix(line[1:], "\r\n")
	switch line[0] {
	case '+', '-', ':', ',', '#', '_', '(':
		return nil
	case '$', '=', '!':
		n, err := strconv.Atoi(body)
		if err != nil || n < 0 {
			return err
		}
		buf := make([]byte, n+2)
		if _, err := ioReadFull(r, buf); err != nil {
			return err
		}
		b.Write(buf)
		return nil
	case '*', '~', '>', '%', '|':
		n, err := strconv.Atoi(body)
		if err != nil {
			return err
		}
		if line[0] == '%' || line[0] == '|' {
			n *= 2
		}
		for i := 0; i < n; i++ {
			if err := readReply(r, b); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("unknown reply type %q", line)
}

func ioReadFull(r *bufio.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := r.Read(buf[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// Reply builders, for writing expected replies in tests.

// OK is the +OK reply.
const OK = "+OK\r\n"

// Nil is the RESP2 null bulk string.
const Nil = "$-1\r\n"

// NilArray is the RESP2 null array.
const NilArray = "*-1\r\n"

// Status is a simple-string reply.
func Status(s string) string { return "+" + s + "\r\n" }

// Err is an error reply.
func Err(s string) string { return "-" + s + "\r\n" }

// Int is an integer reply.
func Int(n int64) string { return ":" + strconv.FormatInt(n, 10) + "\r\n" }

// Bulk is a bulk-string reply.
func Bulk(s string) string { return "$" + strconv.Itoa(len(s)) + "\r\n" + s + "\r\n" }

// Array is an array of already-encoded replies.
func Array(items ...string) string {
	return "*" + strconv.Itoa(len(items)) + "\r\n" + strings.Join(items, "")
}

// Bulks is an array of bulk strings.
func Bulks(items ...string) string {
	enc := make([]string, len(items))
	for i, s := range items {
		enc[i] = Bulk(s)
	}
	return Array(enc...)
}
