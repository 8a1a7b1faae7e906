package server_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/cockroachdb/pebble/v2/vfs/errorfs"

	"github.com/cairn-db/cairn/server"
	. "github.com/cairn-db/cairn/server/servertest"
	"github.com/cairn-db/cairn/store"
)

// TestKeyspaceCommandsPersist: every command that changes keys wholesale
// (expiry, FLUSHDB, FLUSHALL, SWAPDB, RENAME, MOVE, COPY) leaves the same
// keyspace after a restart, with absolute TTLs, and keys that expire
// while the server is down do not come back.
func TestKeyspaceCommandsPersist(t *testing.T) {
	dir := t.TempDir()
	clock := NewClock()
	srv := Start(t, WithDir(dir), WithClock(clock))
	c := Dial(t, srv.Addr())
	for _, cmd := range []string{
		"SET a 1", "SET b 2 PX 100000", "SET gone x PX 500", "SET later y PX 5000",
		"RENAME a a2", "COPY b b2 DB 3", "MOVE b2 4", "SET m v", "MOVE m 1",
		"SELECT 1", "SET one 1", "SET two 2", "SELECT 2", "SET doomed 1", "FLUSHDB",
		"SELECT 5", "SET s5 five", "SWAPDB 5 6", "SELECT 0",
		"SET e 1", "EXPIRE e 100", "PERSIST e", "SET p 1", "PEXPIREAT p 99999999999999",
		"SET del 1", "DEL del", "SET inc 1", "INCRBY inc 41", "APPEND a2 xyz",
	} {
		if got := c.Do(strings.Fields(cmd)...); strings.HasPrefix(got, "-") {
			t.Fatalf("%s: %q", cmd, got)
		}
	}
	clock.FastForward(time.Second) // "gone" expires, actively deleted
	before := srv.Store().Dump()
	if strings.Contains(before, "gone") {
		t.Fatalf("expired key still in the keyspace:\n%s", before)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	srv = Start(t, WithDir(dir), WithClock(clock))
	if after := srv.Store().Dump(); after != before {
		t.Fatalf("keyspace changed across restart\nbefore:\n%s\nafter:\n%s", before, after)
	}
	c = Dial(t, srv.Addr())
	if got := c.Do("PEXPIRETIME", "p"); got != Int(99999999999999) {
		t.Fatalf("PEXPIRETIME after restart = %q", got)
	}
	srv.Close()

	clock.FastForward(10 * time.Second) // "later" expires while the server is down
	srv = Start(t, WithDir(dir), WithClock(clock))
	c = Dial(t, srv.Addr())
	if got := c.Do("EXISTS", "later"); got != Int(0) {
		t.Fatalf("key that expired while down came back: %q", got)
	}
	if got := c.Do("FLUSHALL"); got != OK {
		t.Fatal(got)
	}
	srv.Close()
	srv = Start(t, WithDir(dir), WithClock(clock))
	if d := srv.Store().Dump(); d != "" {
		t.Fatalf("FLUSHALL not persisted:\n%s", d)
	}
}

// TestSaveCheckpointIsStartable: SAVE and BGSAVE write checkpoints a user
// can copy and start a server from.
func TestSaveCheckpointIsStartable(t *testing.T) {
	ckpt := t.TempDir()
	srv := Start(t, WithPebble("everysec"), WithConfig(func(c *server.Config) { c.CheckpointDir = ckpt }))
	c := Dial(t, srv.Addr())
	c.Do("SET", "a", "1")
	c.Do("SELECT", "3")
	c.Do("SET", "in3", "x")
	if got := c.Do("SAVE"); got != OK {
		t.Fatalf("SAVE = %q", got)
	}
	last := c.Do("LASTSAVE")
	if !strings.HasPrefix(last, ":") || last == Int(0) {
		t.Fatalf("LASTSAVE = %q", last)
	}
	if got := c.Do("INFO", "persistence"); !strings.Contains(got, "rdb_changes_since_last_save:0\r\n") || !strings.Contains(got, "aof_enabled:1\r\n") {
		t.Fatalf("INFO persistence after SAVE:\n%s", got)
	}
	c.Do("SET", "after", "save")
	if got := c.Do("INFO", "persistence"); !strings.Contains(got, "rdb_changes_since_last_save:1\r\n") {
		t.Fatalf("INFO persistence after a write:\n%s", got)
	}
	if got := c.Do("BGSAVE"); got != "+Background saving started\r\n" {
		t.Fatalf("BGSAVE = %q", got)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(c.Do("INFO", "persistence"), "rdb_bgsave_in_progress:0\r\n") {
		if time.Now().After(deadline) {
			t.Fatal("BGSAVE did not finish")
		}
		time.Sleep(10 * time.Millisecond)
	}
	saves, _ := os.ReadDir(ckpt)
	if len(saves) != 2 {
		t.Fatalf("%d checkpoints in %s, want 2", len(saves), ckpt)
	}
	// Start from a copy of the first checkpoint, as a user restoring a backup.
	restored := filepath.Join(t.TempDir(), "restored")
	if out, err := exec.Command("cp", "-r", filepath.Join(ckpt, saves[0].Name()), restored).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v %s", err, out)
	}
	r := Dial(t, Start(t, WithDir(restored)).Addr())
	if got := r.Do("GET", "a"); got != Bulk("1") {
		t.Fatalf("restored GET a = %q", got)
	}
	if got := r.Do("EXISTS", "after"); got != Int(0) {
		t.Fatalf("restored checkpoint has a write made after SAVE: %q", got)
	}
	r.Do("SELECT", "3")
	if got := r.Do("GET", "in3"); got != Bulk("x") {
		t.Fatalf("restored GET in3 = %q", got)
	}
}

// TestBgRewriteAOFFolds: BGREWRITEAOF folds the journal into Pebble in
// the background (INFO counts the fold), and the data survives a restart
// from Pebble alone.
func TestBgRewriteAOFFolds(t *testing.T) {
	dir := t.TempDir()
	srv := Start(t, WithDir(dir))
	c := Dial(t, srv.Addr())
	c.Do("SET", "a", "1")
	c.Do("RPUSH", "q", "x", "y")
	folds := func() string {
		for _, l := range strings.Split(c.Do("INFO", "persistence"), "\r\n") {
			if strings.HasPrefix(l, "cairn_journal_folds:") {
				return l
			}
		}
		return ""
	}
	before := folds()
	if got := c.Do("BGREWRITEAOF"); got != "+Background append only file rewriting started\r\n" {
		t.Fatalf("BGREWRITEAOF = %q", got)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(c.Do("INFO", "persistence"), "aof_rewrite_in_progress:0\r\n") || folds() == before {
		if time.Now().After(deadline) {
			t.Fatalf("BGREWRITEAOF did not fold: %s, before %s", folds(), before)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if got := c.Do("INFO", "persistence"); !strings.Contains(got, "aof_last_bgrewrite_status:ok\r\n") {
		t.Fatalf("INFO persistence after BGREWRITEAOF:\n%s", got)
	}
	want := srv.Store().Dump()
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if got := Start(t, WithDir(dir)).Store().Dump(); got != want {
		t.Fatalf("after BGREWRITEAOF and a restart:\n%s\nwant:\n%s", got, want)
	}
}

// On the memory engine SAVE and BGSAVE write <dir>/<dbfilename> as an
// RDB file, as redis-server does; a server importing it has the same
// dataset.
func TestSaveWritesRDBOnMemoryEngine(t *testing.T) {
	dir := t.TempDir()
	srv := Start(t, WithConfig(func(c *server.Config) {
		c.Dir = dir
		c.Set("enable-protected-configs", "local") // for CONFIG SET dbfilename
	}))
	c := Dial(t, srv.Addr())
	c.Do("RPUSH", "l", "a", "b")
	c.Do("SET", "s", "v", "EX", "1000")
	c.Do("SELECT", "3")
	c.Do("HSET", "h", "f", "v")
	if got := c.Do("SAVE"); got != OK {
		t.Fatalf("SAVE = %q", got)
	}
	path := filepath.Join(dir, "dump.rdb")
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("SAVE wrote no dump.rdb: %v", err)
	}
	if got := c.Do("CONFIG", "SET", "dbfilename", "other.rdb"); got != OK {
		t.Fatalf("CONFIG SET dbfilename = %q", got)
	}
	if got := c.Do("BGSAVE"); got != Status("Background saving started") {
		t.Fatalf("BGSAVE = %q", got)
	}
	other := filepath.Join(dir, "other.rdb")
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		info := c.Do("INFO", "persistence")
		if _, err := os.Stat(other); err == nil && strings.Contains(info, "rdb_bgsave_in_progress:0\r\n") {
			if !strings.Contains(info, "rdb_last_bgsave_status:ok\r\n") {
				t.Fatalf("INFO persistence after BGSAVE:\n%s", info)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("BGSAVE wrote no other.rdb")
		}
	}
	if got := c.Do("BGSAVE", "now"); got != Err("ERR syntax error") {
		t.Fatalf("BGSAVE now = %q", got)
	}
	if got := c.Do("BGREWRITEAOF"); got != Err("ERR BGREWRITEAOF needs the pebble engine; this server runs with --engine memory") {
		t.Fatalf("BGREWRITEAOF = %q", got)
	}
	want := srv.Store().Dump()
	for _, f := range []string{path, other} {
		again := Start(t, WithConfig(func(c *server.Config) { c.ImportRDB = f }))
		if got := again.Store().Dump(); got != want {
			t.Fatalf("imported %s:\n%s\nwant:\n%s", f, got, want)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("dir holds %d files, want dump.rdb and other.rdb (no temp file left)", len(entries))
	}
}

func TestAppendFsyncConfig(t *testing.T) {
	c := runSteps(t, []step{
		{"CONFIG GET appendfsync", Bulks("appendfsync", "everysec")},
		{"CONFIG SET appendfsync always", OK},
		{"CONFIG GET appendfsync", Bulks("appendfsync", "always")},
		{"CONFIG SET appendfsync sometimes", Err("ERR CONFIG SET failed (possibly related to argument 'appendfsync') - argument(s) must be one of the following: everysec, always, no")},
		{"SET k v", OK},
	}, WithPebble(""))
	if got := c.Do("INFO", "persistence"); !strings.Contains(got, "cairn_appendfsync:always\r\n") {
		t.Fatalf("INFO persistence:\n%s", got)
	}
}

// TestPipelineSharesOneBarrier: a pipeline of writes under appendfsync
// always waits for one journal fsync, not one per command.
func TestPipelineSharesOneBarrier(t *testing.T) {
	srv := Start(t, WithPebble("always"))
	c := Dial(t, srv.Addr())
	barriers := func() int {
		info := c.Do("INFO", "persistence")
		_, rest, _ := strings.Cut(info, "cairn_wal_barriers:")
		n, _ := strconv.Atoi(rest[:strings.Index(rest, "\r")])
		return n
	}
	start := barriers()
	var pipe strings.Builder
	const n = 200
	for i := 0; i < n; i++ {
		pipe.WriteString(EncodeCommand("SET", "k"+strconv.Itoa(i), "v"))
	}
	c.Write(pipe.String())
	for i := 0; i < n; i++ {
		if got := c.Read(); got != OK {
			t.Fatalf("reply %d = %q", i, got)
		}
	}
	if used := barriers() - start; used < 1 || used > n/10 {
		t.Fatalf("%d pipelined writes used %d journal barriers", n, used)
	}
}

// TestWriteErrorAnswersMisconf: once the journal cannot be written, the write
// that hit the error is not acknowledged (its connection is closed),
// later writes get MISCONF, reads keep working, and every acknowledged
// write is there after a restart.
func TestWriteErrorAnswersMisconf(t *testing.T) {
	mem := vfs.NewMem()
	toggle := &errorfs.Toggle{Injector: errorfs.InjectorFunc(func(op errorfs.Op) error {
		if strings.HasSuffix(op.Path, ".journal") && (op.Kind == errorfs.OpFileWrite || op.Kind == errorfs.OpFileSyncData || op.Kind == errorfs.OpFileSync) {
			return errorfs.ErrInjected
		}
		return nil
	})}
	withFS := func(fs vfs.FS) Option {
		return WithConfig(func(c *server.Config) { c.FS = fs; c.Engine = "pebble"; c.Dir = "data"; c.AppendFsync = "always" })
	}
	srv := Start(t, withFS(errorfs.Wrap(mem, toggle)))
	c := Dial(t, srv.Addr())
	if got := c.Do("SET", "a", "1"); got != OK {
		t.Fatal(got)
	}
	toggle.On()
	c.Send("SET", "b", "2")
	if got, err := c.ReadErr(5 * time.Second); err == nil {
		t.Fatalf("write on a failing disk answered %q", got)
	}
	c = Dial(t, srv.Addr())
	if got := c.Do("SET", "c", "3"); !strings.HasPrefix(got, "-MISCONF Errors writing to the AOF file: ") {
		t.Fatalf("write after the error = %q", got)
	}
	if got := c.Do("GET", "a"); got != Bulk("1") {
		t.Fatalf("read after the error = %q", got)
	}
	if got := c.Do("INFO", "persistence"); !strings.Contains(got, "aof_last_write_status:err\r\n") {
		t.Fatalf("INFO persistence:\n%s", got)
	}
	srv.Close()
	toggle.Off()
	c = Dial(t, Start(t, withFS(mem)).Addr())
	if got := c.Do("GET", "a"); got != Bulk("1") {
		t.Fatalf("acknowledged write lost: GET a = %q", got)
	}
}

// TestReadWaitsForTheWriteItSaw: a client that reads a write whose fsync
// is still running gets its reply only once that write is durable, as in
// Redis, where the fsync happens before any reply of the loop iteration.
func TestReadWaitsForTheWriteItSaw(t *testing.T) {
	const delay = 300 * time.Millisecond
	slow := &errorfs.Toggle{Injector: errorfs.InjectorFunc(func(op errorfs.Op) error {
		if strings.HasSuffix(op.Path, ".journal") && (op.Kind == errorfs.OpFileSyncData || op.Kind == errorfs.OpFileSync) {
			time.Sleep(delay)
		}
		return nil
	})}
	srv := Start(t, WithConfig(func(c *server.Config) {
		c.FS = errorfs.Wrap(vfs.NewMem(), slow)
		c.Engine, c.Dir, c.AppendFsync = "pebble", "data", "always"
	}))
	writer, reader := Dial(t, srv.Addr()), Dial(t, srv.Addr())
	slow.On()
	writer.Send("SET", "k", "v")
	time.Sleep(delay / 6) // the SET has run; its fsync has not finished
	start := time.Now()
	if got := reader.Do("GET", "k"); got != Bulk("v") {
		t.Fatalf("GET = %q", got)
	}
	if waited := time.Since(start); waited < delay/2 {
		t.Fatalf("GET of a write not yet durable answered after %v, before the write's fsync", waited)
	}
	if got := writer.Read(); got != OK {
		t.Fatalf("SET = %q", got)
	}
}

// TestPebbleMetricsExported: a server on the Pebble engine exports the
// engine's figures (the collector is wired to the real engine).
func TestPebbleMetricsExported(t *testing.T) {
	srv := Start(t, WithPebble("always"))
	c := Dial(t, srv.Addr())
	c.Do("SET", "k", "v")
	mfs, err := srv.MetricsRegistry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	for _, mf := range mfs {
		found[mf.GetName()] = true
		if mf.GetName() == "cairn_engine_wal_fsync_duration_seconds" && mf.Metric[0].Histogram.GetSampleCount() == 0 {
			t.Error("no fsync observed after a write under appendfsync always")
		}
	}
	for _, name := range []string{"cairn_engine_disk_usage_bytes", "cairn_engine_wal_fsync_duration_seconds", "cairn_engine_wal_barriers_total", "cairn_engine_compactions_total"} {
		if !found[name] {
			t.Errorf("metric %s not exported", name)
		}
	}
}

// TestMemoryEngineCountsChanges: with the memory engine, which has no
// save, rdb_changes_since_last_save counts key changes since start, and a
// SETBIT or BITFIELD that leaves the value as it was is no change (Redis's
// dirty counter, which the test suite reads).
func TestMemoryEngineCountsChanges(t *testing.T) {
	c := Dial(t, Start(t).Addr())
	changes := func() int {
		info := c.Do("INFO", "persistence")
		i := strings.Index(info, "rdb_changes_since_last_save:")
		if i < 0 {
			t.Fatalf("INFO persistence:\n%s", info)
		}
		n, _ := strconv.Atoi(strings.TrimSpace(info[i+len("rdb_changes_since_last_save:") : i+strings.Index(info[i:], "\r\n")]))
		return n
	}
	base := changes()
	c.Do("SETBIT", "foo", "0", "0")
	c.Do("BITFIELD", "foo2", "SET", "i5", "0", "0")
	if got := changes(); got != base+2 {
		t.Fatalf("after creating two keys: %d changes, want %d", got, base+2)
	}
	c.Do("SETBIT", "foo", "0", "0")
	c.Do("BITFIELD", "foo2", "SET", "i5", "0", "0")
	if got := changes(); got != base+2 {
		t.Fatalf("after unchanged writes: %d changes, want %d", got, base+2)
	}
	c.Do("SETBIT", "foo", "0", "1")
	c.Do("SETBIT", "foo", "0", "1")
	c.Do("BITFIELD", "foo2", "SET", "i5", "0", "1")
	if got := changes(); got != base+4 {
		t.Fatalf("after one change each: %d changes, want %d", got, base+4)
	}
}

// dir and dbfilename are protected settings, as in Redis: CONFIG SET
// refuses them unless enable-protected-configs allows it, since they let
// a client choose where the server writes files.
func TestProtectedConfigsRefused(t *testing.T) {
	c := Dial(t, Start(t).Addr())
	for _, name := range []string{"dbfilename", "dir"} {
		want := "-ERR CONFIG SET failed (possibly related to argument '" + name + "') - can't set protected config\r\n"
		if got := c.Do("CONFIG", "SET", name, "x"); got != want {
			t.Errorf("CONFIG SET %s = %q, want %q", name, got, want)
		}
	}
}

// Save points save on their own, as Redis's serverCron: with "save 1 2"
// the memory engine writes dump.rdb once two changes are made and a
// second has passed, and not before the second change.
func TestSavePointsSaveInTheBackground(t *testing.T) {
	dir := t.TempDir()
	srv := Start(t, WithConfig(func(c *server.Config) {
		c.Dir = dir
		c.Set("save", "1 2")
	}))
	c := Dial(t, srv.Addr())
	path := filepath.Join(dir, "dump.rdb")
	c.Do("SET", "a", "1")
	time.Sleep(2500 * time.Millisecond) // past the second, one change short
	if _, err := os.Stat(path); err == nil {
		t.Fatal("saved with one change of the two the save point asks for")
	}
	c.Do("SET", "b", "2")
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := os.Stat(path); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no dump.rdb 10 s after the save point was reached")
		}
		time.Sleep(50 * time.Millisecond)
	}
	for time.Now().Before(deadline) && !strings.Contains(c.Do("INFO", "persistence"), "rdb_changes_since_last_save:0\r\n") {
		time.Sleep(50 * time.Millisecond)
	}
	if info := c.Do("INFO", "persistence"); !strings.Contains(info, "rdb_changes_since_last_save:0\r\n") {
		t.Errorf("after the save: %s", info)
	}
}

// With save points, FLUSHALL writes the emptied dataset at once, as
// Redis's: a crash before the next save cannot bring the keys back, and
// rdb_changes_since_last_save starts again from 0.
func TestFlushAllSavesWithSavePoints(t *testing.T) {
	dir := t.TempDir()
	srv := Start(t, WithConfig(func(c *server.Config) {
		c.Dir = dir
		c.Set("save", "3600 1")
	}))
	c := Dial(t, srv.Addr())
	c.Do("SET", "flushed-key", "v")
	if got := c.Do("SAVE"); got != OK {
		t.Fatalf("SAVE = %q", got)
	}
	path := filepath.Join(dir, "dump.rdb")
	if b, _ := os.ReadFile(path); !bytes.Contains(b, []byte("flushed-key")) {
		t.Fatal("SAVE's dump.rdb lacks the key")
	}
	c.Do("SET", "other", "v")
	if got := c.Do("FLUSHALL"); got != OK {
		t.Fatalf("FLUSHALL = %q", got)
	}
	if b, _ := os.ReadFile(path); bytes.Contains(b, []byte("flushed-key")) {
		t.Error("dump.rdb still holds the flushed key after FLUSHALL")
	}
	if info := c.Do("INFO", "persistence"); !strings.Contains(info, "rdb_changes_since_last_save:0\r\n") {
		t.Errorf("after FLUSHALL: %s", info)
	}
}

// BGSAVE's file is the dataset at its reply, as Redis's fork is: inside
// MULTI, the writes queued behind it, which run before the save can take
// the keyspace lock, are not in it. With FLUSHALL among them (and save
// points set) the save is dropped and the file holds the emptied
// dataset, as Redis kills its saving child and saves again.
func TestBGSaveIsTheDatasetAtItsReply(t *testing.T) {
	for _, flush := range []bool{false, true} {
		t.Run(fmt.Sprint("flushall=", flush), func(t *testing.T) {
			dir := t.TempDir()
			srv := Start(t, WithConfig(func(c *server.Config) {
				c.Dir = dir
				if flush {
					c.Set("save", "3600 1")
				}
			}))
			c := Dial(t, srv.Addr())
			const n = 20000
			before, after := []string{"MSET"}, []string{"MSET"}
			for i := range n {
				before = append(before, fmt.Sprint("k", i), "before")
				after = append(after, fmt.Sprint("k", i), "after")
			}
			if got := c.Do(before...); got != OK {
				t.Fatalf("MSET = %q", got)
			}
			queued := [][]string{{"BGSAVE"}, after, {"DEL", "k1"}, {"SET", "new", "x"}}
			if flush {
				queued = append(queued, []string{"FLUSHALL"})
			}
			c.Do("MULTI")
			for _, cmd := range queued {
				if got := c.Do(cmd...); got != Status("QUEUED") {
					t.Fatalf("%s = %q", cmd[0], got)
				}
			}
			if got := c.Do("EXEC"); !strings.Contains(got, "Background saving started") {
				t.Fatalf("EXEC = %q", got)
			}
			deadline := time.Now().Add(20 * time.Second)
			for strings.Contains(c.Do("INFO", "persistence"), "rdb_bgsave_in_progress:1") {
				if time.Now().After(deadline) {
					t.Fatal("BGSAVE still running after 20 s")
				}
				time.Sleep(20 * time.Millisecond)
			}
			if info := c.Do("INFO", "persistence"); !strings.Contains(info, "rdb_last_bgsave_status:ok") {
				t.Fatalf("after the save: %s", info)
			}
			file, err := os.ReadFile(filepath.Join(dir, "dump.rdb"))
			if err != nil {
				t.Fatal(err)
			}
			s, err := store.Open(store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			keys, err := s.ImportRDB(file, func(string) (string, error) { return "", nil })
			if err != nil {
				t.Fatal(err)
			}
			want := n
			if flush {
				want = 0
			}
			if keys != want {
				t.Fatalf("dump.rdb holds %d keys, want %d", keys, want)
			}
			if flush {
				return
			}
			s.View(0, func(tx *store.Tx) error {
				for _, k := range []string{"k0", "k1", fmt.Sprint("k", n-1)} {
					if v, ok, _ := tx.Get([]byte(k)); !ok || string(v) != "before" {
						t.Errorf("%s = %q (present %v) in dump.rdb, want %q", k, v, ok, "before")
					}
				}
				if _, ok, _ := tx.Get([]byte("new")); ok {
					t.Error("dump.rdb holds a key set after BGSAVE")
				}
				return nil
			})
		})
	}
}

// SAVE and BGSAVE from two clients at once, over and over, on the memory
// engine: each answers (done, or "already in progress") and neither
// waits for the other for ever. (A BGSAVE that fixed its point in time
// while a SAVE held the file waited for it, and the SAVE for the
// BGSAVE's walk to end.)
func TestSaveAndBGSaveTogether(t *testing.T) {
	srv := Start(t, WithConfig(func(c *server.Config) { c.Dir = t.TempDir() }))
	setup := Dial(t, srv.Addr())
	args := []string{"MSET"}
	for i := range 50000 {
		args = append(args, fmt.Sprint("k", i), "v")
	}
	setup.Do(args...)
	a, b := Dial(t, srv.Addr()), Dial(t, srv.Addr())
	for range 40 {
		for strings.Contains(setup.Do("INFO", "persistence"), "rdb_bgsave_in_progress:1") {
			time.Sleep(time.Millisecond)
		}
		a.Write(EncodeCommand("SAVE"))
		b.Write(EncodeCommand("BGSAVE"))
		for _, r := range []struct {
			c    *Conn
			want []string
		}{{a, []string{OK, Err("ERR Background save already in progress")}},
			{b, []string{Status("Background saving started"), Err("ERR Background save already in progress")}}} {
			got, err := r.c.ReadErr(10 * time.Second)
			if err != nil {
				t.Fatalf("no reply within 10 s: %v", err)
			}
			if got != r.want[0] && got != r.want[1] {
				t.Fatalf("reply %q, want one of %q", got, r.want)
			}
		}
	}
}
