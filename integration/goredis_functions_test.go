package integration

import (
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/cairn-db/cairn/server/servertest"
)

const goRedisLib = "#!lua name=counters\n" +
	"redis.register_function('incr_by', function(keys, args) return redis.call('incrby', keys[1], args[1]) end)\n" +
	"redis.register_function{function_name='peek', callback=function(keys) return redis.call('get', keys[1]) end, flags={'no-writes'}, description='reads a counter'}\n"

// go-redis's function API against the embedded server: load, call, list,
// stats, dump, restore, delete, flush.
func TestGoRedisFunctions(t *testing.T) {
	rdb := newClient(t, servertest.Start(t).Addr())
	if name, err := rdb.FunctionLoad(ctx, goRedisLib).Result(); err != nil || name != "counters" {
		t.Fatalf("FunctionLoad: %q %v", name, err)
	}
	if err := rdb.FunctionLoad(ctx, goRedisLib).Err(); err == nil || err.Error() != "ERR Library 'counters' already exists" {
		t.Fatalf("second FunctionLoad: %v", err)
	}
	if err := rdb.FunctionLoadReplace(ctx, goRedisLib).Err(); err != nil {
		t.Fatal(err)
	}
	if n, err := rdb.FCall(ctx, "incr_by", []string{"c"}, 5).Int(); err != nil || n != 5 {
		t.Fatalf("FCall: %d %v", n, err)
	}
	if v, err := rdb.FCallRO(ctx, "peek", []string{"c"}).Text(); err != nil || v != "5" {
		t.Fatalf("FCallRO: %q %v", v, err)
	}
	if err := rdb.FCallRO(ctx, "incr_by", []string{"c"}, 1).Err(); err == nil {
		t.Fatal("FCallRO ran a function without no-writes")
	}
	libs, err := rdb.FunctionList(ctx, redis.FunctionListQuery{WithCode: true}).Result()
	if err != nil || len(libs) != 1 {
		t.Fatalf("FunctionList: %v %v", libs, err)
	}
	l := libs[0]
	if l.Name != "counters" || l.Engine != "LUA" || l.Code != goRedisLib || len(l.Functions) != 2 {
		t.Fatalf("library %+v", l)
	}
	if f := l.Functions[1]; f.Name != "peek" || f.Description != "reads a counter" || len(f.Flags) != 1 || f.Flags[0] != "no-writes" {
		t.Fatalf("function %+v", f)
	}
	stats, err := rdb.FunctionStats(ctx).Result()
	if err != nil || stats.Running() || len(stats.Engines) != 1 || stats.Engines[0].LibrariesCount != 1 || stats.Engines[0].FunctionsCount != 2 {
		t.Fatalf("FunctionStats: %+v %v", stats, err)
	}
	dump, err := rdb.FunctionDump(ctx).Result()
	if err != nil {
		t.Fatal(err)
	}
	if err := rdb.FunctionDelete(ctx, "counters").Err(); err != nil {
		t.Fatal(err)
	}
	if err := rdb.FCall(ctx, "peek", []string{"c"}).Err(); err == nil || err.Error() != "ERR Function not found" {
		t.Fatalf("FCall after delete: %v", err)
	}
	if err := rdb.FunctionRestore(ctx, dump).Err(); err != nil {
		t.Fatal(err)
	}
	if v, err := rdb.FCallRO(ctx, "peek", []string{"c"}).Text(); err != nil || v != "5" {
		t.Fatalf("FCallRO after restore: %q %v", v, err)
	}
	if err := rdb.FunctionFlush(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	if libs, err := rdb.FunctionList(ctx, redis.FunctionListQuery{}).Result(); err != nil || len(libs) != 0 {
		t.Fatalf("FunctionList after flush: %v %v", libs, err)
	}
}

// FUNCTION DUMP payloads move between redis-server and Cairn both ways,
// the compressed ones Redis writes for long code included.
func TestFunctionDumpInteroperates(t *testing.T) {
	r := requireRedis(t)
	real := newClient(t, r.addr)
	cairn := newClient(t, servertest.Start(t).Addr())
	real.FunctionFlush(ctx)
	t.Cleanup(func() { real.FunctionFlush(ctx) })
	long := "#!lua name=long\n" + "redis.register_function('long_fn', function(keys, args) return 'padding padding padding padding padding padding' end)\n"
	for _, code := range []string{goRedisLib, long} {
		if err := real.FunctionLoad(ctx, code).Err(); err != nil {
			t.Fatal(err)
		}
	}
	fromRedis, err := real.FunctionDump(ctx).Result()
	if err != nil {
		t.Fatal(err)
	}
	if err := cairn.FunctionRestore(ctx, fromRedis).Err(); err != nil {
		t.Fatalf("Cairn restoring Redis's payload: %v", err)
	}
	if v, err := cairn.FCall(ctx, "long_fn", nil).Text(); err != nil || v != "padding padding padding padding padding padding" {
		t.Fatalf("FCall of a restored library: %q %v", v, err)
	}
	fromCairn, err := cairn.FunctionDump(ctx).Result()
	if err != nil {
		t.Fatal(err)
	}
	// Which library collides first is the order of Redis's hash table.
	if err := real.FunctionRestore(ctx, fromCairn).Err(); err == nil || (err.Error() != "ERR Library counters already exists" && err.Error() != "ERR Library long already exists") {
		t.Fatalf("APPEND of existing libraries on redis-server: %v", err)
	}
	if err := real.Do(ctx, "FUNCTION", "RESTORE", fromCairn, "FLUSH").Err(); err != nil {
		t.Fatalf("redis-server restoring Cairn's payload: %v", err)
	}
	libs, err := real.FunctionList(ctx, redis.FunctionListQuery{WithCode: true}).Result()
	if err != nil || len(libs) != 2 {
		t.Fatalf("redis-server's libraries after restore: %v %v", libs, err)
	}
	for _, l := range libs {
		if want := map[string]string{"counters": goRedisLib, "long": long}[l.Name]; l.Code != want {
			t.Errorf("library %s: code %q", l.Name, l.Code)
		}
	}
}

// A library survives SIGKILL and restart of the binary: FUNCTION LOAD is
// a durable write.
func TestFunctionsSurviveSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the binary twice")
	}
	dir := t.TempDir()
	p := startCairn(t, "--dir", dir, "--appendfsync", "always")
	rdb := crashClient(p.addr)
	if err := rdb.FunctionLoad(ctx, goRedisLib).Err(); err != nil {
		t.Fatal(err)
	}
	if err := rdb.FCall(ctx, "incr_by", []string{"c"}, 7).Err(); err != nil {
		t.Fatal(err)
	}
	rdb.Close()
	p.kill()
	p = startCairn(t, "--dir", dir)
	rdb = crashClient(p.addr)
	defer rdb.Close()
	if n, err := rdb.FCall(ctx, "incr_by", []string{"c"}, 1).Int(); err != nil || n != 8 {
		t.Fatalf("FCall after SIGKILL and restart: %d %v", n, err)
	}
	p.stop(t)
}
