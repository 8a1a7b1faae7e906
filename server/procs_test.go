package server

import (
	"runtime"
	"testing"
)

// TestIOThreadsSetsGoMaxProcs: the daemon's io-threads decides GOMAXPROCS,
// plus a thread while Pebble's background work runs; embedded servers and
// an explicit GOMAXPROCS leave it alone.
func TestIOThreadsSetsGoMaxProcs(t *testing.T) {
	prev := runtime.GOMAXPROCS(0)
	defer runtime.GOMAXPROCS(prev)
	t.Setenv("GOMAXPROCS", "")
	start := func(cfg Config, args ...string) {
		t.Helper()
		if err := ParseArgs(&cfg, args); err != nil {
			t.Fatal(err)
		}
		s, err := Start(cfg)
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
	}
	runtime.GOMAXPROCS(7)
	start(Config{}, "--io-threads", "3")
	if n := runtime.GOMAXPROCS(0); n != 7 {
		t.Fatalf("an embedded server set GOMAXPROCS to %d", n)
	}
	start(Config{SetGoMaxProcs: true}, "--io-threads", "3")
	if n := runtime.GOMAXPROCS(0); n != 3 {
		t.Fatalf("io-threads 3: GOMAXPROCS %d, want 3", n)
	}
	start(Config{SetGoMaxProcs: true, Engine: "pebble", Dir: t.TempDir()})
	if n := runtime.GOMAXPROCS(0); n != 1 {
		t.Fatalf("default io-threads on Pebble, no background work: GOMAXPROCS %d, want 1", n)
	}
	busy := backgroundProcs(Config{SetGoMaxProcs: true, IOThreads: 2})
	busy(true)
	if n := runtime.GOMAXPROCS(0); n != 3 {
		t.Fatalf("io-threads 2 with background work: GOMAXPROCS %d, want 3", n)
	}
	busy(false)
	if n := runtime.GOMAXPROCS(0); n != 2 {
		t.Fatalf("io-threads 2 after the background work: GOMAXPROCS %d, want 2", n)
	}
	t.Setenv("GOMAXPROCS", "5")
	runtime.GOMAXPROCS(5)
	start(Config{SetGoMaxProcs: true}, "--io-threads", "3")
	if n := runtime.GOMAXPROCS(0); n != 5 {
		t.Fatalf("with GOMAXPROCS=5 in the environment, GOMAXPROCS became %d", n)
	}
}
