package integration

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/cairn-db/cairn/server/servertest"
)

// debianPython returns Debian's python3 when redis-py (package
// python3-redis) is importable from it, or skips the test.
func debianPython(t *testing.T, module string) string {
	t.Helper()
	for _, py := range []string{"/usr/bin/python3", "python3"} {
		if exec.Command(py, "-c", "import "+module).Run() == nil {
			return py
		}
	}
	t.Skipf("python3 with %s not installed (Debian package python3-%s)", module, module)
	return ""
}

// runPython runs a client script against addr and returns its output.
func runPython(t *testing.T, py, script, addr string) string {
	t.Helper()
	_, port, _ := strings.Cut(addr, ":")
	out, err := exec.Command(py, script, port).CombinedOutput()
	if err != nil {
		t.Fatalf("%s against %s: %v\n%s", script, addr, err, out)
	}
	return string(out)
}

// TestRedisPy runs the same redis-py script against real Redis and Cairn;
// the outputs must be identical.
func TestRedisPy(t *testing.T) {
	py := debianPython(t, "redis")
	redis := requireRedis(t)
	cairn := servertest.Start(t)
	const script = "testdata/clients/redispy_core.py"
	want := runPython(t, py, script, redis.addr)
	got := runPython(t, py, script, cairn.Addr())
	if got != want {
		t.Fatalf("redis-py output differs\nredis:\n%s\ncairn:\n%s", want, got)
	}
}

// TestRedisPyQueue runs a threaded redis-py work queue (BRPOP and BLMOVE
// workers) against real Redis and Cairn; the summaries must be identical
// and show every job delivered exactly once.
func TestRedisPyQueue(t *testing.T) {
	py := debianPython(t, "redis")
	redis := requireRedis(t)
	cairn := servertest.Start(t)
	const script = "testdata/clients/redispy_queue.py"
	want := runPython(t, py, script, redis.addr)
	got := runPython(t, py, script, cairn.Addr())
	if got != want {
		t.Fatalf("redis-py output differs\nredis:\n%s\ncairn:\n%s", want, got)
	}
	if !strings.Contains(got, "brpop: delivered 1000 distinct 1000") || !strings.Contains(got, "blmove: delivered 1000 distinct 1000") {
		t.Fatalf("jobs lost or duplicated:\n%s", got)
	}
}
