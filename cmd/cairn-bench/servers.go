package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// bench holds what the benchmarks share: a built cairn binary and a
// scratch directory.
type bench struct {
	dir   string
	cairn string
}

func newBench() (*bench, error) {
	for _, tool := range []string{"redis-server", "redis-benchmark"} {
		if _, err := exec.LookPath(tool); err != nil {
			return nil, fmt.Errorf("%s not installed (Debian packages redis-server, redis-tools)", tool)
		}
	}
	dir, err := os.MkdirTemp("", "cairn-bench-*")
	if err != nil {
		return nil, err
	}
	b := &bench{dir: dir, cairn: filepath.Join(dir, "cairn")}
	build := exec.Command("go", "build", "-o", b.cairn, "./cmd/cairn")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("build cairn (run from the repository root): %w", err)
	}
	return b, nil
}

func (b *bench) cleanup() { os.RemoveAll(b.dir) }

// server is one running server process.
type server struct {
	name string
	cmd  *exec.Cmd
	port int
}

// start launches Cairn or Redis in the given persistence mode with a
// fresh data directory; extra are more "--directive value" arguments.
func (b *bench) start(kind, mode string, extra ...string) (*server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	data, err := os.MkdirTemp(b.dir, kind+"-*")
	if err != nil {
		return nil, err
	}
	p := strconv.Itoa(port)
	var cmd *exec.Cmd
	switch kind {
	case "cairn":
		args := []string{"--port", p, "--dir", data, "--save", ""} // no snapshots, as redis-server's below
		if mode == "memory" {
			args = append(args, "--engine", "memory")
		} else {
			args = append(args, "--engine", "pebble", "--appendfsync", mode)
		}
		cmd = exec.Command(b.cairn, append(args, extra...)...)
	case "redis":
		args := []string{"--port", p, "--bind", "127.0.0.1", "--dir", data, "--save", "", "--daemonize", "no"}
		if mode == "memory" {
			args = append(args, "--appendonly", "no")
		} else {
			args = append(args, "--appendonly", "yes", "--appendfsync", mode)
		}
		cmd = exec.Command("redis-server", append(args, extra...)...)
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &server{name: kind, cmd: cmd, port: port}
	if err := waitListening(port); err != nil {
		s.stop()
		return nil, fmt.Errorf("%s did not start: %w", kind, err)
	}
	return s, nil
}

func (s *server) stop() {
	s.cmd.Process.Kill()
	s.cmd.Wait()
}

// rss reads the server's resident set size in bytes.
func (s *server) rss() int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/statm", s.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	pages, _ := strconv.ParseInt(f[1], 10, 64)
	return pages * int64(os.Getpagesize())
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func waitListening(port int) error {
	addr := "127.0.0.1:" + strconv.Itoa(port)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("nothing on %s", addr)
}
