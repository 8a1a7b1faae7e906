package integration

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	buildOnce sync.Once
	binPath   string
	binDir    string
	buildErr  error
)

// cairnBinary builds cmd/cairn once per test run and returns its path.
func cairnBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "cairn-bin-*")
		if buildErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "cairn")
		cmd := exec.Command("go", "build", "-race", "-o", binPath, "./cmd/cairn")
		if !raceEnabled {
			cmd = exec.Command("go", "build", "-o", binPath, "./cmd/cairn")
		}
		cmd.Dir = repoRoot()
		out, err := cmd.CombinedOutput()
		if err != nil {
			buildErr = &buildError{err: err, out: string(out)}
		}
	})
	if buildErr != nil {
		t.Fatalf("build cairn: %v", buildErr)
	}
	return binPath
}

type buildError struct {
	err error
	out string
}

func (e *buildError) Error() string { return e.err.Error() + "\n" + e.out }

func cleanupBinary() {
	if binDir != "" {
		os.RemoveAll(binDir)
	}
}

// cairnProcess is the cairn binary running as a child process.
type cairnProcess struct {
	cmd  *exec.Cmd
	addr string
	done chan error
}

// startCairn runs the binary on a free port with extra arguments and
// stops it (SIGKILL if it does not exit) at the end of the test.
func startCairn(t *testing.T, args ...string) *cairnProcess {
	t.Helper()
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	// A fresh data directory unless the test names one (the daemon's
	// default, ./data, would land in the source tree).
	all := append([]string{"--port", strconv.Itoa(port), "--dir", t.TempDir()}, args...)
	cmd := exec.Command(cairnBinary(t), all...)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &cairnProcess{cmd: cmd, addr: "127.0.0.1:" + strconv.Itoa(port), done: make(chan error, 1)}
	go func() { p.done <- cmd.Wait() }()
	t.Cleanup(func() { p.kill() })
	if err := waitReady(p.addr, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	return p
}

// kill sends SIGKILL and waits for the process to go.
func (p *cairnProcess) kill() {
	p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.waitDone()
}

// stop sends SIGTERM and returns the exit error.
func (p *cairnProcess) stop(t *testing.T) error {
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.waitDone():
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("cairn did not exit within 10s of SIGTERM")
		return nil
	}
}

// waitDone returns a channel that yields the exit status once.
func (p *cairnProcess) waitDone() <-chan error {
	ch := make(chan error, 1)
	go func() {
		err, ok := <-p.done
		if ok {
			close(p.done)
		}
		ch <- err
	}()
	return ch
}
