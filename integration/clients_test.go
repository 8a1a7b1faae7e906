package integration

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cairn-db/cairn/server/servertest"
)

// Acceptance tests with the clients the transactions, pub/sub and
// scripting work exists for: django-redis, Celery, RQ (Debian packages
// python3-django-redis, python3-celery, python3-rq) and ioredis (from the
// npm registry). Each runs where its client is installed and says why it
// skips otherwise.

// pythonWith returns Debian's python3 when module imports, or skips.
func pythonWith(t *testing.T, module, pkg string) string {
	t.Helper()
	for _, py := range []string{"/usr/bin/python3", "python3"} {
		if exec.Command(py, "-c", "import "+module).Run() == nil {
			return py
		}
	}
	t.Skipf("python3 module %s not installed (Debian package %s)", module, pkg)
	return ""
}

// requireCommands skips the test when Cairn lacks a command the client
// needs (another part of Cairn still to land).
func requireCommands(t *testing.T, addr string, names ...string) {
	t.Helper()
	c := servertest.Dial(t, addr)
	var missing []string
	for _, n := range names {
		if strings.HasPrefix(c.Do("COMMAND", "INFO", n), "*1\r\n*-1") {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		t.Skipf("client needs commands Cairn does not have yet: %s", strings.Join(missing, " "))
	}
}

// wantLines fails unless every line of want appears in got.
func wantLines(t *testing.T, got string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(got, w+"\n") {
			t.Errorf("missing %q in output:\n%s", w, got)
		}
	}
}

// TestDjangoRedis: cache get/set/incr/set_many/get_many/delete_pattern/ttl
// and cache.lock() (Lua scripts) print the same against Redis and Cairn.
func TestDjangoRedis(t *testing.T) {
	py := pythonWith(t, "django_redis", "python3-django-redis")
	redis := requireRedis(t)
	cairn := servertest.Start(t)
	const script = "testdata/clients/django_redis_cache.py"
	want := runPython(t, py, script, redis.addr)
	got := runPython(t, py, script, cairn.Addr())
	if got != want {
		t.Fatalf("django-redis output differs\nredis:\n%s\ncairn:\n%s", want, got)
	}
	wantLines(t, got, "incr 11 16 14", "acquire True", "other acquire False", "counter 80")
}

// TestCelery: a Celery worker with broker and result backend on Cairn runs
// tasks with results, a countdown, a retry, a group, a chord and a failing
// task, and shuts down cleanly on a broadcast.
func TestCelery(t *testing.T) {
	py := pythonWith(t, "celery", "python3-celery")
	cairn := servertest.Start(t)
	requireCommands(t, cairn.Addr(), "lpush", "brpop", "zadd", "hset", "sadd", "psubscribe", "publish", "multi")
	got := runPython(t, py, "testdata/clients/celery_run.py", cairn.Addr())
	wantLines(t, got,
		"add 5", "countdown 30 True", "retry ok after 2 retries", "group [0, 2, 4, 6, 8]",
		"chord 20", "failure ValueError boom", "state SUCCESS True", "many 1275", "worker exit 0")
}

// TestRQ: an RQ burst worker processes jobs, a dependent job, and records
// the failed one.
func TestRQ(t *testing.T) {
	py := pythonWith(t, "rq", "python3-rq")
	cairn := servertest.Start(t)
	requireCommands(t, cairn.Addr(), "lpush", "blpop", "zadd", "hset", "sadd", "xadd", "xrevrange")
	got := runPython(t, py, "testdata/clients/rq_run.py", cairn.Addr())
	wantLines(t, got,
		"worked True", "results [0, 2, 4, 6, 8, 10, 12, 14, 16, 18]", "statuses ['finished']",
		"failed status failed True", "dependent finished 7", "failed registry True",
		"finished registry 12", "queue empty 0")
}

// TestIORedis: pipelines, MULTI/EXEC with a WATCH conflict, defineCommand
// (EVALSHA falling back to EVAL after NOSCRIPT) and pub/sub give the same
// output against Redis and Cairn. ioredis comes from the npm registry into
// a cache folder, once.
func TestIORedis(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not installed")
	}
	mods := npmModules(t, "ioredis5", "ioredis@5")
	got := sameNodeOutput(t, node, mods, "testdata/clients/ioredis_accept.js")
	wantLines(t, got, "watch conflict null changed", "defineCommand [1,2,3,3]", "after flush 3", "numsub [\"news\",1,\"sport\",1]")
}

// TestBullMQ: BullMQ, the Node job queue built on Lua scripts, runs plain,
// delayed, prioritized, retried and failing jobs and a parent/children
// flow with the same outcome on Redis and Cairn.
func TestBullMQ(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not installed")
	}
	mods := npmModules(t, "bullmq6", "bullmq@6.7.6", "ioredis@5")
	got := sameNodeOutput(t, node, mods, "testdata/clients/bullmq_queue.js")
	wantLines(t, got, `{"completed":56,"failed":1,"waiting":0,"active":0,"delayed":0,"prioritized":0,"waiting-children":0}`,
		"failed bad:always:2")
}

// sameNodeOutput runs a Node script (its argument: a port) against
// redis-server and against Cairn, fails the test unless both print the
// same, and returns the output.
func sameNodeOutput(t *testing.T, node, mods, script string) string {
	t.Helper()
	redis := requireRedis(t)
	cairn := servertest.Start(t)
	run := func(addr string) string {
		_, port, _ := strings.Cut(addr, ":")
		cmd := exec.Command(node, script, port)
		cmd.Env = append(os.Environ(), "NODE_PATH="+mods)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s against %s: %v\n%s", script, addr, err, out)
		}
		return string(out)
	}
	want, got := run(redis.addr), run(cairn.Addr())
	if got != want {
		t.Fatalf("%s output differs\nredis:\n%s\ncairn:\n%s", script, want, got)
	}
	return got
}

// npmModules installs packages from the npm registry into a cache folder
// named dir, once, and returns its node_modules path; it skips the test
// where npm or the registry is missing.
func npmModules(t *testing.T, dir string, pkgs ...string) string {
	t.Helper()
	npm, err := exec.LookPath("npm")
	if err != nil {
		t.Skipf("npm not installed: cannot fetch %v", pkgs)
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	dir = filepath.Join(cache, "cairn-test", dir)
	mods := filepath.Join(dir, "node_modules")
	name, _, _ := strings.Cut(strings.TrimPrefix(pkgs[0], "@"), "@")
	if _, err := os.Stat(filepath.Join(mods, name, "package.json")); err != nil {
		os.MkdirAll(dir, 0o755)
		args := append([]string{"install", "--prefix", dir, "--no-audit", "--no-fund", "--silent"}, pkgs...)
		if out, err := exec.Command(npm, args...).CombinedOutput(); err != nil {
			t.Skipf("npm install %v failed (registry unreachable?): %v\n%s", pkgs, err, out)
		}
	}
	return mods
}
