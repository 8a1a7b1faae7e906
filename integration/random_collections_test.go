package integration

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/cairn-db/cairn/server/servertest"
)

// TestRandomCollectionsAgainstRedis sends the same random stream of hash,
// set and sorted-set commands to redis-server and Cairn and compares every
// reply. Keys grow past the packed-encoding limits, so both encodings and
// the conversions between them are exercised; replies whose order Redis
// leaves unspecified are compared sorted.
func TestRandomCollectionsAgainstRedis(t *testing.T) {
	eachRandomSeed(t, 7, randomCollectionOps)
}

// eachRandomSeed runs ops for seeds 1 to 4 of a random stream against
// redis-server (skipping the test without one) and a fresh Cairn, each
// seed on an emptied database 9, which redis-server's is again when the
// test ends.
func eachRandomSeed(t *testing.T, stream uint64, ops func(t *testing.T, r *rand.Rand, rc, cc *servertest.Conn)) {
	t.Helper()
	redis := requireRedis(t)
	cairn := servertest.Start(t)
	rc, cc := servertest.Dial(t, redis.addr), servertest.Dial(t, cairn.Addr())
	rc.Do("SELECT", "9")
	cc.Do("SELECT", "9")
	t.Cleanup(func() { rc.Do("FLUSHDB") })
	for seed := uint64(1); seed <= 4; seed++ {
		rc.Do("FLUSHDB")
		cc.Do("FLUSHDB")
		ops(t, rand.New(rand.NewPCG(seed, stream)), rc, cc)
	}
}

func randomCollectionOps(t *testing.T, r *rand.Rand, rc, cc *servertest.Conn) {
	member := func() string { return fmt.Sprintf("m%03d", r.IntN(300)) }
	score := func() string {
		switch r.IntN(10) {
		case 0:
			return "-inf"
		case 1:
			return "+inf"
		case 2:
			return fmt.Sprintf("%d.%d", r.IntN(50)-25, r.IntN(10))
		}
		return fmt.Sprint(r.IntN(40) - 20)
	}
	bound := func() string {
		s := score()
		if r.IntN(3) == 0 {
			return "(" + s
		}
		return s
	}
	lex := func() string {
		switch r.IntN(8) {
		case 0:
			return "-"
		case 1:
			return "+"
		}
		return [...]string{"[", "("}[r.IntN(2)] + member()
	}
	key := func(p string) string { return fmt.Sprintf("%s%d", p, r.IntN(3)) }
	gens := []func() (args []string, unordered bool){
		func() ([]string, bool) {
			a := []string{"ZADD", key("z")}
			a = append(a, [...][]string{nil, {"NX"}, {"XX"}, {"GT", "CH"}, {"LT"}, {"CH"}}[r.IntN(6)]...)
			for i := 0; i < 1+r.IntN(30); i++ {
				a = append(a, score(), member())
			}
			return a, false
		},
		func() ([]string, bool) {
			a := []string{"ZADD", key("l")}
			for i := 0; i < 1+r.IntN(30); i++ {
				a = append(a, "0", member())
			}
			return a, false
		},
		func() ([]string, bool) { return []string{"ZINCRBY", key("z"), score(), member()}, false },
		func() ([]string, bool) { return []string{"ZREM", key("z"), member(), member()}, false },
		func() ([]string, bool) {
			return []string{"ZRANGE", key("z"), fmt.Sprint(r.IntN(40) - 20), fmt.Sprint(r.IntN(40) - 20), "WITHSCORES"}, false
		},
		func() ([]string, bool) {
			a := []string{"ZRANGE", key("z"), bound(), bound(), "BYSCORE"}
			if r.IntN(2) == 0 {
				a = append(a, "REV")
			}
			if r.IntN(2) == 0 {
				a = append(a, "LIMIT", fmt.Sprint(r.IntN(5)), fmt.Sprint(r.IntN(8)-1))
			}
			return append(a, "WITHSCORES"), false
		},
		func() ([]string, bool) {
			// Lex ranges are defined only when all scores are equal.
			a := []string{"ZRANGE", key("l"), lex(), lex(), "BYLEX"}
			if r.IntN(2) == 0 {
				a = append(a, "REV")
			}
			return a, false
		},
		func() ([]string, bool) { return []string{"ZCOUNT", key("z"), bound(), bound()}, false },
		func() ([]string, bool) { return []string{"ZLEXCOUNT", key("l"), lex(), lex()}, false },
		func() ([]string, bool) { return []string{"ZRANK", key("z"), member()}, false },
		func() ([]string, bool) { return []string{"ZREVRANK", key("z"), member()}, false },
		func() ([]string, bool) { return []string{"ZSCORE", key("z"), member()}, false },
		func() ([]string, bool) {
			return []string{"ZREMRANGEBYSCORE", key("z"), bound(), bound()}, false
		},
		func() ([]string, bool) {
			return []string{"ZREMRANGEBYRANK", key("z"), fmt.Sprint(r.IntN(10) - 5), fmt.Sprint(r.IntN(10) - 5)}, false
		},
		func() ([]string, bool) { return []string{"ZREMRANGEBYLEX", key("l"), lex(), lex()}, false },
		func() ([]string, bool) { return []string{"ZPOPMIN", key("z"), fmt.Sprint(r.IntN(3))}, false },
		func() ([]string, bool) { return []string{"ZPOPMAX", key("z")}, false },
		func() ([]string, bool) {
			op := [...]string{"ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE"}[r.IntN(3)]
			a := []string{op, key("z"), "2", key("z"), key("z")}
			if op != "ZDIFFSTORE" && r.IntN(2) == 0 {
				a = append(a, "WEIGHTS", score(), "2", "AGGREGATE", [...]string{"SUM", "MIN", "MAX"}[r.IntN(3)])
			}
			return a, false
		},
		func() ([]string, bool) { return []string{"ZCARD", key("z")}, false },
		func() ([]string, bool) {
			a := []string{"HSET", key("h")}
			for i := 0; i < 1+r.IntN(40); i++ {
				a = append(a, member(), strings.Repeat("v", r.IntN(70)))
			}
			return a, false
		},
		func() ([]string, bool) { return []string{"HDEL", key("h"), member(), member(), member()}, false },
		func() ([]string, bool) { return []string{"HGET", key("h"), member()}, false },
		func() ([]string, bool) { return []string{"HINCRBY", key("h"), "n" + member(), "3"}, false },
		func() ([]string, bool) { return []string{"HLEN", key("h")}, false },
		func() ([]string, bool) { return []string{"HGETALL", key("h")}, true },
		func() ([]string, bool) {
			a := []string{"SADD", key("s")}
			for i := 0; i < 1+r.IntN(40); i++ {
				if r.IntN(2) == 0 {
					a = append(a, fmt.Sprint(r.IntN(600)))
				} else {
					a = append(a, member())
				}
			}
			return a, false
		},
		func() ([]string, bool) { return []string{"SREM", key("s"), member(), fmt.Sprint(r.IntN(600))}, false },
		func() ([]string, bool) { return []string{"SCARD", key("s")}, false },
		func() ([]string, bool) { return []string{"SMEMBERS", key("s")}, true },
		func() ([]string, bool) {
			op := [...]string{"SINTER", "SUNION", "SDIFF"}[r.IntN(3)]
			return []string{op, key("s"), key("s")}, true
		},
		func() ([]string, bool) {
			op := [...]string{"SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"}[r.IntN(3)]
			return []string{op, key("s"), key("s"), key("s")}, false
		},
		func() ([]string, bool) { return []string{"SORT", key("s"), "ALPHA", "LIMIT", "0", "10"}, false },
		func() ([]string, bool) {
			return []string{"SORT", key("z"), "BY", "nosort", "DESC", "LIMIT", "1", "5"}, false
		},
		func() ([]string, bool) { return []string{"OBJECT", "ENCODING", key("z")}, false },
		func() ([]string, bool) { return []string{"OBJECT", "ENCODING", key("h")}, false },
	}
	runRandomCommands(t, r, rc, cc, gens, 4000)
}

// runRandomCommands sends steps commands, each from a generator r picks,
// to redis-server (rc) and Cairn (cc) and fails at the first reply that
// differs (compared sorted where the generator says the order is
// unspecified), with the commands that led to it.
func runRandomCommands(t *testing.T, r *rand.Rand, rc, cc *servertest.Conn, gens []func() ([]string, bool), steps int) {
	t.Helper()
	var trail commandTrail
	for i := 0; i < steps; i++ {
		args, unordered := gens[r.IntN(len(gens))]()
		want, got := rc.Do(args...), cc.Do(args...)
		if unordered {
			want, got = sortedReply(want), sortedReply(got)
		}
		trail.add(strings.Join(args, " "))
		if want != got {
			t.Fatalf("step %d: %s\n redis: %q\n cairn: %q\nthe commands before it:\n%s",
				i, strings.Join(args, " "), want, got, trail.before())
		}
	}
}

// commandTrail is the last commands of a random run, for the message of
// a reply that differs.
type commandTrail []string

func (tr *commandTrail) add(cmd string) {
	if *tr = append(*tr, cmd); len(*tr) > 20 {
		*tr = (*tr)[1:]
	}
}

// before lists the commands before the last one added.
func (tr commandTrail) before() string { return strings.Join(tr[:len(tr)-1], "\n") }
