package server

import (
	"os"
	"strings"
	"testing"
	"time"
)

// TestLatencySeriesRing: one sample per second (the worst of it), the
// last 160 seconds kept, oldest first, and the all-time worst.
func TestLatencySeriesRing(t *testing.T) {
	var m latencyMonitor
	m.add("command", 1000, 5)
	m.add("command", 1000, 9) // same second: the worst stays
	m.add("command", 1000, 7)
	ts, _ := m.get("command")
	if l := ts.latest(); l.time != 1000 || l.ms != 9 || ts.max != 9 {
		t.Fatalf("latest %+v max %d", l, ts.max)
	}
	for i := int64(1); i <= 170; i++ {
		m.add("command", 1000+i, i)
	}
	ts, _ = m.get("command")
	var got []latencySample
	ts.each(func(s latencySample) { got = append(got, s) })
	if len(got) != latencySamples || got[0].time != 1011 || got[len(got)-1].time != 1170 {
		t.Fatalf("%d samples, first %+v, last %+v", len(got), got[0], got[len(got)-1])
	}
	if ts.max != 170 {
		t.Fatalf("max %d", ts.max)
	}
	if _, ok := m.get("Command"); ok {
		t.Fatal("lookup is case-sensitive, as Redis's")
	}
	if n := m.reset("COMMAND", false); n != 1 {
		t.Fatalf("reset dropped %d", n)
	}
	if n := m.reset("", true); n != 0 {
		t.Fatalf("reset all dropped %d", n)
	}
}

// TestLatencyEventThreshold: samples are taken at latency-monitor-threshold
// and above only, fast commands as fast-command, at the server clock's
// second.
func TestLatencyEventThreshold(t *testing.T) {
	s, c, _ := startFake(t)
	s.latencyEvent("expire-cycle", time.Hour) // threshold 0: off
	if names, _ := s.latency.snapshot(); len(names) != 0 {
		t.Fatalf("events with the monitor off: %v", names)
	}
	s.execute(c, [][]byte{[]byte("CONFIG"), []byte("SET"), []byte("latency-monitor-threshold"), []byte("5")})
	s.latencyEvent("expire-cycle", 4*time.Millisecond+999*time.Microsecond)
	s.latencyEvent("eviction-cycle", 5*time.Millisecond)
	get, keys := s.table.lookup([]byte("get")), s.table.lookup([]byte("keys"))
	s.commandDone(c, get, nil, monotonic()-7*time.Millisecond, nil)
	s.commandDone(c, keys, nil, monotonic()-6*time.Millisecond, nil)
	names, series := s.latency.snapshot()
	if strings.Join(names, " ") != "command eviction-cycle fast-command" {
		t.Fatalf("events %v", names)
	}
	now := s.now().Unix()
	for i, want := range []int64{6, 5, 7} {
		if l := series[i].latest(); l.ms < want || l.time != now {
			t.Errorf("%s: %+v, want ≥ %d ms at %d", names[i], l, want, now)
		}
	}
}

// TestLatencyGraph: the sparkline redis-server 7.0.15 drew for three
// samples of 732, 144 and 732 ms taken 5, 3 and 1 seconds ago.
func TestLatencyGraph(t *testing.T) {
	var m latencyMonitor
	m.add("command", 995, 732)
	m.add("command", 997, 144)
	m.add("command", 999, 732)
	ts, _ := m.get("command")
	want := "command - high 732 ms, low 144 ms (all time high 732 ms)\n" +
		strings.Repeat("-", 80) + "\n" +
		"# #\n| |\n| |\n|_|\n   \n531\nsss\n"
	if got := latencyGraph("command", &ts, 1000); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	// Labels by age, and a second block past 80 samples.
	m.reset("", true)
	for i := int64(0); i < 100; i++ {
		m.add("e", 100000+i, i%7)
	}
	ts, _ = m.get("e")
	g := latencyGraph("e", &ts, 100000+99+7200)
	lines := strings.Split(g, "\n")
	if len(lines[2]) != 80 || !strings.Contains(g, "\n\n") || !strings.Contains(g, "h") {
		t.Fatalf("graph:\n%s", g)
	}
}

// TestLatencyDoctorAdvice: the report's per-event lines and advice, with
// Redis's texts (checked against redis-server 7.0.15's report).
func TestLatencyDoctorAdvice(t *testing.T) {
	s, c, _ := startFake(t)
	s.execute(c, [][]byte{[]byte("CONFIG"), []byte("SET"), []byte("latency-monitor-threshold"), []byte("1")})
	now := s.now().Unix()
	s.latency.add("command", now-4, 732)
	s.latency.add("command", now-2, 144)
	s.latency.add("command", now, 732)
	got := s.latencyDoctor()
	want := "Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?\n\n" +
		"1. command: 3 latency spikes (average 536ms, mean deviation 261ms, period 1.33 sec). Worst all time event 732ms.\n" +
		"\nI have a few advices for you:\n\n" +
		"- Your current Slow Log configuration only logs events that are slower than your configured latency monitor threshold. Please use 'CONFIG SET slowlog-log-slower-than 1000'.\n" +
		"- Check your Slow Log to understand what are the commands you are running which are too slow to execute. Please check https://redis.io/commands/slowlog for more information.\n" +
		"- Deleting, expiring or evicting (because of maxmemory policy) large objects is a blocking operation. If you have very large objects that are often deleted, expired, or evicted, try to fragment those objects into multiple smaller objects.\n"
	if i := strings.Index(got, "- I detected a non zero amount of anonymous huge pages"); i >= 0 {
		got = got[:i] // this machine's THP, not the point here
	}
	if got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}

// TestLatencyTrackingViews: what INFO latencystats and LATENCY HISTOGRAM
// report follows latency-tracking and CONFIG RESETSTAT, while the
// counters themselves (Prometheus) keep every call.
func TestLatencyTrackingViews(t *testing.T) {
	var st cmdStats
	calls := func(tracking bool) uint64 {
		if v := st.latencyView(tracking); v != nil {
			return v.total
		}
		return 0
	}
	st.latency.observe(time.Microsecond)
	st.latency.observe(time.Millisecond)
	if calls(true) != 2 {
		t.Fatalf("calls %d", calls(true))
	}
	st.setTracking(false)
	st.latency.observe(time.Millisecond)
	if calls(false) != 2 {
		t.Fatalf("while off: %d, want the 2 from before", calls(false))
	}
	st.setTracking(true)
	if calls(true) != 2 {
		t.Fatalf("back on: %d, want 2", calls(true))
	}
	st.latency.observe(time.Second)
	if v := st.latencyView(true); v.total != 3 || v.valueAt(100) < int64(time.Second) {
		t.Fatalf("calls %d max %d", v.total, v.valueAt(100))
	}
	st.resetTracking(true)
	if st.latencyView(true) != nil {
		t.Fatal("a histogram after reset")
	}
	st.setTracking(false)
	st.resetTracking(false)
	st.setTracking(true)
	st.latency.observe(time.Microsecond)
	if calls(true) != 1 || st.latency.count() != 5 {
		t.Fatalf("calls %d, counted %d", calls(true), st.latency.count())
	}
	// A command first run while tracking is off has nothing to report.
	var fresh cmdStats
	fresh.latency.observe(time.Microsecond)
	if fresh.latencyView(false) != nil {
		t.Fatal("untracked call reported")
	}
}

// TestLatencyConfigFromFileAndFlags: the latency settings come from a
// config file and the command line as from CONFIG SET, normalized alike.
func TestLatencyConfigFromFileAndFlags(t *testing.T) {
	file := t.TempDir() + "/cairn.conf"
	if err := os.WriteFile(file, []byte("latency-tracking-info-percentiles 50 99.90 100\nlatency-tracking no\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var cfg Config
	if err := ParseArgs(&cfg, []string{file, "--latency-monitor-threshold", "25"}); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		"latency-tracking-info-percentiles": "50 99.9 100", "latency-tracking": "no", "latency-monitor-threshold": "25",
	} {
		if got, _ := cfg.Get(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if err := ParseArgs(&Config{}, []string{"--latency-tracking-info-percentiles", "50 101"}); err == nil {
		t.Error("a percentile over 100 was accepted")
	}
	s, err := Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.latencyTracking.Load() || s.latencyThreshold.Load() != 25 || len(*s.latencyPercentiles.Load()) != 3 {
		t.Fatalf("applied: tracking %v threshold %d percentiles %v", s.latencyTracking.Load(), s.latencyThreshold.Load(), *s.latencyPercentiles.Load())
	}
}
