//go:build linux

package integration

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"golang.org/x/sys/unix"
)

// TestDaemonizeReturnsWhenReady runs the daemon as an init script does,
// with daemonize yes and a pidfile: the command returns 0 once the server
// answers, the pid file names the server's process, which runs in a
// session of its own, and SHUTDOWN removes the file.
func TestDaemonizeReturnsWhenReady(t *testing.T) {
	dir := t.TempDir()
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	pidFile := filepath.Join(dir, "cairn.pid")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	start := exec.CommandContext(ctx, cairnBinary(t), "--daemonize", "yes", "--port", strconv.Itoa(port),
		"--engine", "memory", "--dir", dir, "--pidfile", pidFile, "--logfile", filepath.Join(dir, "log"))
	if out, err := start.CombinedOutput(); err != nil {
		t.Fatalf("cairn --daemonize yes: %v\n%s", err, out)
	}
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatalf("no pid file: %v", err)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	t.Cleanup(func() { syscall.Kill(pid, syscall.SIGKILL) })
	if sid, err := unix.Getsid(pid); err != nil || sid != pid {
		t.Errorf("daemon %d: session %d (%v), want a session of its own", pid, sid, err)
	}
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + strconv.Itoa(port)})
	defer c.Close()
	// It answered before the start command returned: no wait here.
	if err := c.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatalf("SET right after the start command returned: %v", err)
	}
	info, _ := c.Info(ctx, "server").Result()
	if !strings.Contains(info, "process_id:"+strconv.Itoa(pid)+"\r\n") {
		t.Errorf("INFO process_id is not the pid file's %d", pid)
	}
	c.Shutdown(ctx)
	deadline := time.Now().Add(10 * time.Second)
	for syscall.Kill(pid, 0) == nil && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if syscall.Kill(pid, 0) == nil {
		t.Fatal("daemon still running after SHUTDOWN")
	}
	if _, err := os.Stat(pidFile); !os.IsNotExist(err) {
		t.Errorf("pid file left after SHUTDOWN: %v", err)
	}
}

// TestDaemonizeReportsStartFailure: when the background server cannot
// start, the start command says why and fails.
func TestDaemonizeReportsStartFailure(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	var stderr bytes.Buffer
	start := exec.Command(cairnBinary(t), "--daemonize", "yes", "--port", port, "--engine", "memory", "--dir", t.TempDir())
	start.Stderr = &stderr
	err = start.Run()
	if err == nil {
		t.Fatal("start on a taken port succeeded")
	}
	if want := "Failed listening on port " + port; !strings.Contains(stderr.String(), want) {
		t.Errorf("stderr %q lacks %q", stderr.String(), want)
	}
}

// TestSupervisedSystemdNotifies runs the daemon as Debian's systemd unit
// does (Type=notify, --supervised systemd --daemonize no): systemd hears
// READY=1 once the server serves, and STOPPING=1 at SIGTERM; INFO says it
// is supervised.
func TestSupervisedSystemdNotifies(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "notify")
	ln, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(cairnBinary(t), "--supervised", "systemd", "--daemonize", "no",
		"--port", strconv.Itoa(port), "--engine", "memory", "--dir", t.TempDir())
	cmd.Env = append(os.Environ(), "NOTIFY_SOCKET="+sock)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	read := func() string {
		ln.SetReadDeadline(time.Now().Add(10 * time.Second))
		buf := make([]byte, 512)
		n, err := ln.Read(buf)
		if err != nil {
			t.Fatalf("no notification: %v", err)
		}
		return string(buf[:n])
	}
	if msg := read(); !strings.Contains(msg, "READY=1\n") {
		t.Fatalf("first notification %q, want READY=1", msg)
	}
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + strconv.Itoa(port)})
	defer c.Close()
	info, err := c.Info(context.Background(), "server").Result()
	if err != nil || !strings.Contains(info, "process_supervised:systemd\r\n") {
		t.Errorf("INFO server: %v, want process_supervised:systemd in\n%s", err, info)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	if msg := read(); !strings.Contains(msg, "STOPPING=1\n") {
		t.Errorf("notification at SIGTERM %q, want STOPPING=1", msg)
	}
}
