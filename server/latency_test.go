package server_test

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	. "github.com/cairn-db/cairn/server/servertest"
)

// busyScript runs for well over a millisecond on any machine.
const busyScript = "local i = 0 while i < 500000 do i = i + 1 end return i"

// TestLatencyMonitorManualClock: a command over latency-monitor-threshold
// becomes a "command" sample at the server clock's second; samples of
// other seconds add to the history; RESET drops the event.
func TestLatencyMonitorManualClock(t *testing.T) {
	clock := NewClock()
	srv := Start(t, WithClock(clock))
	ctx := context.Background()
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr(), Protocol: 2})
	defer rdb.Close()
	must := func(v any, err error) any {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	must(rdb.Do(ctx, "EVAL", busyScript, 0).Result()) // below no threshold: off
	if got := must(rdb.Do(ctx, "LATENCY", "LATEST").Result()); len(got.([]any)) != 0 {
		t.Fatalf("LATEST with the monitor off: %v", got)
	}
	must(rdb.ConfigSet(ctx, "latency-monitor-threshold", "1").Result())
	// No spike yet (or only the advice about this process's huge pages).
	doctor := must(rdb.Do(ctx, "LATENCY", "DOCTOR").Result()).(string)
	if doctor != "Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. I honestly think you ought to sit down calmly, take a stress pill, and think things over.\n" &&
		!strings.HasPrefix(doctor, "\nI have a few advices for you:\n\n- I detected a non zero amount of anonymous huge pages") {
		t.Fatalf("DOCTOR before any spike: %q", doctor)
	}
	t0 := clock.Now().Unix()
	must(rdb.Do(ctx, "EVAL", busyScript, 0).Result())
	rdb.Get(ctx, "k") // fast, far under 1 ms: no fast-command event
	latest := must(rdb.Do(ctx, "LATENCY", "LATEST").Result()).([]any)
	if len(latest) != 1 {
		t.Fatalf("LATEST: %v", latest)
	}
	ev := latest[0].([]any)
	if ev[0] != "command" || ev[1].(int64) != t0 || ev[2].(int64) < 1 || ev[3].(int64) < ev[2].(int64) {
		t.Fatalf("LATEST event %v, want command at %d", ev, t0)
	}
	clock.FastForward(3 * time.Second)
	must(rdb.Do(ctx, "EVAL", busyScript, 0).Result())
	hist := must(rdb.Do(ctx, "LATENCY", "HISTORY", "command").Result()).([]any)
	if len(hist) != 2 || hist[0].([]any)[0].(int64) != t0 || hist[1].([]any)[0].(int64) != t0+3 {
		t.Fatalf("HISTORY: %v", hist)
	}
	graph := must(rdb.Do(ctx, "LATENCY", "GRAPH", "command").Result()).(string)
	if !strings.HasPrefix(graph, "command - high ") || !strings.HasSuffix(graph, "30\nss\n") {
		t.Fatalf("GRAPH:\n%s", graph)
	}
	doctor = must(rdb.Do(ctx, "LATENCY", "DOCTOR").Result()).(string)
	if !strings.Contains(doctor, "1. command: 2 latency spikes") {
		t.Fatalf("DOCTOR:\n%s", doctor)
	}
	if n := must(rdb.Do(ctx, "LATENCY", "RESET", "nosuch", "COMMAND").Result()); n != int64(1) {
		t.Fatalf("RESET: %v", n)
	}
	if got := must(rdb.Do(ctx, "LATENCY", "HISTORY", "command").Result()); len(got.([]any)) != 0 {
		t.Fatalf("HISTORY after RESET: %v", got)
	}
}

// TestLatencyHistogram: per command, its calls and a cumulative histogram
// whose buckets grow and end at the calls, as a RESP3 map of maps;
// subcommands by container name; nothing for commands never run.
func TestLatencyHistogram(t *testing.T) {
	srv := Start(t)
	ctx := context.Background()
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr(), Protocol: 3})
	defer rdb.Close()
	for range 3 {
		rdb.Get(ctx, "k")
	}
	rdb.ConfigGet(ctx, "hz")
	got, err := rdb.Do(ctx, "LATENCY", "HISTOGRAM", "GET", "config", "lpush", "nosuch").Result()
	if err != nil {
		t.Fatal(err)
	}
	m := got.(map[any]any)
	if len(m) != 2 {
		t.Fatalf("commands %v, want get and config|get", m)
	}
	for name, calls := range map[string]int64{"get": 3, "config|get": 1} {
		h := m[name].(map[any]any)
		if h["calls"] != calls {
			t.Fatalf("%s: calls %v, want %d", name, h["calls"], calls)
		}
		buckets := h["histogram_usec"].(map[any]any)
		var top, last int64
		for us, n := range buckets {
			if n.(int64) > last {
				top, last = us.(int64), n.(int64)
			}
		}
		if last != calls || top < 1 {
			t.Fatalf("%s: buckets %v", name, buckets)
		}
	}
	all, _ := rdb.Do(ctx, "LATENCY", "HISTOGRAM").Result()
	if _, ok := all.(map[any]any)["latency|histogram"]; !ok {
		t.Fatalf("LATENCY HISTOGRAM without names lacks latency|histogram: %v", all)
	}
}

// TestInfoLatencyStats: INFO latencystats lines in Redis's format, the
// configured percentiles, nothing while latency-tracking is off, and a
// clean slate after CONFIG RESETSTAT.
func TestInfoLatencyStats(t *testing.T) {
	srv := Start(t)
	ctx := context.Background()
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer rdb.Close()
	rdb.Get(ctx, "k")
	info := func() string { return rdb.Info(ctx, "latencystats").Val() }
	line := regexp.MustCompile(`(?m)^latency_percentiles_usec_get:p50=\d+\.\d{3},p99=\d+\.\d{3},p99\.9=\d+\.\d{3}\r$`)
	if !line.MatchString(info()) {
		t.Fatalf("INFO latencystats:\n%s", info())
	}
	rdb.ConfigSet(ctx, "latency-tracking-info-percentiles", "0 100 99.99")
	if !regexp.MustCompile(`(?m)^latency_percentiles_usec_get:p0=\d+\.\d{3},p100=\d+\.\d{3},p99\.99=`).MatchString(info()) {
		t.Fatalf("INFO latencystats:\n%s", info())
	}
	if !strings.Contains(rdb.Info(ctx, "everything").Val(), "# Latencystats\r\nlatency_percentiles_usec_") ||
		strings.Contains(rdb.Info(ctx).Val(), "Latencystats") {
		t.Fatal("latencystats belongs to INFO everything, not to the default INFO")
	}
	rdb.ConfigSet(ctx, "latency-tracking", "no")
	if got := info(); got != "# Latencystats\r\n" {
		t.Fatalf("tracking off: %q", got)
	}
	rdb.ConfigSet(ctx, "latency-tracking", "yes")
	rdb.ConfigResetStat(ctx)
	if got := info(); strings.Contains(got, "usec_get:") {
		t.Fatalf("after RESETSTAT: %q", got)
	}
}

// TestMemoryStatsFields: MEMORY STATS has Redis 7.0's fields in its order,
// a db.N map per database with keys, Cairn's key count, and doubles where
// Redis has them (RESP3).
func TestMemoryStatsFields(t *testing.T) {
	srv := Start(t)
	c := Dial(t, srv.Addr())
	c.Do("SET", "a", "1")
	c.Do("SET", "b", "1", "EX", "100")
	c.Do("SELECT", "2")
	c.Do("SET", "a", "1")
	reply := c.Do("MEMORY", "STATS")
	var names []string
	for _, m := range regexp.MustCompile(`\$\d+\r\n([a-z][a-z0-9.\-]*)\r\n`).FindAllStringSubmatch(reply, -1) {
		names = append(names, m[1])
	}
	db := "overhead.hashtable.main overhead.hashtable.expires overhead.hashtable.slot-to-keys"
	want := "peak.allocated total.allocated startup.allocated replication.backlog clients.slaves clients.normal " +
		"cluster.links aof.buffer lua.caches functions.caches db.0 " + db + " db.2 " + db + " overhead.total " +
		"keys.count keys.bytes-per-key dataset.bytes dataset.percentage peak.percentage allocator.allocated " +
		"allocator.active allocator.resident allocator-fragmentation.ratio allocator-fragmentation.bytes " +
		"allocator-rss.ratio allocator-rss.bytes rss-overhead.ratio rss-overhead.bytes fragmentation fragmentation.bytes"
	if got := strings.Join(names, " "); got != want {
		t.Fatalf("fields\n got %s\nwant %s", got, want)
	}
	if !strings.HasPrefix(reply, "*58\r\n") || !strings.Contains(reply, "$10\r\nkeys.count\r\n:3\r\n") {
		t.Fatalf("reply %q", reply)
	}
	c.Do("HELLO", "3")
	reply = c.Do("MEMORY", "STATS")
	for _, want := range []string{"%29\r\n", "$4\r\ndb.0\r\n%3\r\n", "$18\r\ndataset.percentage\r\n,", "$13\r\nfragmentation\r\n,"} {
		if !strings.Contains(reply, want) {
			t.Fatalf("RESP3 reply lacks %q: %q", want, reply)
		}
	}
	if got := c.Do("MEMORY", "MALLOC-STATS"); got != Bulk("Stats not supported for the current allocator") {
		t.Fatalf("MALLOC-STATS: %q", got)
	}
	if got := c.Do("MEMORY", "PURGE"); got != Status("OK") {
		t.Fatalf("PURGE: %q", got)
	}
	if got := c.Do("MEMORY", "DOCTOR"); !strings.Contains(got, "Hi Sam, this instance is empty") {
		t.Fatalf("DOCTOR: %q", got)
	}
	// As go-redis decodes it.
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr(), Protocol: 3})
	defer rdb.Close()
	v, err := rdb.Do(context.Background(), "MEMORY", "STATS").Result()
	if err != nil {
		t.Fatal(err)
	}
	m := v.(map[any]any)
	total, overhead, dataset := m["total.allocated"].(int64), m["overhead.total"].(int64), m["dataset.bytes"].(int64)
	if m["keys.count"] != int64(3) || total <= 0 || overhead <= 0 || dataset != total-overhead {
		t.Fatalf("MEMORY STATS: %v", m)
	}
	info := rdb.Info(context.Background(), "memory").Val()
	// The overhead has the clients' buffers, which change from one
	// command to the next: INFO's is compared without them.
	clients := m["clients.normal"].(int64)
	for _, l := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(l, "mem_clients_normal:"); ok {
			n, _ := strconv.ParseInt(v, 10, 64)
			overhead += n - clients
		}
	}
	for field, v := range map[string]int64{"used_memory_dataset": dataset, "used_memory_overhead": overhead} {
		if want := fmt.Sprintf("\r\n%s:%d\r\n", field, v); !strings.Contains(info, want) {
			t.Errorf("INFO memory lacks %q:\n%s", want, info)
		}
	}
	if _, ok := m["peak.percentage"].(float64); !ok {
		t.Fatalf("peak.percentage: %T", m["peak.percentage"])
	}
	if db := m["db.0"].(map[any]any); db["overhead.hashtable.expires"].(int64) <= 0 {
		t.Fatalf("db.0: %v (a key has a TTL)", db)
	}
}
