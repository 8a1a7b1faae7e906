package integration

import (
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
)

// Shutting down as redis-server does: SIGTERM with save points saves
// dump.rdb first on the memory engine, a failed save keeps the server
// serving, and CONFIG SET port moves the listener.

// waitForLog waits until the log file holds want.
func waitForLog(t *testing.T, path, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		log, _ := os.ReadFile(path)
		if strings.Contains(string(log), want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("log lacks %q after 10s:\n%s", want, log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// afterLoading runs op until the restarted daemon no longer answers
// LOADING (at most five seconds), and returns its error.
func afterLoading(op func() error) error {
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		err := op()
		if err == nil || !strings.HasPrefix(err.Error(), "LOADING") || time.Now().After(deadline) {
			return err
		}
	}
}

// goRedis is a go-redis client that does not retry, closed with the test.
func goRedis(t *testing.T, addr string) *redis.Client {
	c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
	t.Cleanup(func() { c.Close() })
	return c
}

func TestBinarySIGTERMSavesDumpRDBWithSavePoints(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	logPath := filepath.Join(dir, "cairn.log")
	args := []string{"--engine", "memory", "--dir", dir, "--save", "3600 1", "--logfile", logPath}
	p := startCairn(t, args...)
	c := goRedis(t, p.addr)
	if err := c.RPush(ctx, "l", "a", "b").Err(); err != nil {
		t.Fatal(err)
	}
	if err := c.Set(ctx, "k", "v", time.Hour).Err(); err != nil {
		t.Fatal(err)
	}
	if err := p.stop(t); err != nil {
		t.Fatalf("exit after SIGTERM: %v (want status 0)", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "dump.rdb")); err != nil {
		t.Fatalf("no dump.rdb after SIGTERM: %v", err)
	}
	waitForLog(t, logPath, "Saving the final RDB snapshot before exiting.")
	waitForLog(t, logPath, "ready to exit, bye bye")

	p = startCairn(t, args...)
	c = goRedis(t, p.addr)
	var got []string
	err := afterLoading(func() (err error) { got, err = c.LRange(ctx, "l", 0, -1).Result(); return err })
	if err != nil || strings.Join(got, ",") != "a,b" {
		t.Fatalf("LRANGE after restart = %v, %v", got, err)
	}
	if ttl, err := c.TTL(ctx, "k").Result(); err != nil || ttl <= 0 || ttl > time.Hour {
		t.Fatalf("TTL after restart = %v, %v", ttl, err)
	}
}

// Without save points SIGTERM writes nothing, as redis-server with
// save "": the memory engine's data goes with the process.
func TestBinarySIGTERMWithoutSavePointsWritesNoDump(t *testing.T) {
	dir := t.TempDir()
	p := startCairn(t, "--engine", "memory", "--dir", dir, "--save", "")
	goRedis(t, p.addr).Set(context.Background(), "k", "v", 0)
	if err := p.stop(t); err != nil {
		t.Fatalf("exit after SIGTERM: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "dump.rdb")); err == nil {
		t.Fatal("SIGTERM without save points wrote dump.rdb")
	}
}

// The daemon's default save points are Redis's, so with no save line a
// SIGTERM saves the memory engine's data, as redis-server's does.
func TestBinarySIGTERMWithDefaultSavePointsWritesDump(t *testing.T) {
	dir := t.TempDir()
	p := startCairn(t, "--engine", "memory", "--dir", dir)
	goRedis(t, p.addr).Set(context.Background(), "k", "v", 0)
	if err := p.stop(t); err != nil {
		t.Fatalf("exit after SIGTERM: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "dump.rdb")); err != nil {
		t.Fatalf("SIGTERM with the default save points wrote no dump.rdb: %v", err)
	}
}

// A save that fails keeps the server up, for SIGTERM and SHUTDOWN alike;
// SHUTDOWN NOSAVE then exits.
func TestBinaryFailedSaveAbortsShutdown(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	logPath := filepath.Join(dir, "cairn.log")
	p := startCairn(t, "--engine", "memory", "--dir", dir, "--save", "900 1", "--logfile", logPath)
	c := goRedis(t, p.addr)
	c.Set(ctx, "k", "v", 0)
	// A directory where dump.rdb goes makes the rename fail.
	if err := os.Mkdir(filepath.Join(dir, "dump.rdb"), 0o755); err != nil {
		t.Fatal(err)
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	waitForLog(t, logPath, "Error trying to save the DB, can't exit.")
	select {
	case err := <-p.waitDone():
		t.Fatalf("cairn exited after a failed save: %v", err)
	case <-time.After(200 * time.Millisecond):
	}
	if got, err := c.Get(ctx, "k").Result(); err != nil || got != "v" {
		t.Fatalf("GET after the aborted shutdown = %q, %v", got, err)
	}
	if err := c.Shutdown(ctx).Err(); err == nil || err.Error() != "ERR Errors trying to SHUTDOWN. Check logs." {
		t.Fatalf("SHUTDOWN with a failing save = %v", err)
	}
	if err := c.Ping(ctx).Err(); err != nil {
		t.Fatalf("PING after the failed SHUTDOWN: %v", err)
	}
	c.ShutdownNoSave(ctx) // no reply: the connection closes
	select {
	case err := <-p.waitDone():
		if err != nil {
			t.Fatalf("exit status after SHUTDOWN NOSAVE: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("still running 10s after SHUTDOWN NOSAVE")
	}
	waitForLog(t, logPath, "ready to exit, bye bye")
}

// The Pebble engine (the default) holds every write already: SIGTERM
// exits cleanly with save points too, makes no checkpoint, and the data
// is there after the restart.
func TestBinaryPebbleSIGTERMWithSavePoints(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	p := startCairn(t, "--dir", dir, "--save", "900 1")
	goRedis(t, p.addr).Set(ctx, "k", "v", 0)
	if err := p.stop(t); err != nil {
		t.Fatalf("exit after SIGTERM: %v (want status 0)", err)
	}
	if entries, _ := os.ReadDir(filepath.Join(dir, "checkpoints")); len(entries) != 0 {
		t.Fatalf("SIGTERM made %d checkpoints", len(entries))
	}
	p = startCairn(t, "--dir", dir)
	c := goRedis(t, p.addr)
	var got string
	err := afterLoading(func() (err error) { got, err = c.Get(ctx, "k").Result(); return err })
	if err != nil || got != "v" {
		t.Fatalf("GET after restart = %q, %v", got, err)
	}
}

// CONFIG SET port moves the listener: clients reach the new port, the old
// one refuses, and a port in use is refused with Redis's error while the
// listener stays where it was.
func TestBinaryConfigSetPortMovesListener(t *testing.T) {
	ctx := context.Background()
	p := startCairn(t, "--engine", "memory")
	c := goRedis(t, p.addr)
	if err := c.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	newAddr := "127.0.0.1:" + strconv.Itoa(port)
	if err := c.ConfigSet(ctx, "port", strconv.Itoa(port)).Err(); err != nil {
		t.Fatalf("CONFIG SET port: %v", err)
	}
	moved := goRedis(t, newAddr)
	if got, err := moved.Get(ctx, "k").Result(); err != nil || got != "v" {
		t.Fatalf("GET on the new port = %q, %v", got, err)
	}
	if got, err := moved.ConfigGet(ctx, "port").Result(); err != nil || got["port"] != strconv.Itoa(port) {
		t.Fatalf("CONFIG GET port = %v, %v", got, err)
	}
	if nc, err := net.DialTimeout("tcp", p.addr, time.Second); err == nil {
		nc.Close()
		t.Fatal("the old port still accepts connections")
	}

	// A port another socket holds.
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	takenPort := strconv.Itoa(taken.Addr().(*net.TCPAddr).Port)
	err = moved.ConfigSet(ctx, "port", takenPort).Err()
	if err == nil || !strings.Contains(err.Error(), "Unable to listen on this port") {
		t.Fatalf("CONFIG SET port to a taken port = %v", err)
	}
	if err := goRedis(t, newAddr).Ping(ctx).Err(); err != nil {
		t.Fatalf("PING on the port kept after the refused move: %v", err)
	}
	// An address this host does not have is refused; the listener stays.
	err = moved.ConfigSet(ctx, "bind", "203.0.113.77").Err()
	if err == nil || !strings.Contains(err.Error(), "Failed to bind to specified addresses") {
		t.Fatalf("CONFIG SET bind to a foreign address = %v", err)
	}
	if err := goRedis(t, newAddr).Ping(ctx).Err(); err != nil {
		t.Fatalf("PING after the refused bind: %v", err)
	}
}

// Debian's stock "bind 127.0.0.1 -::1": an address written with "-" is
// skipped when the host lacks it; without "-" the server does not start.
func TestBinaryOptionalBindAddress(t *testing.T) {
	p := startCairn(t, "--engine", "memory", "--bind", "127.0.0.1 -::1 -203.0.113.77")
	if err := goRedis(t, p.addr).Ping(context.Background()).Err(); err != nil {
		t.Fatalf("PING: %v", err)
	}
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(cairnBinary(t), "--engine", "memory", "--dir", t.TempDir(),
		"--port", strconv.Itoa(port), "--bind", "127.0.0.1 203.0.113.77").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "Failed listening on port") {
		t.Fatalf("start with an address the host lacks: %v\n%s", err, out)
	}
}
