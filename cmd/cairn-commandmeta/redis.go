package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-db/cairn/server/commandmeta"
)

// fromRedis starts redis-server, reads the documentation, tips and key
// specs of all its commands and subcommands, and stops it.
func fromRedis(bin string) (map[string]*commandmeta.Entry, string, error) {
	dir, err := os.MkdirTemp("", "cairn-commandmeta-*")
	if err != nil {
		return nil, "", err
	}
	defer os.RemoveAll(dir)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", dir, "--daemonize", "no")
	if err := cmd.Start(); err != nil {
		return nil, "", fmt.Errorf("starting %s: %v", bin, err)
	}
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
	}()
	c, err := dial(net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), 5*time.Second)
	if err != nil {
		return nil, "", err
	}
	defer c.Close()

	hello, err := c.do("HELLO", "3")
	if err != nil {
		return nil, "", err
	}
	version := hello.field("version").str
	if !strings.HasPrefix(version, "7.0.") {
		return nil, "", fmt.Errorf("redis-server is %s: Cairn documents Redis 7.0's commands, use a 7.0.x", version)
	}
	docs, err := c.do("COMMAND", "DOCS")
	if err != nil {
		return nil, "", err
	}
	info, err := c.do("COMMAND")
	if err != nil {
		return nil, "", err
	}
	entries := map[string]*commandmeta.Entry{}
	if err := addDocs(entries, docs); err != nil {
		return nil, "", err
	}
	if err := addInfo(entries, info); err != nil {
		return nil, "", err
	}
	return entries, version, nil
}

// conn is a RESP3 connection.
type conn struct {
	net.Conn
	r *bufio.Reader
}

// dial connects to addr, retrying until redis-server listens.
func dial(addr string, timeout time.Duration) (*conn, error) {
	deadline := time.Now().Add(timeout)
	for {
		nc, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			return &conn{nc, bufio.NewReader(nc)}, nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("redis-server at %s: %v", addr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// do sends one command and reads its reply; an error reply is an error.
func (c *conn) do(args ...string) (value, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Write([]byte(b.String())); err != nil {
		return value{}, err
	}
	v, err := readValue(c.r)
	if err == nil && v.kind == '-' {
		err = fmt.Errorf("%s: %s", strings.Join(args, " "), v.str)
	}
	return v, err
}

// value is one RESP3 reply: its type byte, a scalar's text, an
// aggregate's elements (a map's keys and values in turn).
type value struct {
	kind  byte
	str   string
	items []value
}

func readValue(r *bufio.Reader) (value, error) {
	line, err := r.ReadString('\n')
	if err != nil {
		return value{}, err
	}
	if len(line) < 3 || !strings.HasSuffix(line, "\r\n") {
		return value{}, fmt.Errorf("bad reply line %q", line)
	}
	v := value{kind: line[0], str: line[1 : len(line)-2]}
	switch v.kind {
	case '*', '~', '%', '>':
		n, err := strconv.Atoi(v.str)
		if err != nil {
			return value{}, fmt.Errorf("bad length %q", line)
		}
		if v.kind == '%' {
			n *= 2
		}
		for i := 0; i < n; i++ {
			item, err := readValue(r)
			if err != nil {
				return value{}, err
			}
			v.items = append(v.items, item)
		}
	case '$', '=', '!':
		n, err := strconv.Atoi(v.str)
		if err != nil || n < 0 {
			return value{}, fmt.Errorf("bad length %q", line)
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(r, buf); err != nil {
			return value{}, err
		}
		v.str = string(buf[:n])
	}
	return v, nil
}

// field is a map's value under key, or the zero value.
func (v value) field(key string) value {
	if v.kind == '%' {
		for i := 0; i+1 < len(v.items); i += 2 {
			if v.items[i].str == key {
				return v.items[i+1]
			}
		}
	}
	return value{}
}
