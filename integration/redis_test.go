package integration

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// redisServer is a real redis-server started for a test run.
type redisServer struct {
	cmd  *exec.Cmd
	addr string
	dir  string
}

// startRedis starts redis-server on a free loopback port with persistence
// off, or returns an error saying why it could not.
func startRedis(extra ...string) (*redisServer, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, fmt.Errorf("redis-server not installed (Debian package redis-server)")
	}
	dir, err := os.MkdirTemp("", "cairn-redis-*")
	if err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	args := append([]string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", dir, "--daemonize", "no"}, extra...)
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = nil, nil
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	r := &redisServer{cmd: cmd, addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), dir: dir}
	if err := waitReady(r.addr, 5*time.Second); err != nil {
		r.stop()
		return nil, err
	}
	return r, nil
}

func (r *redisServer) stop() {
	r.cmd.Process.Kill()
	r.cmd.Wait()
	os.RemoveAll(r.dir)
}

// freePort asks the kernel for a free loopback port.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// waitListening waits until something accepts connections on addr.
func waitListening(addr string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("nothing listening on %s after %v", addr, timeout)
}

// waitReady waits until the server at addr answers a PING with anything
// but LOADING: the Cairn daemon, like redis-server, listens while it
// loads its data. (NOAUTH counts as ready.)
func waitReady(addr string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
			c.SetDeadline(time.Now().Add(time.Second))
			_, werr := c.Write([]byte("*1\r\n$4\r\nPING\r\n"))
			line, rerr := bufio.NewReader(c).ReadString('\n')
			c.Close()
			if werr == nil && rerr == nil && !strings.HasPrefix(line, "-LOADING") {
				return nil
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("%s not ready after %v", addr, timeout)
}

// requireRedis returns the shared redis-server, or skips the test.
func requireRedis(t *testing.T) *redisServer {
	t.Helper()
	if sharedRedisErr != nil {
		t.Skipf("differential test needs a real redis-server: %v", sharedRedisErr)
	}
	return sharedRedis
}

// ownRedis starts a redis-server of the test's own, stopped when the test
// ends, for a test that changes what others would see (configuration,
// users, every database); it skips the test without redis-server.
func ownRedis(t *testing.T) *redisServer {
	t.Helper()
	requireRedis(t)
	r, err := startRedis()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.stop)
	return r
}

var (
	sharedRedis    *redisServer
	sharedRedisErr error
)

func TestMain(m *testing.M) {
	sharedRedis, sharedRedisErr = startRedis()
	code := m.Run()
	if sharedRedis != nil {
		sharedRedis.stop()
	}
	cleanupBinary()
	os.Exit(code)
}

// repoRoot is the module root, for building the binary.
func repoRoot() string {
	wd, _ := os.Getwd()
	return filepath.Dir(wd)
}
