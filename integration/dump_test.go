package integration

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/cairn-db/cairn/server/servertest"
)

// dumpValue fills key on a server with one generated value.
type dumpValue struct {
	name string
	fill func(rdb *redis.Client, key string)
}

// dumpValues are values of every type and of the sizes that make Redis
// pick each encoding: short and int strings, LZF-compressible ones,
// listpacks, intsets (16, 32 and 64-bit), hashtables, skip lists and
// quicklists of several nodes, with binary and integer-looking elements.
func dumpValues(r *rand.Rand) []dumpValue {
	bin := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		return string(b)
	}
	elem := func(i int) string {
		switch i % 5 {
		case 0:
			return strconv.Itoa(i*37 - 500) // integer-looking
		case 1:
			return bin(1 + r.IntN(20))
		case 2:
			return strconv.FormatInt(r.Int64()-math.MaxInt64/2, 10)
		case 3:
			return strings.Repeat("ab", r.IntN(200)) + strconv.Itoa(i)
		}
		return "e" + strconv.Itoa(i)
	}
	str := func(v string) func(*redis.Client, string) {
		return func(rdb *redis.Client, k string) { rdb.Set(ctx, k, v, 0) }
	}
	list := func(n int, el func(int) string) func(*redis.Client, string) {
		return func(rdb *redis.Client, k string) {
			for i := 0; i < n; i++ {
				rdb.RPush(ctx, k, el(i))
			}
		}
	}
	set := func(n int, el func(int) string) func(*redis.Client, string) {
		return func(rdb *redis.Client, k string) {
			for i := 0; i < n; i++ {
				rdb.SAdd(ctx, k, el(i))
			}
		}
	}
	hash := func(n int, el func(int) string) func(*redis.Client, string) {
		return func(rdb *redis.Client, k string) {
			for i := 0; i < n; i++ {
				rdb.HSet(ctx, k, "f"+strconv.Itoa(i), el(i))
			}
		}
	}
	zset := func(n int, score func(int) float64, el func(int) string) func(*redis.Client, string) {
		return func(rdb *redis.Client, k string) {
			for i := 0; i < n; i++ {
				rdb.ZAdd(ctx, k, redis.Z{Score: score(i), Member: el(i)})
			}
		}
	}
	intsOf := func(scale int64) func(int) string {
		return func(i int) string { return strconv.FormatInt(int64(i)*scale-scale*3, 10) }
	}
	short := func(i int) string { return "m" + strconv.Itoa(i) }
	// stream adds n entries with fields that vary every few entries, then
	// groups that read, claim and acknowledge some, and deletes some.
	stream := func(n, groups int, del bool) func(*redis.Client, string) {
		return func(rdb *redis.Client, k string) {
			for i := 0; i < n; i++ {
				vals := []any{"f", elem(i), "g", i}
				if i%7 == 3 {
					vals = []any{"other", bin(5), "f", "x"}
				}
				rdb.XAdd(ctx, &redis.XAddArgs{Stream: k, ID: fmt.Sprintf("%d-%d", 1000+i/3, i%3), Values: vals})
			}
			for g := 0; g < groups; g++ {
				name := "grp" + strconv.Itoa(g)
				rdb.XGroupCreate(ctx, k, name, "0")
				for c := 0; c < 3; c++ {
					rdb.XReadGroup(ctx, &redis.XReadGroupArgs{Group: name, Consumer: "c" + strconv.Itoa(c),
						Streams: []string{k, ">"}, Count: int64(5 + 10*g + c)})
				}
				pend := rdb.XPendingExt(ctx, &redis.XPendingExtArgs{Stream: k, Group: name, Start: "-", End: "+", Count: 100}).Val()
				for i, p := range pend {
					switch i % 4 {
					case 0:
						rdb.XAck(ctx, k, name, p.ID)
					case 1:
						rdb.XClaim(ctx, &redis.XClaimArgs{Stream: k, Group: name, Consumer: "c9", Messages: []string{p.ID}})
					}
				}
			}
			if groups > 0 {
				rdb.XGroupCreate(ctx, k, "tail", "$")
			}
			if del {
				for i := 0; i < n; i += 4 {
					rdb.XDel(ctx, k, fmt.Sprintf("%d-%d", 1000+i/3, i%3))
				}
			}
		}
	}
	return []dumpValue{
		{"empty string", str("")},
		{"int8", str("-7")},
		{"int16", str("1234")},
		{"int32", str("-2147483648")},
		{"int64 as string", str("9223372036854775807")},
		{"leading zero", str("007")},
		{"short", str("hello")},
		{"21 bytes", str(strings.Repeat("x", 21))},
		{"compressible", str(strings.Repeat("abcdefgh", 500))},
		{"long repeat", str(strings.Repeat("z", 70000))},
		{"binary", str(bin(300))},
		{"big binary", str(bin(100000))},
		{"list small", list(5, elem)},
		{"list ints", list(100, intsOf(1000003))},
		{"list many nodes", list(3000, elem)},
		{"list long elems", list(20, func(i int) string { return bin(5000 + i) })},
		{"set intset16", set(10, intsOf(7))},
		{"set intset32", set(100, intsOf(100000))},
		{"set intset64", set(200, intsOf(1<<40))},
		{"set big ints", set(600, intsOf(3))},
		{"set strings", set(50, elem)},
		{"set large", set(2000, elem)},
		{"hash small", hash(10, short)},
		{"hash mixed", hash(100, elem)},
		{"hash large", hash(1000, elem)},
		{"hash long value", hash(3, func(i int) string { return bin(100) })},
		{"zset small", zset(10, func(i int) float64 { return float64(i) }, short)},
		{"zset floats", zset(50, func(i int) float64 { return float64(i)/3 - 7 }, elem)},
		{"zset infinities", zset(4, func(i int) float64 { return []float64{math.Inf(1), math.Inf(-1), 0, 1e300}[i] }, short)},
		{"zset large", zset(1000, func(i int) float64 { return r.NormFloat64() * 1e6 }, elem)},
		{"stream small", stream(3, 0, false)},
		{"stream nodes", stream(450, 0, false)},
		{"stream deletes", stream(300, 0, true)},
		{"stream groups", stream(250, 3, true)},
		{"stream emptied", func(rdb *redis.Client, k string) {
			rdb.XAdd(ctx, &redis.XAddArgs{Stream: k, ID: "5-1", Values: []any{"a", "b"}})
			rdb.XGroupCreate(ctx, k, "g", "0")
			rdb.XDel(ctx, k, "5-1")
		}},
		{"zset long member", zset(3, func(i int) float64 { return float64(i) }, func(i int) string { return bin(100) })},
	}
}

// snapshot renders key's type, contents and TTL presence canonically.
func snapshot(t *testing.T, rdb *redis.Client, key string) string {
	t.Helper()
	typ := rdb.Type(ctx, key).Val()
	var items []string
	switch typ {
	case "string":
		items = []string{rdb.Get(ctx, key).Val()}
	case "list":
		items = rdb.LRange(ctx, key, 0, -1).Val()
	case "set":
		items = rdb.SMembers(ctx, key).Val()
		sort.Strings(items)
	case "hash":
		for f, v := range rdb.HGetAll(ctx, key).Val() {
			items = append(items, f+"="+v)
		}
		sort.Strings(items)
	case "zset":
		for _, z := range rdb.ZRangeWithScores(ctx, key, 0, -1).Val() {
			items = append(items, fmt.Sprintf("%v:%v", z.Member, z.Score))
		}
	case "stream":
		for _, m := range rdb.XRange(ctx, key, "-", "+").Val() {
			items = append(items, fmt.Sprintf("%s:%v", m.ID, m.Values))
		}
		// XINFO STREAM FULL shows the metadata, groups, PEL (with
		// delivery times and counts) and consumers; the radix tree's
		// shape is Redis's own.
		full, err := rdb.Do(ctx, "xinfo", "stream", key, "full").Result()
		if err != nil {
			t.Fatalf("XINFO STREAM FULL %s: %v", key, err)
		}
		m, ok := full.(map[any]any)
		if !ok {
			t.Fatalf("XINFO STREAM FULL %s: %T", key, full)
		}
		for name, v := range m {
			if !strings.HasPrefix(fmt.Sprint(name), "radix-tree") {
				items = append(items, fmt.Sprintf("%s=%v", name, v))
			}
		}
		sort.Strings(items)
	}
	return fmt.Sprintf("%s %d %q", typ, len(items), items)
}

// TestDumpRestoreWithRedis moves every generated value both ways: DUMP on
// redis-server, RESTORE on Cairn, and DUMP on Cairn, RESTORE on
// redis-server, comparing the contents after each move.
func TestDumpRestoreWithRedis(t *testing.T) {
	requireRedis(t)
	rs, err := startRedis("--enable-debug-command", "yes")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rs.stop)
	real := newClient(t, rs.addr)
	cairn := newClient(t, servertest.Start(t).Addr())
	r := rand.New(rand.NewPCG(1, 2))
	for round, threshold := range []int{0, 200} {
		if threshold > 0 {
			// Elements over the threshold go in plain quicklist nodes.
			if err := real.Do(ctx, "debug", "quicklist-packed-threshold", threshold).Err(); err != nil {
				t.Fatal(err)
			}
		}
		for i, v := range dumpValues(r) {
			key := fmt.Sprintf("k%d:%d", round, i)
			v.fill(real, key)
			want := snapshot(t, real, key)
			payload, err := real.Dump(ctx, key).Result()
			if err != nil {
				t.Fatalf("%s: redis DUMP: %v", v.name, err)
			}
			if err := cairn.Restore(ctx, key, 0, payload).Err(); err != nil {
				t.Fatalf("%s: cairn RESTORE of redis's DUMP: %v", v.name, err)
			}
			if got := snapshot(t, cairn, key); got != want {
				t.Fatalf("%s: after redis→cairn:\n got %.300s\nwant %.300s", v.name, got, want)
			}
			back, err := cairn.Dump(ctx, key).Result()
			if err != nil {
				t.Fatalf("%s: cairn DUMP: %v", v.name, err)
			}
			if err := real.RestoreReplace(ctx, key, 0, back).Err(); err != nil {
				t.Fatalf("%s: redis RESTORE of cairn's DUMP: %v", v.name, err)
			}
			if got := snapshot(t, real, key); got != want {
				t.Fatalf("%s: after cairn→redis:\n got %.300s\nwant %.300s", v.name, got, want)
			}
			// Redis re-encodes what it loads: the encodings must match too.
			if re, ce := real.ObjectEncoding(ctx, key).Val(), cairn.ObjectEncoding(ctx, key).Val(); re != ce && !(re == "embstr" && ce == "raw") {
				t.Errorf("%s: encoding redis %s, cairn %s", v.name, re, ce)
			}
		}
	}
}

// TestRestoreTTLAndFlags checks RESTORE's TTL, ABSTTL, REPLACE, IDLETIME
// and BUSYKEY against redis-server, reply by reply.
func TestRestoreTTLAndFlags(t *testing.T) {
	both := sideBySide(t)
	real := newClient(t, requireRedis(t).addr)
	real.Set(ctx, "dumpsrc", "value", 0)
	p := real.Dump(ctx, "dumpsrc").Val()
	both("restore", "a", "0", p)
	both("restore", "a", "0", p)
	both("restore", "a", "100000", p, "replace")
	both("ttl", "a")
	both("restore", "b", "99999999999999", p, "absttl")
	both("ttl", "b")
	both("restore", "c", "1", p, "absttl")
	both("exists", "c")
	both("restore", "a", "1", p, "absttl", "replace")
	both("exists", "a")
	both("restore", "d", "0", p, "idletime", "1000")
	both("object", "idletime", "d")
	both("restore", "d", "0", p, "replace", "freq", "10")
	both("restore", "e", "0", p[:len(p)-1]+"x")
	both("restore", "e", "-1", p)
	both("restore", "d", "x", p)
	both("restore", "d", "-1", p, "replace")
	both("get", "d")
	both("dump", "nosuchkey")
}

// TestDumpUncompressedMatchesRedis: with rdbcompression no, a string's
// DUMP payload is byte for byte redis-server's (with compression the LZF
// output differs, though both servers read either); with it on, a
// compressible string's payload is shorter than the string.
func TestDumpUncompressedMatchesRedis(t *testing.T) {
	both := sideBySide(t)
	value := strings.Repeat("compressible ", 20)
	both("set", "s", value)
	both("config", "set", "rdbcompression", "no")
	both("dump", "s")
	cairn := newClient(t, servertest.Start(t).Addr())
	cairn.Set(ctx, "s", value, 0)
	if p := cairn.Dump(ctx, "s").Val(); len(p) >= len(value) {
		t.Fatalf("DUMP with rdbcompression yes: %d bytes for a %d-byte string", len(p), len(value))
	}
}
