package integration

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cairn-db/cairn/server/servertest"
)

// TestClientListMultiFieldsMatchRedis checks CLIENT LIST's view of a
// client inside MULTI against redis-server's: the x flag and the queue's
// length (multi) and memory (multi-mem), the d flag once a key it
// WATCHes changed, the e flag of CLIENT NO-EVICT, and the argv-mem of
// the client asking (its own CLIENT LIST or CLIENT INFO) and of a client
// blocked in BLPOP, a client running EXEC, in it and after it, and one
// after RESET.
func TestClientListMultiFieldsMatchRedis(t *testing.T) {
	want := multiClientFields(t, ownRedis(t).addr)
	got := multiClientFields(t, servertest.Start(t).Addr())
	for step, w := range want {
		if got[step] != w {
			t.Errorf("%s: Cairn %q, Redis %q", step, got[step], w)
		}
	}
}

// multiClientFields runs the scenario against addr and returns, for
// each step, the CLIENT LIST fields it looks at.
func multiClientFields(t *testing.T, addr string) map[string]string {
	ctx := context.Background()
	rdb := redis.NewClient(&redis.Options{Addr: addr, PoolSize: 4})
	t.Cleanup(func() { rdb.Close() })
	tx := rdb.Conn()
	t.Cleanup(func() { tx.Close() })
	must := func(cmd redis.Cmder) {
		t.Helper()
		if err := cmd.Err(); err != nil {
			t.Fatalf("%v: %v", cmd.Args(), err)
		}
	}
	must(tx.Do(ctx, "client", "setname", "tx"))
	fieldsOf := func(client string, names ...string) string {
		t.Helper()
		line := clientListLine(t, rdb, client)
		if line == "" {
			return "no client named " + client
		}
		var picked []string
		for _, kv := range strings.Fields(line) {
			for _, n := range names {
				if strings.HasPrefix(kv, n+"=") {
					picked = append(picked, kv)
				}
			}
		}
		return strings.Join(picked, " ")
	}
	shown := func() string { return fieldsOf("tx", "flags", "multi", "argv-mem", "multi-mem") }
	out := map[string]string{"idle": shown()}
	must(tx.Do(ctx, "watch", "k"))
	must(tx.Do(ctx, "multi"))
	out["after MULTI"] = shown()
	must(tx.Do(ctx, "set", "k", "v"))
	must(tx.Do(ctx, "get", "a-longer-key-name"))
	out["two queued"] = shown()
	must(rdb.Set(ctx, "k", "changed", 0))
	out["watched key changed"] = shown()
	must(tx.Do(ctx, "client", "no-evict", "on")) // queued: not applied yet
	out["NO-EVICT queued"] = shown()
	if err := tx.Do(ctx, "exec").Err(); err != redis.Nil {
		t.Fatalf("EXEC after a watched key changed: %v, want a null reply", err)
	}
	out["after EXEC"] = shown()
	must(tx.Do(ctx, "client", "no-evict", "on"))
	out["NO-EVICT on"] = shown()
	// A client blocked in BLPOP shows its command's arguments.
	blocked := rdb.Conn()
	t.Cleanup(func() { blocked.Close() })
	must(blocked.Do(ctx, "client", "setname", "blocked"))
	id, err := blocked.Do(ctx, "client", "id").Int64()
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- blocked.Do(ctx, "blpop", "no-such-list", "0").Err() }()
	for i := 0; i < 500 && !strings.Contains(fieldsOf("blocked", "flags"), "b"); i++ {
		time.Sleep(10 * time.Millisecond)
	}
	out["blocked in BLPOP"] = fieldsOf("blocked", "flags", "qbuf", "argv-mem", "cmd")
	must(rdb.Do(ctx, "client", "unblock", id))
	if err := <-done; err != redis.Nil {
		t.Fatalf("BLPOP after CLIENT UNBLOCK: %v, want a null reply", err)
	}
	out["unblocked"] = fieldsOf("blocked", "flags", "argv-mem", "cmd")
	info, err := tx.Do(ctx, "client", "info").Text()
	if err != nil {
		t.Fatal(err)
	}
	for _, kv := range strings.Fields(info) {
		if strings.HasPrefix(kv, "argv-mem=") {
			out["own CLIENT INFO"] = kv
		}
	}
	// A transaction that runs: CLIENT INFO among its commands still sees
	// it (x, its queue), and CLIENT LIST names EXEC as the last command,
	// not the last one queued.
	must(tx.Do(ctx, "multi"))
	must(tx.Do(ctx, "set", "k", "v"))
	must(tx.Do(ctx, "client", "info"))
	must(tx.Do(ctx, "get", "k"))
	res, err := tx.Do(ctx, "exec").Slice()
	if err != nil || len(res) != 3 {
		t.Fatalf("EXEC: %v, %v", res, err)
	}
	var inExec []string
	for _, kv := range strings.Fields(res[1].(string)) {
		for _, n := range []string{"flags", "multi", "multi-mem", "cmd"} {
			if strings.HasPrefix(kv, n+"=") {
				inExec = append(inExec, kv)
			}
		}
	}
	out["CLIENT INFO inside EXEC"] = strings.Join(inExec, " ")
	out["after a transaction ran"] = fieldsOf("tx", "flags", "multi", "cmd")
	// RESET drops the name and the database; Redis 7.0 keeps NO-EVICT.
	must(tx.Do(ctx, "select", "2"))
	must(tx.Do(ctx, "reset"))
	info, err = tx.Do(ctx, "client", "info").Text()
	if err != nil {
		t.Fatal(err)
	}
	var afterReset []string
	for _, kv := range strings.Fields(info) {
		for _, n := range []string{"name", "flags", "db"} {
			if strings.HasPrefix(kv, n+"=") {
				afterReset = append(afterReset, kv)
			}
		}
	}
	out["after RESET"] = strings.Join(afterReset, " ")
	return out
}
