package integration

import (
	"testing"
)

// TestDebugReloadSurvivesSIGKILL: on the Pebble engine DEBUG RELOAD
// rewrites every record in one batch (the flush and the file's keys), and
// DEBUG LOADAOF rebuilds the dataset from the records. Neither may lose or
// invent anything: after both, further writes, SIGKILL and a restart, the
// dataset's digest, the functions and a consumer group's pending entries
// are what they were.
func TestDebugReloadSurvivesSIGKILL(t *testing.T) {
	dir := t.TempDir()
	args := []string{"--engine", "pebble", "--dir", dir, "--appendfsync", "always", "--enable-debug-command", "yes"}
	p := startCairn(t, args...)
	c := newClient(t, p.addr)
	do := func(args ...any) any {
		t.Helper()
		v, err := c.Do(ctx, args...).Result()
		if err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		return v
	}
	do("RPUSH", "l", "a", "b", "c")
	do("XADD", "st", "1-1", "f", "v")
	do("XGROUP", "CREATE", "st", "g", "0")
	do("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "st", ">")
	do("DEBUG", "RELOAD")
	do("HSET", "h", "a", "1")
	do("DEBUG", "LOADAOF")
	do("SET", "k", "v", "EX", "1000")
	do("FUNCTION", "LOAD", "#!lua name=lib\nredis.register_function('f', function() return 1 end)")
	do("SELECT", "2") // another database, after the reloads
	do("SADD", "s", "x")
	do("DEBUG", "RELOAD")
	digest := do("DEBUG", "DIGEST")
	p.kill()

	p = startCairn(t, args...)
	c = newClient(t, p.addr)
	if got := do("DEBUG", "DIGEST"); got != digest {
		t.Fatalf("digest %v after SIGKILL and restart, %v before", got, digest)
	}
	if got := do("FCALL", "f", "0"); got != int64(1) {
		t.Fatalf("FCALL after restart = %v", got)
	}
	if got := do("XPENDING", "st", "g").([]any); got[0] != int64(1) {
		t.Fatalf("XPENDING after restart = %v", got)
	}
}
