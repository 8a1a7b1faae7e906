package server

import (
	"bytes"
	"net"
	"strconv"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
)

func TestEngineCollector(t *testing.T) {
	s, err := Start(Config{Engine: "pebble", Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var out bytes.Buffer
	c := newFakeClient(t, s, &out)
	for i := 0; i < 50; i++ {
		s.execute(c, [][]byte{[]byte("SET"), []byte("k" + strconv.Itoa(i)), []byte("v")})
	}
	s.store.Sync()
	mfs, err := s.metrics.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]*dto.MetricFamily{}
	for _, mf := range mfs {
		got[mf.GetName()] = mf
	}
	if mf := got["cairn_engine_disk_usage_bytes"]; mf == nil || mf.Metric[0].Gauge.GetValue() <= 0 {
		t.Errorf("disk usage: %v", mf)
	}
	if mf := got["cairn_engine_wal_fsync_duration_seconds"]; mf == nil || mf.Metric[0].Histogram.GetSampleCount() == 0 {
		t.Errorf("fsyncs: %v", mf)
	}
	// The memory engine exports no engine series.
	m, err := Start(Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	mfs, _ = m.metrics.reg.Gather()
	for _, mf := range mfs {
		if strings.HasPrefix(mf.GetName(), "cairn_engine_") {
			t.Errorf("memory engine exports %s", mf.GetName())
		}
	}
}

func TestProtectedMode(t *testing.T) {
	s, err := Start(Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	remote := &net.TCPAddr{IP: net.ParseIP("192.0.2.7"), Port: 5000}
	local := &net.TCPAddr{IP: net.ParseIP("127.0.0.1"), Port: 5000}
	local6 := &net.TCPAddr{IP: net.ParseIP("::1"), Port: 5000}
	if !s.protectedDenied(remote) || s.protectedDenied(local) || s.protectedDenied(local6) {
		t.Error("protected mode must refuse only remote clients")
	}
	s.acl.setRequirePass("pw")
	if s.protectedDenied(remote) {
		t.Error("a password lifts protected mode")
	}
	s.acl.setRequirePass("")
	s.cfgMu.Lock()
	s.cfg.tuning["protected-mode"] = "no"
	s.cfgMu.Unlock()
	if s.protectedDenied(remote) {
		t.Error("protected-mode no lets remote clients in")
	}
	if !strings.HasPrefix(deniedProtected, "-DENIED Redis is running in protected mode") || !strings.HasSuffix(deniedProtected, "outside.\r\n") {
		t.Error("DENIED text")
	}
}

// TestKeyAccessCoversCommands makes every command that touches data
// declare its keys for ACL checks: key positions, a key finder, or an
// explicit place among the whole-database commands.
func TestKeyAccessCoversCommands(t *testing.T) {
	s, err := Start(Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.table.forEachCommand(func(c *Command) {
		if c.Flags&(FlagRead|FlagWrite) == 0 || c.FirstKey > 0 {
			return
		}
		if _, ok := movableKeys[c.FullName()]; !ok && !keylessCommands[c.FullName()] {
			t.Errorf("%s touches data but declares no keys: give it key positions, or add it to movableKeys or keylessCommands (server/acl_keys.go)", c.FullName())
		}
	})
}
