package server

import (
	"net"
	"strings"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/cairn-db/cairn/store/pebblestore"
)

func TestEngineCollector(t *testing.T) {
	eng, err := pebblestore.Open("data", pebblestore.Options{FS: vfs.NewMem(), Sync: pebblestore.SyncAlways})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	for i := 0; i < 100; i++ {
		b := eng.NewBatch()
		b.Set([]byte{byte(i)}, []byte("v"))
		if err := eng.Commit(b); err != nil {
			t.Fatal(err)
		}
		if err := eng.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(newEngineCollector(eng))
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	if len(mfs) != 6 {
		t.Errorf("engine series = %d, want 6", len(mfs))
	}
	for _, mf := range mfs {
		if mf.GetName() == "cairn_engine_wal_sync_duration_seconds" && mf.Metric[0].Histogram.GetSampleCount() < 100 {
			t.Errorf("WAL syncs counted: %d", mf.Metric[0].Histogram.GetSampleCount())
		}
	}
	// The memory engine exports nothing.
	reg2 := prometheus.NewPedanticRegistry()
	reg2.MustRegister(newEngineCollector(nil))
	if mfs, _ := reg2.Gather(); len(mfs) != 0 {
		t.Errorf("memory engine series = %d", len(mfs))
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
