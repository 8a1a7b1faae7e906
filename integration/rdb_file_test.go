package integration

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cairn-db/cairn/server"
	"github.com/cairn-db/cairn/server/servertest"
	"github.com/cairn-db/cairn/store"
)

// fillForRDB puts every generated value (dumpValues) on a server, in
// databases 0 and 2, a TTL on every third key, and a function library,
// and returns the keys by database.
func fillForRDB(t *testing.T, addr string) map[int][]string {
	t.Helper()
	keys := map[int][]string{}
	r := rand.New(rand.NewPCG(3, 4))
	for _, db := range []int{0, 2} {
		rdb := redis.NewClient(&redis.Options{Addr: addr, DB: db, Protocol: 3})
		for i, v := range dumpValues(r) {
			key := fmt.Sprintf("db%d:%d", db, i)
			v.fill(rdb, key)
			if i%3 == 0 {
				rdb.Expire(ctx, key, time.Hour)
			}
			keys[db] = append(keys[db], key)
		}
		rdb.Close()
	}
	rdb := newClient(t, addr)
	if err := rdb.FunctionLoad(ctx, "#!lua name=rdblib\nredis.register_function('rdbf', function() return 'from rdb' end)").Err(); err != nil {
		t.Fatal(err)
	}
	return keys
}

// rdbSnapshot renders the keys' contents and TTLs (to the hour) and the
// function libraries, to compare two servers.
func rdbSnapshot(t *testing.T, addr string, keys map[int][]string) string {
	t.Helper()
	var out []string
	for db, ks := range keys {
		rdb := redis.NewClient(&redis.Options{Addr: addr, DB: db, Protocol: 3})
		for _, k := range ks {
			ttl := rdb.TTL(ctx, k).Val().Round(time.Hour)
			out = append(out, fmt.Sprintf("%d %s %v %s", db, k, ttl, snapshot(t, rdb, k)))
		}
		n := rdb.DBSize(ctx).Val()
		out = append(out, fmt.Sprintf("%d dbsize %d", db, n))
		rdb.Close()
	}
	sort.Strings(out)
	got, err := newClient(t, addr).Do(ctx, "fcall", "rdbf", 0).Result()
	out = append(out, fmt.Sprintf("fcall %v %v", got, err))
	return strings.Join(out, "\n")
}

// TestRDBFileWithRedis moves a dataset of every type and encoding both
// ways as a whole RDB file: redis-server's SAVE loaded into Cairn with
// import-rdb, and Cairn's snapshot fetched with `redis-cli --rdb` loaded
// by redis-server at start.
func TestRDBFileWithRedis(t *testing.T) {
	requireRedis(t)
	cli, err := exec.LookPath("redis-cli")
	if err != nil {
		t.Skip("redis-cli not installed (Debian package redis-tools)")
	}

	// Redis to Cairn.
	rs := ownRedis(t)
	keys := fillForRDB(t, rs.addr)
	want := rdbSnapshot(t, rs.addr, keys)
	if err := newClient(t, rs.addr).Save(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	imported := servertest.Start(t, servertest.WithConfig(func(c *server.Config) {
		c.ImportRDB = filepath.Join(rs.dir, "dump.rdb")
	}))
	if got := rdbSnapshot(t, imported.Addr(), keys); got != want {
		t.Fatalf("Cairn after import-rdb of redis's dump:\n%s\nwant:\n%s", got, want)
	}

	// Cairn to Redis, through redis-cli --rdb (REPLCONF rdb-only, SYNC).
	cairn := servertest.Start(t)
	keys = fillForRDB(t, cairn.Addr())
	want = rdbSnapshot(t, cairn.Addr(), keys)
	dir := t.TempDir()
	_, port, _ := strings.Cut(cairn.Addr(), ":")
	if out, err := exec.Command(cli, "-p", port, "--rdb", filepath.Join(dir, "dump.rdb")).CombinedOutput(); err != nil {
		t.Fatalf("redis-cli --rdb: %v\n%s", err, out)
	}
	loaded, err := startRedis("--dir", dir, "--dbfilename", "dump.rdb")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(loaded.stop)
	if got := rdbSnapshot(t, loaded.addr, keys); got != want {
		t.Fatalf("redis-server loading Cairn's RDB:\n%s\nwant:\n%s", got, want)
	}
	// A would-be replica is refused: nothing would follow the snapshot.
	if err := newClient(t, cairn.Addr()).Do(ctx, "sync").Err(); err == nil || !strings.Contains(err.Error(), "does not replicate") {
		t.Fatalf("SYNC without rdb-only: %v", err)
	}
	// Nor does it follow another server.
	if err := newClient(t, cairn.Addr()).Do(ctx, "replicaof", "127.0.0.1", port).Err(); err == nil || !strings.Contains(err.Error(), "does not replicate") {
		t.Fatalf("REPLICAOF host port: %v", err)
	}
}

// TestImportRDBOnlyIntoEmptyStore: import-rdb seeds an empty store, is
// ignored once the store holds data (so it can stay configured across
// restarts), and a bad file stops the start.
func TestImportRDBOnlyIntoEmptyStore(t *testing.T) {
	src := servertest.Start(t)
	srcClient := newClient(t, src.Addr())
	srcClient.Set(ctx, "seed", "from the file", 0)
	dir := t.TempDir()
	file := filepath.Join(dir, "dump.rdb")
	if err := os.WriteFile(file, src.Store().WriteRDB(store.RDBOptions{}), 0o644); err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	cfg := func(c *server.Config) { c.ImportRDB = file }
	first := servertest.Start(t, servertest.WithDir(data), servertest.WithPebble("always"), servertest.WithConfig(cfg))
	c := newClient(t, first.Addr())
	if got := c.Get(ctx, "seed").Val(); got != "from the file" {
		t.Fatalf("after import: %q", got)
	}
	c.Set(ctx, "seed", "changed since", 0)
	first.Close()
	second := servertest.Start(t, servertest.WithDir(data), servertest.WithPebble("always"), servertest.WithConfig(cfg))
	if got := newClient(t, second.Addr()).Get(ctx, "seed").Val(); got != "changed since" {
		t.Fatalf("import-rdb ran again on a store with data: %q", got)
	}
	second.Close()

	os.WriteFile(file, []byte("REDIS0010garbage"), 0o644)
	_, err := server.Start(server.Config{Port: 0, Bind: []string{"127.0.0.1"}, Engine: "memory", ImportRDB: file})
	if err == nil || !strings.Contains(err.Error(), "import-rdb") {
		t.Fatalf("start with a bad RDB file: %v", err)
	}
}
