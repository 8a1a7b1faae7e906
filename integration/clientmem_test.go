package integration

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cairn-db/cairn/server/servertest"
)

// Clients' memory counts in used_memory (mem_clients_normal), so
// maxmemory evicts keys when clients bloat memory; over maxmemory-clients
// the clients using the most memory are disconnected, but not those with
// CLIENT NO-EVICT on. Each scenario runs on Cairn and, where installed,
// on a real redis-server, which must behave the same.

// onCairnAndRedis runs f against a fresh Cairn and a fresh redis-server;
// cairn says which it is.
func onCairnAndRedis(t *testing.T, f func(t *testing.T, addr string, cairn bool)) {
	t.Run("cairn", func(t *testing.T) { f(t, servertest.Start(t).Addr(), true) })
	t.Run("redis", func(t *testing.T) {
		r, err := startRedis()
		if err != nil {
			t.Skipf("no redis-server to compare with: %v", err)
		}
		t.Cleanup(r.stop)
		f(t, r.addr, false)
	})
}

// TestSlowSubscribersEvictKeys: subscribers that stop reading make
// used_memory rise with the messages queued for them until allkeys-lru
// evicts keys, while no client is evicted (maxmemory-clients is 0); once
// they leave, their memory is given back.
func TestSlowSubscribersEvictKeys(t *testing.T) {
	onCairnAndRedis(t, func(t *testing.T, addr string, cairn bool) {
		rdb := newClient(t, addr)
		for _, kv := range [][2]string{{"maxmemory", "12mb"}, {"maxmemory-policy", "allkeys-lru"}, {"maxmemory-clients", "0"}} {
			if err := rdb.ConfigSet(ctx, kv[0], kv[1]).Err(); err != nil {
				t.Fatal(err)
			}
		}
		for i := range 40 { // 4 MB of data
			rdb.SetRange(ctx, "key:"+strconv.Itoa(i), 100000, "x")
		}
		before := infoInt(t, rdb, "mem_clients_normal")
		var subs []*servertest.Conn
		for range 10 {
			s := servertest.Dial(t, addr)
			s.Do("SUBSCRIBE", "ch") // and never read again
			subs = append(subs, s)
		}
		msg := strings.Repeat("m", 100000)
		peak := int64(0)
		for deadline := time.Now().Add(20 * time.Second); infoInt(t, rdb, "evicted_keys") == 0; {
			if time.Now().After(deadline) {
				t.Fatalf("no key evicted; mem_clients_normal peaked at %d", peak)
			}
			rdb.Publish(ctx, "ch", msg)
			peak = max(peak, infoInt(t, rdb, "mem_clients_normal"))
		}
		// Redis refreshes mem_clients_normal in its cron, so only Cairn's
		// is sure to have seen the queues.
		if cairn && peak < before+4<<20 {
			t.Errorf("mem_clients_normal peaked at %d (from %d): the subscribers' queues did not count", peak, before)
		}
		if n := rdb.DBSize(ctx).Val(); n >= 40 {
			t.Errorf("DBSIZE %d after eviction", n)
		}
		if n := infoInt(t, rdb, "evicted_clients"); n != 0 {
			t.Errorf("evicted_clients %d with maxmemory-clients 0", n)
		}
		for _, s := range subs {
			s.Close()
		}
		waitUntil(t, func() bool { return infoInt(t, rdb, "mem_clients_normal") < 1<<20 },
			"the subscribers' memory was not given back")
	})
}

// TestMaxMemoryClientsSparesNoEvict: over maxmemory-clients, the client
// holding a partial request is evicted, but not a bigger one with CLIENT
// NO-EVICT on; evicted_clients counts it and CLIENT LIST no longer shows
// it.
func TestMaxMemoryClientsSparesNoEvict(t *testing.T) {
	onCairnAndRedis(t, func(t *testing.T, addr string, _ bool) {
		// The control client must not be evicted either: one connection,
		// NO-EVICT on.
		rdb := redis.NewClient(&redis.Options{Addr: addr, PoolSize: 1, MinIdleConns: 0,
			OnConnect: func(ctx context.Context, cn *redis.Conn) error {
				return cn.Do(ctx, "CLIENT", "NO-EVICT", "on").Err()
			}})
		t.Cleanup(func() { rdb.Close() })
		if err := rdb.ConfigSet(ctx, "maxmemory-clients", "0").Err(); err != nil {
			t.Fatal(err)
		}
		partial := func(name string, size int, noEvict bool) *servertest.Conn {
			c := servertest.Dial(t, addr)
			c.Do("CLIENT", "SETNAME", name)
			if noEvict {
				c.Do("CLIENT", "NO-EVICT", "on")
			}
			c.Write(fmt.Sprintf("*2\r\n$%d\r\n%s", size, strings.Repeat("v", size)))
			waitUntil(t, func() bool { return clientField(t, rdb, name, "qbuf") >= int64(size) },
				name+"'s query buffer did not fill")
			return c
		}
		partial("big", 900000, true)
		small := partial("small", 400000, false)
		if err := rdb.ConfigSet(ctx, "maxmemory-clients", "1mb").Err(); err != nil {
			t.Fatal(err)
		}
		if _, err := small.ReadErr(5 * time.Second); err == nil {
			t.Fatal("the evictable client was not disconnected")
		}
		waitUntil(t, func() bool { return clientField(t, rdb, "small", "qbuf") < 0 },
			"the evicted client is still listed")
		if m := clientField(t, rdb, "big", "tot-mem"); m < 900000 {
			t.Errorf("the NO-EVICT client's tot-mem is %d, want its 900000-byte query buffer", m)
		}
		if n := infoInt(t, rdb, "evicted_clients"); n != 1 {
			t.Errorf("evicted_clients %d, want 1", n)
		}
	})
}

// clientField is field f of the CLIENT LIST line of the client named
// name, or -1 when there is none.
func clientField(t *testing.T, rdb *redis.Client, name, f string) int64 {
	t.Helper()
	for _, kv := range strings.Fields(clientListLine(t, rdb, name)) {
		if v, ok := strings.CutPrefix(kv, f+"="); ok {
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
	}
	return -1
}

// clientListLine is the CLIENT LIST line of the client named name, or ""
// when there is none.
func clientListLine(t *testing.T, rdb *redis.Client, name string) string {
	t.Helper()
	list, err := rdb.ClientList(ctx).Result()
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(list), "\n") {
		if strings.Contains(line, " name="+name+" ") {
			return line
		}
	}
	return ""
}

// waitUntil polls cond for up to 10 seconds.
func waitUntil(t *testing.T, cond func() bool, msg string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal(msg)
		}
	}
}
