package integration

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The Redis source whose test suite runs against Cairn: the same version
// as Debian's redis-server, fetched by .ci/run from Debian's archive.
const (
	redisSuiteTarball = "redis_7.0.15.orig.tar.gz"
	redisSuiteSHA256  = "4b1dc4ee6d622a09fff9c6777191209750fb5e5a725ef78ea012d6eef4c22982"
	redisSuiteRoot    = "redis-7.0.15/"
)

// redisSuiteUnits are the units of Redis's tests/unit that have tests
// which run against an external server; the others are tagged
// external:skip as a whole (acl, auth, info, maxmemory, ...).
var redisSuiteUnits = []string{
	"unit/type/incr", "unit/type/list", "unit/type/list-2", "unit/type/list-3",
	"unit/scan", "unit/expire", "unit/sort", "unit/bitfield", "unit/geo",
	"unit/protocol", "unit/quit", "unit/info-command", "unit/slowlog",
	"unit/violations",
	"unit/type/zset", "unit/type/hash", "unit/type/set", "unit/type/string",
	"unit/type/stream", "unit/type/stream-cgroups", "unit/keyspace", "unit/bitops",
	"unit/hyperloglog", "unit/dump",
	"unit/pubsub", "unit/introspection", "unit/introspection-2", "unit/latency-monitor",
	"unit/lazyfree", "unit/querybuf", "unit/other",
	"unit/scripting", "unit/functions", "unit/multi", "unit/tracking", "unit/pause",
}

// redisSuitePebbleUnits run a second time on the Pebble engine: the data
// types and keyspace commands, each of whose writes goes through its
// records there, and the units whose DEBUG LOADAOF reads them back.
var redisSuitePebbleUnits = []string{
	"unit/type/incr", "unit/type/list", "unit/expire", "unit/other", "unit/functions",
	"unit/type/zset", "unit/type/hash", "unit/type/set", "unit/type/string",
	"unit/type/stream", "unit/type/stream-cgroups", "unit/keyspace", "unit/bitops",
}

// redisSuiteSpawnUnits are units tagged external:skip as a whole: the
// suite starts its own servers for them, with src/redis-server, which is
// testdata/redis-suite/redis-server here, a script that runs Cairn with the
// suite's configuration file.
var redisSuiteSpawnUnits = []string{
	"unit/info", "unit/auth", "unit/pubsubshard", "unit/obuf-limits",
	"unit/memefficiency", "unit/limits", "unit/acl", "unit/acl-v2", "unit/oom-score-adj",
	"unit/shutdown", "unit/networking", "unit/maxmemory", "unit/client-eviction",
	// These run against an external server too; started by the suite, they
	// run their external:skip tests as well.
	"unit/introspection", "unit/dump", "unit/other", "unit/multi",
}

// TestRedisOwnTestSuite runs Redis 7.0.15's own test suite (tests/unit of
// its source) against Cairn, one fresh server per unit, in the suite's
// external-server mode: the same assertions Redis's developers hold
// redis-server to. Every unit runs on the memory engine, the data-type
// units on Pebble too; the units that only run against servers the suite
// starts itself get Cairn as src/redis-server. Tests that need the
// replication stream are left out by their tags; the few others Cairn does
// not pass are listed, each with its reason, in
// testdata/redis-suite/skip-*.txt.
func TestRedisOwnTestSuite(t *testing.T) {
	if testing.Short() {
		t.Skip("the Redis test suite takes minutes; not in -short")
	}
	tclsh, err := exec.LookPath("tclsh")
	if err != nil {
		t.Skip("tclsh not installed (Debian package tcl); .ci/run installs it")
	}
	tree := redisSuiteTree(t)
	runs := []struct {
		engine string
		units  []string
	}{{"memory", redisSuiteUnits}, {"pebble", redisSuitePebbleUnits}}
	for _, run := range runs {
		skipFile := redisSuiteSkipFile(t, "engine-"+run.engine)
		for _, unit := range run.units {
			t.Run(run.engine+"/"+unit, func(t *testing.T) {
				// The tests tagged needs:debug run too: they look at the
				// dataset through DEBUG RELOAD, LOADAOF, DIGEST, OBJECT...
				p := startCairn(t, "--engine", run.engine, "--enable-debug-command", "yes")
				host, port, _ := net.SplitHostPort(p.addr)
				runRedisSuiteUnit(t, tclsh, tree, skipFile, unit, nil, "--host", host, "--port", port)
			})
		}
	}
	skipFile := redisSuiteSkipFile(t, "engine-memory")
	env := append(os.Environ(), "CAIRN_BIN="+cairnBinary(t))
	installRedisServerStandIn(t, tree)
	for _, unit := range redisSuiteSpawnUnits {
		t.Run("spawn/"+unit, func(t *testing.T) {
			runRedisSuiteUnit(t, tclsh, tree, skipFile, unit, env)
		})
	}
}

// installRedisServerStandIn puts testdata/redis-suite/redis-server where
// the suite starts redis-server from.
func installRedisServerStandIn(t *testing.T, tree string) {
	t.Helper()
	script, err := os.ReadFile("testdata/redis-suite/redis-server")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(tree, "src"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(tree, "src", "redis-server"), script, 0o755); err != nil {
		t.Fatal(err)
	}
}

// runRedisSuiteUnit runs one unit, with the server arguments given (none:
// the suite starts its own, whose configuration enables DEBUG) and the
// environment env (nil: this process's), and fails the test with every
// failing assertion the suite printed.
func runRedisSuiteUnit(t *testing.T, tclsh, tree, skipFile, unit string, env []string, server ...string) {
	t.Helper()
	base, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	args := append([]string{"tests/test_helper.tcl", "--single", unit, "--clients", "1",
		"--tags", "-needs:repl", "--skipfile", skipFile,
		"--durable", "--timeout", "120", "--baseport", strconv.Itoa(base)}, server...)
	cmd := exec.CommandContext(ctx, tclsh, args...)
	cmd.Dir = tree
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	passed, failures := redisSuiteOutcome(out)
	if err != nil || len(failures) > 0 {
		t.Errorf("%s: %d passed, %d failed (%v):\n%s", unit, passed, len(failures), err, strings.Join(failures, "\n"))
		if len(failures) == 0 {
			t.Logf("output:\n%s", out)
		}
		return
	}
	if passed == 0 {
		t.Errorf("%s: the suite ran no test:\n%s", unit, out)
	}
	t.Logf("%s: %d tests passed", unit, passed)
}

var ansiEscape = regexp.MustCompile("\x1b\\[[0-9;]*m")

// redisSuiteOutcome counts the suite's [ok] lines and returns each
// [err], [exception] and [TIMEOUT] line with the lines that follow it (the
// assertion that failed, or the server's log when it did not start).
func redisSuiteOutcome(out []byte) (passed int, failures []string) {
	lines := strings.Split(ansiEscape.ReplaceAllString(string(out), ""), "\n")
	for i, line := range lines {
		switch {
		case strings.HasPrefix(line, "[ok]:"):
			passed++
		case strings.HasPrefix(line, "[err]:"), strings.HasPrefix(line, "[exception]:"),
			strings.HasPrefix(line, "[TIMEOUT]:"):
			// The lines after it say what failed, up to the next test's.
			failure := line
			for j := i + 1; j < len(lines) && j <= i+40 && !strings.HasPrefix(lines[j], "["); j++ {
				failure += "\n    " + lines[j]
			}
			failures = append(failures, failure)
		}
	}
	return passed, failures
}

// redisSuiteTree unpacks the test suite (tests/ of the Redis source) into
// a temporary folder, once per test run, or skips the test where .ci/run
// has not fetched the source.
func redisSuiteTree(t *testing.T) string {
	t.Helper()
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	path := filepath.Join(cache, "cairn-test", redisSuiteTarball)
	f, err := os.Open(path)
	if err != nil {
		t.Skipf("Redis's test suite not fetched (%v); .ci/run downloads %s from Debian's archive", err, redisSuiteTarball)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		t.Fatal(err)
	}
	if sum := hex.EncodeToString(h.Sum(nil)); sum != redisSuiteSHA256 {
		t.Fatalf("%s: sha256 %s, want %s", path, sum, redisSuiteSHA256)
	}
	f.Seek(0, io.SeekStart)
	tree := t.TempDir()
	if err := untarTests(f, tree); err != nil {
		t.Fatalf("unpack %s: %v", path, err)
	}
	return tree
}

// untarTests writes the tests/ folder of the gzipped tarball r under dir.
func untarTests(r io.Reader, dir string) error {
	gz, err := gzip.NewReader(bufio.NewReader(r))
	if err != nil {
		return err
	}
	tr := tar.NewReader(gz)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		name, ok := strings.CutPrefix(hdr.Name, redisSuiteRoot)
		if !ok || !strings.HasPrefix(name, "tests/") || strings.Contains(name, "..") {
			continue
		}
		target := filepath.Join(dir, name)
		switch hdr.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(target, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
				return err
			}
			w, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, os.FileMode(hdr.Mode)&0o755|0o600)
			if err != nil {
				return err
			}
			_, err = io.Copy(w, tr)
			if cerr := w.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
		}
	}
}

// redisSuiteSkipFile joins the test names of testdata/redis-suite/skip-*.txt
// (without their reason comments) into one file for the suite's --skipfile:
// every list but the skip-engine-*.txt, and of these skip-<engine>.txt.
func redisSuiteSkipFile(t *testing.T, engine string) string {
	t.Helper()
	lists, err := filepath.Glob("testdata/redis-suite/skip-*.txt")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, list := range lists {
		name := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(list), "skip-"), ".txt")
		if strings.HasPrefix(name, "engine-") && name != engine {
			continue
		}
		data, err := os.ReadFile(list)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(data), "\n") {
			if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
				names = append(names, line)
			}
		}
	}
	path := filepath.Join(t.TempDir(), "skip.txt")
	if err := os.WriteFile(path, []byte(strings.Join(names, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
