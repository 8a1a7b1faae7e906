package integration

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// crashType is one data type in the crash tests: how a worker makes its
// i-th acknowledged write, and how to check after the restart that its
// first n writes are all there. Adding a type is one entry; entries whose
// command the server does not have yet are skipped.
type crashType struct {
	name  string
	probe string // a command the type needs
	write func(rdb *redis.Client, w, i int) error
	check func(rdb *redis.Client, w, n int) error
	setup func(rdb *redis.Client, w int) error // optional, before the writes
}

var crashTypes = []crashType{
	{"string", "set",
		func(rdb *redis.Client, w, i int) error {
			return rdb.Set(ctx, fmt.Sprintf("s:%d:%d", w, i), i, 0).Err()
		},
		func(rdb *redis.Client, w, n int) error {
			for i := 0; i < n; i++ {
				if v, err := rdb.Get(ctx, fmt.Sprintf("s:%d:%d", w, i)).Result(); err != nil || v != strconv.Itoa(i) {
					return fmt.Errorf("GET s:%d:%d = %q, %v", w, i, v, err)
				}
			}
			return nil
		}, nil},
	{"counter", "incr",
		func(rdb *redis.Client, w, i int) error { return rdb.Incr(ctx, fmt.Sprintf("n:%d", w)).Err() },
		func(rdb *redis.Client, w, n int) error {
			v, err := rdb.Get(ctx, fmt.Sprintf("n:%d", w)).Int()
			if n > 0 && (err != nil || v < n) {
				return fmt.Errorf("counter n:%d = %d, %v; %d increments acknowledged", w, v, err, n)
			}
			return nil
		}, nil},
	{"list", "rpush",
		func(rdb *redis.Client, w, i int) error { return rdb.RPush(ctx, fmt.Sprintf("l:%d", w), i).Err() },
		func(rdb *redis.Client, w, n int) error {
			return checkSeq(rdb.LRange(ctx, fmt.Sprintf("l:%d", w), 0, -1).Result())(n)
		}, nil},
	{"hash", "hset",
		func(rdb *redis.Client, w, i int) error {
			return rdb.HSet(ctx, fmt.Sprintf("h:%d", w), strconv.Itoa(i), i).Err()
		},
		func(rdb *redis.Client, w, n int) error {
			m, err := rdb.HGetAll(ctx, fmt.Sprintf("h:%d", w)).Result()
			for i := 0; i < n; i++ {
				if err != nil || m[strconv.Itoa(i)] != strconv.Itoa(i) {
					return fmt.Errorf("h:%d field %d missing (%v)", w, i, err)
				}
			}
			return nil
		}, nil},
	{"set", "sadd",
		func(rdb *redis.Client, w, i int) error { return rdb.SAdd(ctx, fmt.Sprintf("set:%d", w), i).Err() },
		func(rdb *redis.Client, w, n int) error {
			c, err := rdb.SCard(ctx, fmt.Sprintf("set:%d", w)).Result()
			if err != nil || c < int64(n) {
				return fmt.Errorf("SCARD set:%d = %d, %v; %d adds acknowledged", w, c, err, n)
			}
			return nil
		}, nil},
	{"zset", "zadd",
		func(rdb *redis.Client, w, i int) error {
			return rdb.ZAdd(ctx, fmt.Sprintf("z:%d", w), redis.Z{Score: float64(i), Member: strconv.Itoa(i)}).Err()
		},
		func(rdb *redis.Client, w, n int) error {
			return checkSeq(rdb.ZRange(ctx, fmt.Sprintf("z:%d", w), 0, -1).Result())(n)
		}, nil},
	{"stream", "xadd",
		func(rdb *redis.Client, w, i int) error {
			return rdb.XAdd(ctx, &redis.XAddArgs{Stream: fmt.Sprintf("x:%d", w), Values: []any{"i", i}}).Err()
		},
		func(rdb *redis.Client, w, n int) error {
			msgs, err := rdb.XRange(ctx, fmt.Sprintf("x:%d", w), "-", "+").Result()
			vals := make([]string, len(msgs))
			for j, m := range msgs {
				vals[j], _ = m.Values["i"].(string)
			}
			return checkSeq(vals, err)(n)
		}, nil},
	{"stream-ack", "xack",
		// One acknowledged write is a whole consumer step: XADD, XREADGROUP,
		// and the XACK that answered 1.
		func(rdb *redis.Client, w, i int) error {
			key := fmt.Sprintf("q:%d", w)
			if err := rdb.XAdd(ctx, &redis.XAddArgs{Stream: key, Values: []any{"i", i}}).Err(); err != nil {
				return err
			}
			res, err := rdb.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "g", Consumer: "c", Streams: []string{key, ">"}, Count: 1}).Result()
			if err != nil {
				return err
			}
			if len(res) != 1 || len(res[0].Messages) != 1 {
				return fmt.Errorf("XREADGROUP got %v", res)
			}
			n, err := rdb.XAck(ctx, key, "g", res[0].Messages[0].ID).Result()
			if err == nil && n != 1 {
				err = fmt.Errorf("XACK = %d", n)
			}
			return err
		},
		func(rdb *redis.Client, w, n int) error {
			key := fmt.Sprintf("q:%d", w)
			p, err := rdb.XPending(ctx, key, "g").Result()
			if err != nil {
				return err
			}
			// Only the entry in flight at the kill may still be pending.
			if p.Count > 1 {
				return fmt.Errorf("%d entries pending after %d acknowledged XACKs", p.Count, n)
			}
			l, err := rdb.XLen(ctx, key).Result()
			if err != nil || l < int64(n) {
				return fmt.Errorf("XLEN %s = %d, %v; %d entries acknowledged", key, l, err, n)
			}
			return nil
		},
		func(rdb *redis.Client, w int) error {
			return rdb.XGroupCreateMkStream(ctx, fmt.Sprintf("q:%d", w), "g", "$").Err()
		}},
}

// checkSeq checks that vals starts with "0", "1", … "n-1" (an
// unacknowledged write may follow).
func checkSeq(vals []string, err error) func(n int) error {
	return func(n int) error {
		if err != nil {
			return err
		}
		if len(vals) < n {
			return fmt.Errorf("%d elements, %d acknowledged", len(vals), n)
		}
		for i := 0; i < n; i++ {
			if vals[i] != strconv.Itoa(i) {
				return fmt.Errorf("element %d = %q", i, vals[i])
			}
		}
		return nil
	}
}

// availableTypes returns the crash types whose commands the server has.
func availableTypes(t *testing.T, rdb *redis.Client) []crashType {
	var out []crashType
	for _, ct := range crashTypes {
		info, err := rdb.Do(ctx, "COMMAND", "INFO", ct.probe).Slice()
		if err == nil && len(info) == 1 && info[0] != nil {
			out = append(out, ct)
		} else {
			t.Logf("crash test: skipping type %s (no %s command yet)", ct.name, strings.ToUpper(ct.probe))
		}
	}
	return out
}

func crashClient(addr string) *redis.Client {
	// No retries: a write retried on a new connection after the kill
	// would blur which writes were acknowledged.
	return redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DisableIdentity: true, PoolSize: 32})
}

// TestCrashLosesNoAcknowledgedWrite: clients write concurrently, the
// server is SIGKILLed at a random moment, and after a restart every write
// that was acknowledged is there — in every appendfsync mode, because a
// reply leaves only after its write reached the OS (always: the disk).
//
// The journal is folded into Pebble every 16 KiB, so the kill usually
// lands while a fold runs, and the restart replays a fold's segments over
// a Pebble that holds part of them.
func TestCrashLosesNoAcknowledgedWrite(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the binary several times")
	}
	for _, mode := range []string{"always", "everysec", "no"} {
		t.Run(mode, func(t *testing.T) {
			dir := t.TempDir()
			p := startCairn(t, "--dir", dir, "--appendfsync", mode, "--auto-aof-rewrite-min-size", "16kb")
			rdb := crashClient(p.addr)
			defer rdb.Close()
			types := availableTypes(t, rdb)
			const workers = 16
			acked := make([]int, workers)
			for w := 0; w < workers; w++ {
				if ct := types[w%len(types)]; ct.setup != nil {
					if err := ct.setup(rdb, w); err != nil {
						t.Fatalf("setup %s: %v", ct.name, err)
					}
				}
			}
			var wg sync.WaitGroup
			for w := 0; w < workers; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					ct := types[w%len(types)]
					for i := 0; ; i++ {
						if err := ct.write(rdb, w, i); err != nil {
							return // the server is gone
						}
						acked[w] = i + 1
					}
				}()
			}
			time.Sleep(time.Duration(300+rand.IntN(700)) * time.Millisecond)
			info := rdb.Info(ctx, "persistence").Val()
			p.kill()
			wg.Wait()
			if strings.Contains(info, "cairn_journal_folds:0\r\n") {
				t.Fatalf("no journal fold before the kill:\n%s", info)
			}

			p = startCairn(t, "--dir", dir, "--appendfsync", mode)
			rdb2 := crashClient(p.addr)
			defer rdb2.Close()
			total := 0
			for w := 0; w < workers; w++ {
				ct := types[w%len(types)]
				total += acked[w]
				if err := ct.check(rdb2, w, acked[w]); err != nil {
					t.Errorf("worker %d (%s): acknowledged write lost after SIGKILL: %v", w, ct.name, err)
				}
			}
			if total == 0 {
				t.Fatal("no write was acknowledged before the kill")
			}
			t.Logf("%s: %d acknowledged writes, all present after SIGKILL", mode, total)
			p.stop(t)
		})
	}
}

// TestSIGKILLRestartKeepsKeyspace is the restart property against the
// real binary: random commands of every available type, SIGKILL, and the
// keyspace read back through the protocol is identical.
func TestSIGKILLRestartKeepsKeyspace(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the binary twice")
	}
	dir := t.TempDir()
	p := startCairn(t, "--dir", dir, "--appendfsync", "everysec", "--databases", "4")
	rdb := crashClient(p.addr)
	defer rdb.Close()
	r := rand.New(rand.NewPCG(7, 7))
	var ops []randomCommand
	for _, g := range randomCommands {
		if cmdExists(rdb, g.probe) {
			ops = append(ops, g.ops...)
		}
	}
	conn := rdb.Conn() // one connection: SELECT is per connection
	defer conn.Close()
	for i := 0; i < 3000; i++ {
		args := ops[r.IntN(len(ops))](r)
		if err := conn.Do(ctx, args...).Err(); err != nil && !errors.Is(err, redis.Nil) && !isCommandError(err) {
			t.Fatalf("%v: %v", args, err)
		}
	}
	before := dumpKeyspace(t, rdb, 4)
	p.kill()
	p = startCairn(t, "--dir", dir, "--databases", "4")
	rdb2 := crashClient(p.addr)
	defer rdb2.Close()
	if after := dumpKeyspace(t, rdb2, 4); after != before {
		t.Fatalf("keyspace differs after SIGKILL and restart\nbefore:\n%s\nafter:\n%s", before, after)
	}
	if !strings.Contains(before, "pel-count") && cmdExists(rdb, "xadd") {
		t.Fatalf("no stream consumer group in the keyspace:\n%s", before)
	}
	if len(before) < 100 {
		t.Fatalf("keyspace too small to mean anything:\n%s", before)
	}
	p.stop(t)
}

func isCommandError(err error) bool {
	var re redis.Error
	return errors.As(err, &re)
}

func cmdExists(rdb *redis.Client, name string) bool {
	info, err := rdb.Do(ctx, "COMMAND", "INFO", name).Slice()
	return err == nil && len(info) == 1 && info[0] != nil
}

type randomCommand func(r *rand.Rand) []any

// randomCommands are the restart property's operations, per type; a
// group is used only when the server has its probe command.
var randomCommands = []struct {
	probe string
	ops   []randomCommand
}{
	{"set", []randomCommand{
		func(r *rand.Rand) []any { return []any{"SET", rk(r), r.IntN(100)} },
		func(r *rand.Rand) []any { return []any{"SET", rk(r), "v", "PX", 60000 + r.IntN(60000)} },
		func(r *rand.Rand) []any { return []any{"APPEND", rk(r), "x"} },
		func(r *rand.Rand) []any { return []any{"INCRBY", rk(r), r.IntN(10)} },
		func(r *rand.Rand) []any { return []any{"DEL", rk(r)} },
		func(r *rand.Rand) []any { return []any{"RENAME", rk(r), rk(r)} },
		func(r *rand.Rand) []any { return []any{"COPY", rk(r), rk(r), "DB", r.IntN(4), "REPLACE"} },
		func(r *rand.Rand) []any { return []any{"MOVE", rk(r), r.IntN(4)} },
		func(r *rand.Rand) []any { return []any{"EXPIRE", rk(r), 100 + r.IntN(100)} },
		func(r *rand.Rand) []any { return []any{"PERSIST", rk(r)} },
		func(r *rand.Rand) []any { return []any{"SELECT", r.IntN(4)} },
		func(r *rand.Rand) []any {
			if r.IntN(30) == 0 {
				return []any{"SWAPDB", r.IntN(4), r.IntN(4)}
			}
			return []any{"PING"}
		},
	}},
	{"rpush", []randomCommand{
		func(r *rand.Rand) []any { return []any{"RPUSH", rk(r), r.IntN(100), r.IntN(100)} },
		func(r *rand.Rand) []any { return []any{"LPUSH", rk(r), r.IntN(100)} },
		func(r *rand.Rand) []any { return []any{"LPOP", rk(r)} },
		func(r *rand.Rand) []any { return []any{"LTRIM", rk(r), 1, -2} },
	}},
	{"hset", []randomCommand{
		func(r *rand.Rand) []any { return []any{"HSET", rk(r), r.IntN(10), r.IntN(100)} },
		func(r *rand.Rand) []any { return []any{"HDEL", rk(r), r.IntN(10)} },
		func(r *rand.Rand) []any { return []any{"HINCRBYFLOAT", rk(r), r.IntN(10), "0.5"} },
	}},
	{"sadd", []randomCommand{
		func(r *rand.Rand) []any { return []any{"SADD", rk(r), r.IntN(20)} },
		func(r *rand.Rand) []any { return []any{"SREM", rk(r), r.IntN(20)} },
		func(r *rand.Rand) []any { return []any{"SPOP", rk(r), r.IntN(3)} },
		func(r *rand.Rand) []any { return []any{"SMOVE", rk(r), rk(r), r.IntN(20)} },
		func(r *rand.Rand) []any { return []any{"SUNIONSTORE", rk(r), rk(r), rk(r)} },
		func(r *rand.Rand) []any { return []any{"SORT", rk(r), "ALPHA", "STORE", rk(r)} },
	}},
	{"zadd", []randomCommand{
		func(r *rand.Rand) []any { return []any{"ZADD", rk(r), r.IntN(50), r.IntN(20)} },
		func(r *rand.Rand) []any { return []any{"ZREM", rk(r), r.IntN(20)} },
		func(r *rand.Rand) []any { return []any{"ZINCRBY", rk(r), "1.5", r.IntN(20)} },
		func(r *rand.Rand) []any { return []any{"ZPOPMIN", rk(r), r.IntN(3)} },
		func(r *rand.Rand) []any { return []any{"ZREMRANGEBYRANK", rk(r), 0, r.IntN(3)} },
		func(r *rand.Rand) []any { return []any{"ZUNIONSTORE", rk(r), 2, rk(r), rk(r), "WEIGHTS", 2, 1} },
	}},
	{"xadd", []randomCommand{
		func(r *rand.Rand) []any { return []any{"XADD", rk(r), "*", "f", r.IntN(100)} },
		func(r *rand.Rand) []any { return []any{"XTRIM", rk(r), "MAXLEN", r.IntN(5)} },
		func(r *rand.Rand) []any { return []any{"XGROUP", "CREATE", rk(r), "g" + strconv.Itoa(r.IntN(2)), "0"} },
		func(r *rand.Rand) []any {
			return []any{"XREADGROUP", "GROUP", "g" + strconv.Itoa(r.IntN(2)), "c" + strconv.Itoa(r.IntN(2)), "COUNT", 2, "STREAMS", rk(r), ">"}
		},
		func(r *rand.Rand) []any {
			return []any{"XAUTOCLAIM", rk(r), "g" + strconv.Itoa(r.IntN(2)), "c" + strconv.Itoa(r.IntN(2)), 0, "0", "COUNT", 1}
		},
		func(r *rand.Rand) []any { return []any{"XACK", rk(r), "g" + strconv.Itoa(r.IntN(2)), "0-1", "1-0"} },
	}},
}

func rk(r *rand.Rand) string { return "k" + strconv.Itoa(r.IntN(30)) }

// dumpKeyspace renders every key of every database with its type,
// absolute expiry and value, through the protocol only.
func dumpKeyspace(t *testing.T, rdb *redis.Client, dbs int) string {
	t.Helper()
	var b strings.Builder
	for db := 0; db < dbs; db++ {
		conn := rdb.Conn()
		if err := conn.Do(ctx, "SELECT", db).Err(); err != nil {
			t.Fatal(err)
		}
		keys, err := conn.Keys(ctx, "*").Result()
		if err != nil {
			t.Fatal(err)
		}
		sort.Strings(keys)
		for _, k := range keys {
			typ := conn.Type(ctx, k).Val()
			exp := conn.Do(ctx, "PEXPIRETIME", k).Val()
			fmt.Fprintf(&b, "%d %q %s %v ", db, k, typ, exp)
			var v any
			switch typ {
			case "string":
				v = conn.Get(ctx, k).Val()
			case "list":
				v = conn.LRange(ctx, k, 0, -1).Val()
			case "hash":
				m := conn.HGetAll(ctx, k).Val()
				fs := make([]string, 0, len(m))
				for f, x := range m {
					fs = append(fs, f+"="+x)
				}
				sort.Strings(fs)
				v = fs
			case "set":
				ms := conn.SMembers(ctx, k).Val()
				sort.Strings(ms)
				v = ms
			case "zset":
				v = conn.ZRangeWithScores(ctx, k, 0, -1).Val()
			case "stream":
				// Groups, consumers and PELs too, without the node
				// layout (radix-tree-*), which a restart may repack.
				info, err := conn.Do(ctx, "XINFO", "STREAM", k, "FULL", "COUNT", 0).Result()
				if err != nil {
					t.Fatal(err)
				}
				switch m := info.(type) {
				case map[any]any: // RESP3
					delete(m, "radix-tree-keys")
					delete(m, "radix-tree-nodes")
				case []any:
					for i := 0; i+1 < len(m); i += 2 {
						if name, _ := m[i].(string); strings.HasPrefix(name, "radix-tree") {
							m[i+1] = nil
						}
					}
				}
				v = []any{conn.XRange(ctx, k, "-", "+").Val(), info}
			default:
				t.Fatalf("dumpKeyspace: no dumper for type %q", typ)
			}
			fmt.Fprintf(&b, "%v\n", v)
		}
		conn.Close()
	}
	return b.String()
}

// TestBinaryRefusesBusyOrForeignDir: a second process on the same --dir,
// and a --dir full of someone else's files, fail at start with a clear
// message instead of serving an empty database.
func TestBinaryRefusesBusyOrForeignDir(t *testing.T) {
	dir := t.TempDir()
	p := startCairn(t, "--dir", dir)
	out, err := exec.Command(cairnBinary(t), "--port", "0", "--dir", dir).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "in use by another Cairn process") {
		t.Fatalf("second process on %s: %v\n%s", dir, err, out)
	}
	p.stop(t)

	foreign := t.TempDir()
	os.WriteFile(filepath.Join(foreign, "thesis.tex"), []byte("\\documentclass{article}"), 0o644)
	out, err = exec.Command(cairnBinary(t), "--port", "0", "--dir", foreign).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "holds no Cairn data") {
		t.Fatalf("foreign directory: %v\n%s", err, out)
	}
}
