package integration

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// TestConfigRewriteKeepsTheFile checks CONFIG REWRITE as Redis does it:
// the file's comments and the directives CONFIG does not manage (a
// rename-command that disables FLUSHDB) survive, a changed setting's line
// is replaced in place and a new one appended, and the server restarted
// from the file has the same settings, FLUSHDB still disabled.
func TestConfigRewriteKeepsTheFile(t *testing.T) {
	dir := t.TempDir()
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(dir, "cairn.conf")
	original := "# the team's notes\nport " + strconv.Itoa(port) + "\nrename-command flushdb \"\"\n\n# memory\nmaxmemory 10mb\nmaxmemory 11mb\n"
	if err := os.WriteFile(conf, []byte(original), 0o644); err != nil {
		t.Fatal(err)
	}
	start := func() (*exec.Cmd, *redis.Client) {
		cmd := exec.Command(cairnBinary(t), conf, "--engine", "memory", "--dir", dir)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		addr := "127.0.0.1:" + strconv.Itoa(port)
		if err := waitReady(addr, 10*time.Second); err != nil {
			t.Fatal(err)
		}
		return cmd, redis.NewClient(&redis.Options{Addr: addr})
	}
	ctx := context.Background()
	cmd, c := start()
	if err := c.ConfigSet(ctx, "maxmemory-policy", "allkeys-lru").Err(); err != nil {
		t.Fatal(err)
	}
	if err := c.ConfigSet(ctx, "maxmemory", "20mb").Err(); err != nil {
		t.Fatal(err)
	}
	if err := c.ConfigRewrite(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(conf)
	text := string(b)
	for _, want := range []string{"# the team's notes\n", "rename-command flushdb \"\"\n", "# memory\nmaxmemory 20971520\n", "maxmemory-policy allkeys-lru\n"} {
		if !strings.Contains(text, want) {
			t.Errorf("rewritten file lacks %q:\n%s", want, text)
		}
	}
	if n := strings.Count(text, "\nmaxmemory "); n != 1 {
		t.Errorf("%d maxmemory lines, want 1:\n%s", n, text)
	}
	c.Close()
	cmd.Process.Kill()
	cmd.Wait()

	_, c = start()
	defer c.Close()
	if err := c.FlushDB(ctx).Err(); err == nil || !strings.Contains(err.Error(), "unknown command") {
		t.Errorf("FLUSHDB after the rewrite and a restart: %v, want unknown command", err)
	}
	if got := c.ConfigGet(ctx, "maxmemory-policy").Val()["maxmemory-policy"]; got != "allkeys-lru" {
		t.Errorf("maxmemory-policy after restart = %q", got)
	}
}
