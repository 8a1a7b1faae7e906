package integration

import (
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cairn-db/cairn/server/servertest"
)

// TestBinaryOperations runs the daemon with a log file, a password, the
// metrics listener and a renamed command, and checks each from outside:
// the start-up log line, NOAUTH, the metrics scrape, `cairn ping`, and
// the shutdown line after SIGTERM.
func TestBinaryOperations(t *testing.T) {
	dir := t.TempDir()
	logPath := filepath.Join(dir, "cairn.log")
	mport, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	maddr := "127.0.0.1:" + strconv.Itoa(mport)
	p := startCairn(t, "--logfile", logPath, "--loglevel", "verbose", "--requirepass", "pw",
		"--metrics-addr", maddr, "--rename-command", "FLUSHALL", "",
		"--client-query-buffer-limit", "1mb")
	c := servertest.Dial(t, p.addr)
	if got := c.Do("GET", "k"); got != servertest.Err("NOAUTH Authentication required.") {
		t.Errorf("GET before AUTH = %q", got)
	}
	if got := c.Do("AUTH", "pw"); got != servertest.OK {
		t.Fatalf("AUTH = %q", got)
	}
	if got := c.Do("FLUSHALL"); !strings.HasPrefix(got, "-ERR unknown command 'FLUSHALL'") {
		t.Errorf("renamed-away FLUSHALL = %q", got)
	}
	c.Do("SET", "k", "v")
	resp, err := http.Get("http://" + maddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`cairn_commands_total{cmd="set"} 1`, `cairn_keys{db="0"} 1`, "process_resident_memory_bytes"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	// A request over the query buffer limit closes that client and is logged.
	q := servertest.Dial(t, p.addr)
	q.Do("AUTH", "pw")
	// The server may close (a reset) while the request is still being
	// written; that is the close this checks for.
	if err := q.TrySend("SET", "big", strings.Repeat("x", 2<<20)); err != nil {
		t.Logf("write cut short: %v", err)
	} else if _, err := q.ReadErr(5 * time.Second); err == nil {
		t.Error("client over the query buffer limit was not closed")
	}
	out, err := exec.Command(cairnBinary(t), "ping", p.addr).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "NOAUTH") {
		t.Errorf("cairn ping: %v %s", err, out)
	}
	if err := p.stop(t); err != nil {
		t.Fatalf("exit after SIGTERM: %v", err)
	}
	log, _ := os.ReadFile(logPath)
	for _, want := range []string{`msg="cairn started" version=7.0.15 engine=`, "metrics_addr=" + maddr,
		"max query buffer length", "Received SIGTERM scheduling shutdown...", "ready to exit, bye bye", `msg="cairn stopped"`} {
		if !strings.Contains(string(log), want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
}
