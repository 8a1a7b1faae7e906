package integration

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/cairn-db/cairn/server/servertest"
)

// TestRandomTransactionsAgainstRedis interleaves random commands of three
// clients on redis-server and on Cairn: MULTI, EXEC, DISCARD, WATCH and
// UNWATCH among writes, malformed and unknown commands (EXECABORT),
// runtime errors inside EXEC, SELECT, SWAPDB, FLUSHDB, MOVE, COPY ... DB
// and scripts, and compares every reply. Which watched key a write, a
// SWAPDB or a FLUSHDB of another client touches decides whether EXEC runs.
func TestRandomTransactionsAgainstRedis(t *testing.T) {
	redis := ownRedis(t) // FLUSHALL and SWAPDB
	cairn := servertest.Start(t)
	for seed := uint64(1); seed <= 4; seed++ {
		var rcs, ccs [3]*servertest.Conn
		for i := range rcs {
			rcs[i], ccs[i] = servertest.Dial(t, redis.addr), servertest.Dial(t, cairn.Addr())
		}
		rcs[0].Do("FLUSHALL")
		ccs[0].Do("FLUSHALL")
		randomTransactionOps(t, rand.New(rand.NewPCG(seed, 5)), rcs, ccs)
		for i := range rcs {
			rcs[i].Close()
			ccs[i].Close()
		}
	}
}

func randomTransactionOps(t *testing.T, r *rand.Rand, rcs, ccs [3]*servertest.Conn) {
	key := func() string { return fmt.Sprint("k", r.IntN(4)) }
	db := func() string { return fmt.Sprint(r.IntN(3)) }
	cmds := []func() []string{
		func() []string { return []string{"MULTI"} },
		func() []string { return []string{"MULTI"} },
		func() []string { return []string{"EXEC"} },
		func() []string { return []string{"EXEC"} },
		func() []string { return []string{"DISCARD"} },
		func() []string { return []string{"WATCH", key(), key()} },
		func() []string { return []string{"WATCH", key()} },
		func() []string { return []string{"UNWATCH"} },
		func() []string { return []string{"SET", key(), fmt.Sprint(r.IntN(10))} },
		func() []string { return []string{"SET", key(), "v", "EX", "0"} },
		func() []string { return []string{"INCR", key()} },
		func() []string { return []string{"LPUSH", key(), "x"} },
		func() []string { return []string{"GET", key()} },
		func() []string { return []string{"GET"} },
		func() []string { return []string{"NOSUCH", key()} },
		func() []string { return []string{"DEL", key()} },
		func() []string { return []string{"EXPIRE", key(), "100"} },
		func() []string { return []string{"SELECT", db()} },
		func() []string { return []string{"FLUSHDB"} },
		func() []string { return []string{"SWAPDB", db(), db()} },
		func() []string { return []string{"PING"} },
		func() []string { return []string{"RENAME", key(), key()} },
		func() []string { return []string{"MOVE", key(), db()} },
		func() []string { return []string{"COPY", key(), key(), "DB", db()} },
		func() []string { return []string{"EVAL", "return redis.call('incr', KEYS[1])", "1", key()} },
	}
	var trail commandTrail
	for i := range 3000 {
		c := r.IntN(3)
		args := cmds[r.IntN(len(cmds))]()
		want, got := rcs[c].Do(args...), ccs[c].Do(args...)
		trail.add(fmt.Sprintf("client %d: %s", c, strings.Join(args, " ")))
		if want != got {
			t.Fatalf("step %d: client %d: %s\n redis: %q\n cairn: %q\nthe commands before it:\n%s",
				i, c, strings.Join(args, " "), want, got, trail.before())
		}
	}
}
