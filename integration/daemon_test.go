package integration

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cairn-db/cairn/server/servertest"
)

// TestBinaryWithRedisCLI drives the built daemon with redis-cli, as a user
// would from a shell.
func TestBinaryWithRedisCLI(t *testing.T) {
	cli, err := exec.LookPath("redis-cli")
	if err != nil {
		t.Skip("redis-cli not installed (Debian package redis-tools)")
	}
	p := startCairn(t)
	host, port, _ := strings.Cut(p.addr, ":")
	run := func(args ...string) string {
		out, err := exec.Command(cli, append([]string{"-h", host, "-p", port}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("redis-cli %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"PING"}, "PONG"},
		{[]string{"SET", "greeting", "hello world"}, "OK"},
		{[]string{"GET", "greeting"}, "hello world"},
		{[]string{"INCRBY", "n", "41"}, "41"},
		{[]string{"INCR", "n"}, "42"},
		{[]string{"EXPIRE", "greeting", "100"}, "1"},
		{[]string{"TTL", "greeting"}, "100"},
		{[]string{"DBSIZE"}, "2"},
		{[]string{"GET", "missing"}, ""},
		{[]string{"NOSUCHCMD", "x"}, "ERR unknown command 'NOSUCHCMD', with args beginning with: 'x'"},
	} {
		if got := run(c.args...); got != c.want {
			t.Errorf("redis-cli %v = %q, want %q", c.args, got, c.want)
		}
	}
	// redis-cli's pipe mode, used for bulk loading.
	var in strings.Builder
	for i := 0; i < 1000; i++ {
		in.WriteString("SET bulk:" + itoa(i) + " v\r\n")
	}
	cmd := exec.Command(cli, "-h", host, "-p", port, "--pipe")
	cmd.Stdin = strings.NewReader(in.String())
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "errors: 0, replies: 1000") {
		t.Fatalf("redis-cli --pipe: %v\n%s", err, out)
	}
	if got := run("DBSIZE"); got != "1002" {
		t.Fatalf("DBSIZE after --pipe = %s", got)
	}
}

func TestBinaryConfigFile(t *testing.T) {
	port, _ := freePort()
	conf := filepath.Join(t.TempDir(), "cairn.conf")
	os.WriteFile(conf, []byte("# a comment\nport "+itoa(port)+"\ndatabases 4\nrequirepass \"s3cret pass\"\n"), 0o644)
	cmd := exec.Command(cairnBinary(t), conf)
	cmd.Dir = t.TempDir() // the default --dir ./data lands here
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	addr := "127.0.0.1:" + itoa(port)
	if err := waitReady(addr, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	c := dialRaw(t, addr)
	if got := c.Do("GET", "k"); got != "-NOAUTH Authentication required.\r\n" {
		t.Fatalf("GET before AUTH = %q", got)
	}
	if got := c.Do("AUTH", "wrong"); !strings.HasPrefix(got, "-WRONGPASS") {
		t.Fatalf("AUTH wrong = %q", got)
	}
	if got := c.Do("AUTH", "s3cret pass"); got != "+OK\r\n" {
		t.Fatalf("AUTH = %q", got)
	}
	if got := c.Do("SELECT", "4"); got != "-ERR DB index is out of range\r\n" {
		t.Fatalf("SELECT 4 with databases 4 = %q", got)
	}
	if got := c.Do("CONFIG", "GET", "databases"); !strings.Contains(got, "$1\r\n4\r\n") {
		t.Fatalf("CONFIG GET databases = %q", got)
	}
}

func TestBinaryRejectsUnknownDirective(t *testing.T) {
	out, err := exec.Command(cairnBinary(t), "--port", "0", "--no-such-thing", "1").CombinedOutput()
	if err == nil {
		t.Fatal("cairn started with an unknown directive")
	}
	// Redis's words, naming the line.
	if want := ">>> 'no-such-thing \"1\"'\nBad directive or wrong number of arguments"; !strings.Contains(string(out), want) {
		t.Fatalf("error does not name the directive as Redis does: %s", out)
	}
}

func TestBinaryGracefulShutdown(t *testing.T) {
	p := startCairn(t)
	c := dialRaw(t, p.addr)
	if got := c.Do("SET", "k", "v"); got != "+OK\r\n" {
		t.Fatal(got)
	}
	if err := p.stop(t); err != nil {
		t.Fatalf("exit after SIGTERM: %v (want status 0)", err)
	}
}

func TestBinaryShutdownCommand(t *testing.T) {
	p := startCairn(t)
	c := dialRaw(t, p.addr)
	c.Send("SHUTDOWN")
	if _, err := c.ReadErr(5 * time.Second); err == nil {
		t.Fatal("SHUTDOWN got a reply; Redis closes the connection instead")
	}
	select {
	case err := <-p.waitDone():
		if err != nil {
			t.Fatalf("exit status after SHUTDOWN: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("process still running 10s after SHUTDOWN")
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

func dialRaw(t *testing.T, addr string) *servertest.Conn { return servertest.Dial(t, addr) }

// On the memory engine SAVE writes <dir>/dump.rdb and the daemon loads it
// back when it starts, as redis-server does.
func TestBinaryMemoryEngineSavesAndLoadsDumpRDB(t *testing.T) {
	dir := t.TempDir()
	p := startCairn(t, "--engine", "memory", "--dir", dir)
	c := dialRaw(t, p.addr)
	c.Do("RPUSH", "l", "a", "b")
	c.Do("SELECT", "2")
	c.Do("SET", "k", "v")
	if got := c.Do("SAVE"); got != "+OK\r\n" {
		t.Fatalf("SAVE = %q", got)
	}
	p.kill()
	p = startCairn(t, "--engine", "memory", "--dir", dir)
	c = dialRaw(t, p.addr)
	var got string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if got = c.Do("LRANGE", "l", "0", "-1"); !strings.HasPrefix(got, "-LOADING") {
			break
		}
	}
	if got != "*2\r\n$1\r\na\r\n$1\r\nb\r\n" {
		t.Fatalf("LRANGE after restart = %q", got)
	}
	c.Do("SELECT", "2")
	if got := c.Do("GET", "k"); got != "$1\r\nv\r\n" {
		t.Fatalf("GET after restart = %q", got)
	}
}
