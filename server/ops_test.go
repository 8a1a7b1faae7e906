package server_test

import (
	"bufio"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cairn-db/cairn/server"
	. "github.com/cairn-db/cairn/server/servertest"
)

// scrape fetches /metrics and returns the value of each series line.
func scrape(t *testing.T, addr string) map[string]float64 {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	out := map[string]float64{}
	for _, line := range strings.Split(string(body), "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err == nil {
			out[line[:i]] = v
		}
	}
	return out
}

func TestMetricsScrape(t *testing.T) {
	srv := Start(t, WithConfig(func(c *server.Config) { c.MetricsAddr = "127.0.0.1:0" }))
	c := Dial(t, srv.Addr())
	before := scrape(t, srv.MetricsAddr())
	c.Do("SET", "k", "v")
	c.Do("SET", "t", "v", "EX", "100")
	c.Do("GET", "k")
	c.Do("GET", "missing")
	c.Do("INCR", "k")
	after := scrape(t, srv.MetricsAddr())
	for _, tc := range []struct {
		series string
		delta  float64
	}{
		{`cairn_commands_total{cmd="set"}`, 2},
		{`cairn_commands_total{cmd="get"}`, 2},
		{`cairn_command_duration_seconds_count{cmd="get"}`, 2},
		{`cairn_command_errors_total{cmd="incr",kind="ERR"}`, 1},
		{`cairn_keyspace_hits_total`, 1},
		{`cairn_keyspace_misses_total`, 1},
		{`cairn_error_replies_total`, 1},
	} {
		if d := after[tc.series] - before[tc.series]; d != tc.delta {
			t.Errorf("%s moved by %v, want %v", tc.series, d, tc.delta)
		}
	}
	for series, want := range map[string]float64{
		`cairn_keys{db="0"}`:          2,
		`cairn_expiring_keys{db="0"}`: 1,
		`cairn_connected_clients`:     1,
	} {
		if after[series] != want {
			t.Errorf("%s = %v, want %v", series, after[series], want)
		}
	}
	if after["cairn_connections_received_total"] < 1 || after["go_goroutines"] == 0 || after["cairn_memory_used_bytes"] == 0 {
		t.Errorf("runtime or connection series missing: %v %v", after["cairn_connections_received_total"], after["go_goroutines"])
	}
	if _, ok := after[`cairn_command_duration_seconds_count{cmd="lpush"}`]; ok {
		t.Error("a command that never ran has a latency series")
	}
}

func TestCommandStatsAndErrorStats(t *testing.T) {
	srv := Start(t)
	c := Dial(t, srv.Addr())
	c.Do("SET", "k", "v")
	c.Do("INCR", "k")
	c.Do("GET")
	c.Do("NOSUCH")
	info := c.Do("INFO", "commandstats")
	for _, want := range []string{
		"cmdstat_set:calls=1,usec=",
		"cmdstat_incr:calls=1,",
		",rejected_calls=0,failed_calls=1",
		"cmdstat_get:calls=0,usec=0,usec_per_call=0.00,rejected_calls=1,failed_calls=0",
	} {
		if !strings.Contains(info, want) {
			t.Errorf("INFO commandstats lacks %q:\n%s", want, info)
		}
	}
	if got := c.Do("INFO", "errorstats"); !strings.Contains(got, "errorstat_ERR:count=3") {
		t.Errorf("INFO errorstats = %q", got)
	}
	if got := c.Do("INFO"); strings.Contains(got, "cmdstat_") || !strings.Contains(got, "# Errorstats") {
		t.Error("default INFO must hold errorstats but not commandstats")
	}
	c.Do("CONFIG", "RESETSTAT")
	if got := c.Do("INFO", "commandstats"); strings.Contains(got, "cmdstat_set") {
		t.Errorf("after RESETSTAT: %q", got)
	}
	c.Do("SET", "k", "v")
	if got := c.Do("INFO", "commandstats"); !strings.Contains(got, "cmdstat_set:calls=1,") {
		t.Errorf("calls count again from RESETSTAT: %q", got)
	}
	if got := c.Do("INFO", "stats"); !strings.Contains(got, "total_error_replies:0") {
		t.Errorf("after RESETSTAT stats: %q", got)
	}
}

func TestSlowlog(t *testing.T) {
	srv := Start(t)
	c := Dial(t, srv.Addr())
	for _, s := range []step{
		{"SLOWLOG LEN", Int(0)},
		{"CONFIG SET slowlog-log-slower-than 0", OK},
		{"SET k v", OK},
		{"SLOWLOG GET -2", Err("ERR count should be greater than or equal to -1")},
	} {
		if got := c.Do(strings.Fields(s.args)...); got != s.want {
			t.Errorf("%s: got %q want %q", s.args, got, s.want)
		}
	}
	// CONFIG SET, SET, and the SLOWLOG GET error so far.
	if got := c.Do("SLOWLOG", "LEN"); got != Int(3) {
		t.Errorf("SLOWLOG LEN = %q", got)
	}
	// Newest first: SLOWLOG LEN, the SLOWLOG GET error, SET.
	got := c.Do("SLOWLOG", "GET", "3")
	if !strings.Contains(got, "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n$15\r\n127.0.0.1:") || !strings.HasPrefix(got, "*3\r\n*6\r\n:3\r\n") {
		t.Errorf("SLOWLOG GET = %q", got)
	}
	c.Do("AUTH", "x")
	if got := c.Do("SLOWLOG", "GET", "1"); !strings.Contains(got, "$4\r\nAUTH\r\n$10\r\n(redacted)\r\n") {
		t.Errorf("AUTH not redacted: %q", got)
	}
	// HELLO keeps all but its AUTH option's arguments; EVAL keeps all.
	c.Do("HELLO", "2", "AUTH", "u", "x")
	if got := c.Do("SLOWLOG", "GET", "1"); !strings.Contains(got, "$1\r\n2\r\n$4\r\nAUTH\r\n$10\r\n(redacted)\r\n$10\r\n(redacted)\r\n") {
		t.Errorf("HELLO in the slow log: %q", got)
	}
	c.Do("EVAL", "return 1", "0")
	if got := c.Do("SLOWLOG", "GET", "1"); !strings.Contains(got, "$8\r\nreturn 1\r\n") {
		t.Errorf("EVAL in the slow log: %q", got)
	}
	long := strings.Repeat("x", 200)
	c.Do("ECHO", long)
	if got := c.Do("SLOWLOG", "GET", "1"); !strings.Contains(got, "... (72 more bytes)") {
		t.Errorf("long argument not truncated: %q", got)
	}
	c.Do("CONFIG", "SET", "slowlog-max-len", "2")
	if got := c.Do("SLOWLOG", "LEN"); got != Int(2) {
		t.Errorf("after max-len 2: %q", got)
	}
	if got := c.Do("SLOWLOG", "RESET"); got != OK {
		t.Errorf("RESET = %q", got)
	}
	c.Do("CONFIG", "SET", "slowlog-log-slower-than", "-1")
	c.Do("SLOWLOG", "RESET")
	c.Do("SET", "a", "b")
	if got := c.Do("SLOWLOG", "LEN"); got != Int(0) {
		t.Errorf("disabled slowlog recorded: %q", got)
	}
}

func TestMonitor(t *testing.T) {
	srv := Start(t)
	nc, err := net.Dial("tcp", srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(5 * time.Second))
	r := bufio.NewReader(nc)
	nc.Write([]byte(EncodeCommand("MONITOR")))
	if line, _ := r.ReadString('\n'); line != OK {
		t.Fatalf("MONITOR = %q", line)
	}
	c := Dial(t, srv.Addr())
	c.Do("SET", "k", "a \"b\"\n")
	c.Do("CONFIG", "GET", "hz") // admin: not shown
	c.Do("GET", "k")
	line, _ := r.ReadString('\n')
	if !strings.Contains(line, `] "SET" "k" "a \"b\"\n"`) || line[0] != '+' {
		t.Errorf("monitor line = %q", line)
	}
	line, _ = r.ReadString('\n')
	if !strings.HasSuffix(line, "\"GET\" \"k\"\r\n") || !strings.Contains(line, " [0 127.0.0.1:") {
		t.Errorf("monitor line = %q", line)
	}
	// A script shows as its EVAL, then its commands from "lua", as in
	// Redis 7.
	c.Do("EVAL", "redis.call('set', KEYS[1], 'x') return redis.call('get', KEYS[1])", "1", "k")
	for _, want := range []string{`"EVAL" "redis.call('set', KEYS[1], 'x') return redis.call('get', KEYS[1])" "1" "k"`, `[0 lua] "set" "k" "x"`, `[0 lua] "get" "k"`} {
		line, _ = r.ReadString('\n')
		if !strings.Contains(line, want) {
			t.Errorf("monitor line = %q, want it to contain %q", line, want)
		}
	}
	// Passwords are redacted, as Redis 7.0 shows them.
	c.Do("AUTH", "user", "secret")
	c.Do("HELLO", "2", "AUTH", "user", "secret")
	for _, want := range []string{`] "AUTH" "(redacted)" "(redacted)"`, `] "HELLO" "2" "AUTH" "(redacted)" "(redacted)"`} {
		line, _ = r.ReadString('\n')
		if !strings.Contains(line, want) || strings.Contains(line, "secret") {
			t.Errorf("monitor line = %q, want it to contain %q", line, want)
		}
	}
	// MIGRATE's AUTH and AUTH2 secrets too (the MIGRATE fails: no key).
	c.Do("MIGRATE", "127.0.0.1", "1", "nokey", "0", "10", "AUTH", "secret")
	c.Do("MIGRATE", "127.0.0.1", "1", "nokey", "0", "10", "COPY", "AUTH2", "user", "secret")
	for _, want := range []string{`"10" "AUTH" "(redacted)"`, `"10" "COPY" "AUTH2" "(redacted)" "(redacted)"`} {
		line, _ = r.ReadString('\n')
		if !strings.Contains(line, want) || strings.Contains(line, "secret") {
			t.Errorf("monitor line = %q, want it to contain %q", line, want)
		}
	}
	// A transaction's commands show between MULTI and EXEC, as they ran;
	// a command refused while queued does not show.
	c.Do("MULTI")
	c.Do("SET", "k", "m")
	c.Do("NOSUCHCMD")
	c.Do("EXEC")
	c.Do("MULTI")
	c.Do("SET", "k", "m")
	c.Do("EXEC")
	for _, want := range []string{`"MULTI"`, `"EXEC"`, `"MULTI"`, `"SET" "k" "m"`, `"EXEC"`} {
		line, _ = r.ReadString('\n')
		if !strings.HasSuffix(line, "] "+want+"\r\n") {
			t.Errorf("monitor line = %q, want it to end with %q", line, want)
		}
	}
	if got := c.Do("CLIENT", "LIST"); strings.Count(got, "id=") != 2 || !strings.Contains(got, "flags=O") {
		t.Errorf("monitor client missing from CLIENT LIST: %q", got)
	}
	nc.Write([]byte(EncodeCommand("QUIT")))
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) && strings.Count(c.Do("CLIENT", "LIST"), "id=") != 1 {
		time.Sleep(10 * time.Millisecond)
	}
	if got := c.Do("CLIENT", "LIST"); strings.Count(got, "id=") != 1 {
		t.Errorf("monitor client still listed after QUIT: %q", got)
	}
}

func TestLimits(t *testing.T) {
	clock := NewClock()
	srv := Start(t, WithClock(clock), WithConfig(func(c *server.Config) {
		c.MaxClients = 2
		c.Set("client-query-buffer-limit", "1048576")
		c.Set("client-output-buffer-limit", "normal 100000 0 0")
		c.Set("timeout", "5")
	}))
	a := Dial(t, srv.Addr())
	b := Dial(t, srv.Addr())
	a.Do("PING")
	b.Do("PING")
	nc, err := net.Dial("tcp", srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	nc.SetDeadline(time.Now().Add(5 * time.Second))
	if line, _ := bufio.NewReader(nc).ReadString('\n'); line != "-ERR max number of clients reached\r\n" {
		t.Errorf("over maxclients: %q", line)
	}
	nc.Close()

	// An output buffer over the hard limit closes that client only.
	a.Do("SET", "big", strings.Repeat("x", 60000))
	b.Send("MGET", "big", "big")
	if _, err := b.ReadErr(2 * time.Second); err == nil {
		t.Error("client over the output limit was not disconnected")
	}
	if got := a.Do("STRLEN", "big"); got != Int(60000) {
		t.Errorf("other client: %q", got)
	}

	// A request over the query buffer limit closes the connection.
	q := Dial(t, srv.Addr())
	// The server may close while the request is still being written.
	if err := q.TrySend("SET", "huge", strings.Repeat("y", 2<<20)); err != nil {
		t.Logf("write cut short: %v", err)
	} else if _, err := q.ReadErr(2 * time.Second); err == nil {
		t.Error("client over the query buffer limit was not disconnected")
	}

	// An idle client is closed after timeout seconds.
	// The reaper runs once a second of real time; wait for it to close the
	// client rather than sleep and PING, since a PING that beat a late
	// reaper would make the client active again.
	clock.FastForward(7 * time.Second)
	if got, err := a.ReadErr(10 * time.Second); err == nil {
		t.Errorf("idle client was not closed; got %q", got)
	} else if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Error("idle client was not closed")
	}
}

func TestBlockingMetrics(t *testing.T) {
	srv := Start(t, WithConfig(func(c *server.Config) { c.MetricsAddr = "127.0.0.1:0" }))
	a := Dial(t, srv.Addr())
	b := Dial(t, srv.Addr())
	a.Send("BLPOP", "q", "10")
	deadline := time.Now().Add(5 * time.Second)
	for scrape(t, srv.MetricsAddr())["cairn_blocked_clients"] != 1 {
		if time.Now().After(deadline) {
			t.Fatal("blocked client never counted")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if got := b.Do("INFO", "clients"); !strings.Contains(got, "blocked_clients:1") {
		t.Errorf("INFO clients: %q", got)
	}
	time.Sleep(300 * time.Millisecond)
	b.Do("RPUSH", "q", "x")
	if got := a.Read(); got != Array(Bulk("q"), Bulk("x")) {
		t.Fatalf("BLPOP = %q", got)
	}
	m := scrape(t, srv.MetricsAddr())
	if m[`cairn_blocking_wait_seconds_count{cmd="blpop"}`] != 1 || m[`cairn_blocking_wait_seconds_sum{cmd="blpop"}`] < 0.3 {
		t.Errorf("blocking wait not recorded: count %v sum %v", m[`cairn_blocking_wait_seconds_count{cmd="blpop"}`], m[`cairn_blocking_wait_seconds_sum{cmd="blpop"}`])
	}
	// The command's own latency leaves the wait out, as commandstats does.
	if sum := m[`cairn_command_duration_seconds_sum{cmd="blpop"}`]; sum >= 0.3 {
		t.Errorf("blpop latency %v s includes the blocked time", sum)
	}
	if m["cairn_blocked_clients"] != 0 {
		t.Errorf("blocked clients after serving: %v", m["cairn_blocked_clients"])
	}
}

func TestQueueMetrics(t *testing.T) {
	srv := Start(t, WithConfig(func(c *server.Config) { c.MetricsAddr = "127.0.0.1:0" }))
	c := Dial(t, srv.Addr())
	c.Do("RPUSH", "jobs:mail", "a", "b", "c")
	c.Do("RPUSH", "jobs:sms", "a")
	c.Do("SELECT", "2")
	c.Do("LPUSH", "exact", "x", "y")
	c.Do("SET", "jobs:notalist", "v")
	if m := scrape(t, srv.MetricsAddr()); m[`cairn_queue_length{db="0",key="jobs:mail",type="list"}`] != 0 {
		t.Error("queue series without metrics-queue-keys")
	}
	if got := c.Do("CONFIG", "SET", "metrics-queue-keys", "jobs:* exact"); got != OK {
		t.Fatalf("CONFIG SET metrics-queue-keys = %q", got)
	}
	m := scrape(t, srv.MetricsAddr())
	for series, want := range map[string]float64{
		`cairn_queue_length{db="0",key="jobs:mail",type="list"}`: 3,
		`cairn_queue_length{db="0",key="jobs:sms",type="list"}`:  1,
		`cairn_queue_length{db="2",key="exact",type="list"}`:     2,
	} {
		if m[series] != want {
			t.Errorf("%s = %v, want %v", series, m[series], want)
		}
	}
	if _, ok := m[`cairn_queue_length{db="2",key="jobs:notalist",type="string"}`]; ok {
		t.Error("a string reported as a queue")
	}
}

func TestLogLevelAtRunTime(t *testing.T) {
	lv := new(slog.LevelVar)
	var buf strings.Builder
	var mu sync.Mutex
	logger := slog.New(slog.NewTextHandler(writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return buf.Write(p)
	}), &slog.HandlerOptions{Level: lv}))
	srv := Start(t, WithConfig(func(c *server.Config) { c.Logger, c.LogLevel = logger, lv }))
	c := Dial(t, srv.Addr())
	if lv.Level() != slog.LevelInfo {
		t.Errorf("default level %v", lv.Level())
	}
	if got := c.Do("CONFIG", "SET", "loglevel", "warning"); got != OK {
		t.Fatal(got)
	}
	if lv.Level() != slog.LevelWarn {
		t.Errorf("after CONFIG SET loglevel warning: %v", lv.Level())
	}
	c.Do("CONFIG", "SET", "loglevel", "debug")
	if lv.Level() != slog.LevelDebug {
		t.Errorf("after CONFIG SET loglevel debug: %v", lv.Level())
	}
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(buf.String(), "cairn started") {
		t.Errorf("start-up line missing: %q", buf.String())
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// RESET leaves MONITOR mode: the client answers +RESET, then serves
// commands again and is fed no more lines, as in Redis.
func TestMonitorReset(t *testing.T) {
	srv := Start(t)
	m := Dial(t, srv.Addr())
	if got := m.Do("MONITOR"); got != OK {
		t.Fatalf("MONITOR = %q", got)
	}
	c := Dial(t, srv.Addr())
	c.Do("SET", "k", "v")
	if got := m.Read(); !strings.HasSuffix(got, `"SET" "k" "v"`+"\r\n") {
		t.Fatalf("monitor line = %q", got)
	}
	if got := m.Do("RESET"); got != "+RESET\r\n" {
		t.Fatalf("RESET = %q", got)
	}
	c.Do("SET", "k", "w")
	if got := m.Do("GET", "k"); got != Bulk("w") {
		t.Fatalf("GET after RESET = %q (a monitor line leaked?)", got)
	}
	if got := c.Do("CLIENT", "LIST"); strings.Contains(got, "flags=O") || strings.Count(got, "id=") != 2 {
		t.Fatalf("CLIENT LIST after RESET: %q", got)
	}
}
