package server_test

import (
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/cairn-db/cairn/server"
	. "github.com/cairn-db/cairn/server/servertest"
)

// The shutdown directives and SHUTDOWN's option checks answer as Redis
// 7.0.15's do (replies taken from redis-server).
func TestShutdownDirectivesAndSyntax(t *testing.T) {
	fail := func(name, why string) string {
		return Err("ERR CONFIG SET failed (possibly related to argument '" + name + "') - " + why)
	}
	runSteps(t, []step{
		{"CONFIG GET shutdown-on-sigterm", Bulks("shutdown-on-sigterm", "default")},
		{"CONFIG SET shutdown-on-sigterm NOSAVE", OK},
		{"CONFIG GET shutdown-on-sigterm", Bulks("shutdown-on-sigterm", "nosave")},
		{"CONFIG SET shutdown-on-sigint force", OK},
		{"CONFIG GET shutdown-on-sigint", Bulks("shutdown-on-sigint", "force")},
		{"CONFIG SET shutdown-on-sigint default", OK},
		{"CONFIG GET shutdown-on-sigint", Bulks("shutdown-on-sigint", "default")},
		{"CONFIG SET shutdown-on-sigint bogus", fail("shutdown-on-sigint", "argument(s) must be one of the following: default, save, nosave, now, force")},
		{"CONFIG GET shutdown-timeout", Bulks("shutdown-timeout", "10")},
		{"CONFIG SET shutdown-timeout 0", OK},
		{"CONFIG GET shutdown-timeout", Bulks("shutdown-timeout", "0")},
		{"CONFIG SET shutdown-timeout -1", fail("shutdown-timeout", "argument must be between 0 and 2147483647 inclusive")},
		{"CONFIG GET rdb-key-*", Array()}, // hidden in Redis: by exact name only
		{"CONFIG GET rdb-key-save-delay", Bulks("rdb-key-save-delay", "0")},
		{"CONFIG SET rdb-key-save-delay -10", OK},
		{"CONFIG GET bind-source-addr", Bulks("bind-source-addr", "")},
		{"CONFIG SET bind-source-addr 127.0.0.2", OK},
		{"CONFIG GET bind-source-addr", Bulks("bind-source-addr", "127.0.0.2")},
		{"SHUTDOWN ABORT", Err("ERR No shutdown in progress.")},
		{"SHUTDOWN ABORT NOSAVE", Err("ERR syntax error")},
		{"SHUTDOWN SAVE NOSAVE", Err("ERR syntax error")},
		{"SHUTDOWN BOGUS", Err("ERR syntax error")},
		{"PING", Status("PONG")},
	})
	// Several flags, from the command line as CONFIG SET: multiple words.
	c := runSteps(t, nil)
	if got := c.Do("CONFIG", "SET", "shutdown-on-sigterm", "nosave now force"); got != OK {
		t.Fatalf("CONFIG SET shutdown-on-sigterm 'nosave now force' = %q", got)
	}
	if got := c.Do("CONFIG", "GET", "shutdown-on-sigterm"); got != Bulks("shutdown-on-sigterm", "nosave now force") {
		t.Fatalf("CONFIG GET shutdown-on-sigterm = %q", got)
	}
	if got := c.Do("CONFIG", "SET", "shutdown-on-sigterm", "save nosave"); got != fail("shutdown-on-sigterm", "shutdown options SAVE and NOSAVE can't be used simultaneously") {
		t.Fatalf("CONFIG SET shutdown-on-sigterm 'save nosave' = %q", got)
	}
}

// memoryWithSavePoints is a memory-engine server with save points and a
// slowed save: 100 ms per key.
func memoryWithSavePoints(t *testing.T, keys int) (*server.Server, *Conn, string) {
	dir := t.TempDir()
	srv := Start(t, WithConfig(func(c *server.Config) {
		c.Dir = dir
		c.Set("save", "900 1")
		c.Set("rdb-key-save-delay", "100000")
	}))
	c := Dial(t, srv.Addr())
	for i := 0; i < keys; i++ {
		c.Do("SET", "k"+strconv.Itoa(i), "v")
	}
	return srv, c, dir
}

// SHUTDOWN ABORT stops a SIGTERM's shutdown while it saves: the server
// keeps serving, and the signal's shutdown reports the failure.
func TestShutdownAbortWhileSaving(t *testing.T) {
	srv, c, dir := memoryWithSavePoints(t, 10) // a one-second save
	result := make(chan error, 1)
	go func() { result <- srv.ShutdownOnSignal(syscall.SIGTERM) }()
	waitForTempRDB(t, dir)
	if got := c.Do("SHUTDOWN", "ABORT"); got != OK {
		t.Fatalf("SHUTDOWN ABORT while saving = %q", got)
	}
	select {
	case err := <-result:
		if err == nil || err.Error() != "ERR Errors trying to SHUTDOWN. Check logs." {
			t.Fatalf("aborted shutdown = %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the aborted shutdown did not return")
	}
	select {
	case <-srv.Done():
		t.Fatal("the server closed after SHUTDOWN ABORT")
	default:
	}
	if got := c.Do("GET", "k0"); got != Bulk("v") {
		t.Fatalf("GET after the abort = %q", got)
	}
	if got := c.Do("SHUTDOWN", "ABORT"); got != Err("ERR No shutdown in progress.") {
		t.Fatalf("SHUTDOWN ABORT with none left = %q", got)
	}
}

// SHUTDOWN NOSAVE does not wait for a slowed BGSAVE: closing stops it,
// and it leaves neither its temporary file nor a dump.rdb, as Redis
// kills its saving child.
func TestShutdownNoSaveStopsBackgroundSave(t *testing.T) {
	srv, c, dir := memoryWithSavePoints(t, 50) // a five-second save
	if got := c.Do("BGSAVE"); got != Status("Background saving started") {
		t.Fatalf("BGSAVE = %q", got)
	}
	start := time.Now()
	c.Send("SHUTDOWN", "NOSAVE")
	select {
	case <-srv.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("SHUTDOWN NOSAVE did not close the server")
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("SHUTDOWN NOSAVE waited %v for the background save", d)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		t.Errorf("left in the data directory: %s", e.Name())
	}
}

// waitForTempRDB waits until a save has created its temporary file.
func waitForTempRDB(t *testing.T, dir string) {
	t.Helper()
	temp := filepath.Join(dir, "temp-"+strconv.Itoa(os.Getpid())+".rdb")
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if _, err := os.Stat(temp); err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the final save did not start")
		}
	}
}

// No write made while the final save runs is acknowledged, as none runs
// in Redis then: the saved file holds every change a client was told
// about.
func TestFinalSaveAcknowledgesNoLaterWrite(t *testing.T) {
	srv, c, dir := memoryWithSavePoints(t, 5) // a half-second save
	result := make(chan error, 1)
	go func() { result <- srv.ShutdownOnSignal(syscall.SIGTERM) }()
	waitForTempRDB(t, dir)
	c.Send("SET", "late", "v")
	if got, err := c.ReadErr(10 * time.Second); err == nil {
		t.Fatalf("SET during the final save got %q; want no reply", got)
	}
	if err := <-result; err != nil {
		t.Fatalf("shutdown: %v", err)
	}
}
