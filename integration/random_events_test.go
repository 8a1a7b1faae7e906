package integration

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/cairn-db/cairn/server/servertest"
)

// TestRandomKeyspaceEventsAgainstRedis runs the same random stream of
// writes of every type (and MOVE, COPY, SWAPDB, FLUSHDB, scripts) on
// redis-server and Cairn with notify-keyspace-events KEA, and after each
// command compares the reply and every keyspace and keyevent message a
// subscriber got, in order. A PUBLISH on a channel of its own after each
// command marks where the command's events end.
func TestRandomKeyspaceEventsAgainstRedis(t *testing.T) {
	redis := ownRedis(t) // FLUSHALL, CONFIG SET
	cairn := servertest.Start(t)
	type side struct{ cmd, sub *servertest.Conn }
	open := func(addr string) side {
		s := side{servertest.Dial(t, addr), servertest.Dial(t, addr)}
		s.cmd.Do("CONFIG", "SET", "notify-keyspace-events", "KEA")
		s.cmd.Do("FLUSHALL")
		s.sub.Do("PSUBSCRIBE", "__key*__:*")
		s.sub.Do("SUBSCRIBE", "sync")
		return s
	}
	rs, cs := open(redis.addr), open(cairn.Addr())
	// events returns the messages s's subscriber got since the last call.
	events := func(s side) string {
		s.cmd.Do("PUBLISH", "sync", "x")
		var out []string
		for {
			m, err := s.sub.ReadErr(2 * time.Second)
			if err != nil {
				return strings.Join(out, "\n") + "\nTIMEOUT"
			}
			if strings.Contains(m, "$4\r\nsync\r\n") {
				return strings.Join(out, "\n")
			}
			out = append(out, m)
		}
	}
	lastID := 0
	id := func() string { lastID++; return fmt.Sprint(lastID, "-1") } // no clock in the replies
	for seed := uint64(1); seed <= 3; seed++ {
		r := rand.New(rand.NewPCG(seed, 13))
		k := func() string { return fmt.Sprint([...]string{"s", "l", "h", "z", "t", "x"}[r.IntN(6)], r.IntN(2)) }
		n := func() string { return fmt.Sprint(r.IntN(6)) }
		gens := []func() []string{
			func() []string { return []string{"SET", k(), n()} },
			func() []string { return []string{"SET", k(), n(), "EX", "100"} },
			func() []string { return []string{"SET", k(), n(), "PX", "0"} },
			func() []string { return []string{"GETEX", k(), "EX", "100"} },
			func() []string { return []string{"GETEX", k(), "PERSIST"} },
			func() []string { return []string{"GETDEL", k()} },
			func() []string { return []string{"INCRBY", k(), n()} },
			func() []string { return []string{"INCRBYFLOAT", k(), "1.5"} },
			func() []string { return []string{"APPEND", k(), "ab"} },
			func() []string { return []string{"SETRANGE", k(), n(), "zz"} },
			func() []string { return []string{"SETBIT", k(), n(), "1"} },
			func() []string { return []string{"BITOP", "OR", k(), k(), k()} },
			func() []string { return []string{"MSET", k(), n(), k(), n()} },
			func() []string { return []string{"MSETNX", k(), n(), k(), n()} },
			func() []string { return []string{"DEL", k(), k()} },
			func() []string { return []string{"UNLINK", k()} },
			func() []string { return []string{"EXPIRE", k(), "100"} },
			func() []string { return []string{"EXPIRE", k(), "0"} },
			func() []string { return []string{"PERSIST", k()} },
			func() []string { return []string{"RENAME", k(), k()} },
			func() []string { return []string{"COPY", k(), k(), "REPLACE"} },
			func() []string { return []string{"MOVE", k(), "1"} },
			func() []string { return []string{"LPUSH", k(), n(), n()} },
			func() []string { return []string{"RPUSHX", k(), n()} },
			func() []string { return []string{"LPOP", k()} },
			func() []string { return []string{"RPOP", k(), "2"} },
			func() []string { return []string{"LSET", k(), "0", n()} },
			func() []string { return []string{"LINSERT", k(), "BEFORE", n(), "q"} },
			func() []string { return []string{"LREM", k(), "0", n()} },
			func() []string { return []string{"LTRIM", k(), "1", "-1"} },
			func() []string { return []string{"LMOVE", k(), k(), "LEFT", "RIGHT"} },
			func() []string { return []string{"LMPOP", "2", k(), k(), "LEFT", "COUNT", "2"} },
			func() []string { return []string{"RPOPLPUSH", k(), k()} },
			func() []string { return []string{"HSET", k(), n(), n()} },
			func() []string { return []string{"HDEL", k(), n(), n()} },
			func() []string { return []string{"HINCRBY", k(), n(), "1"} },
			func() []string { return []string{"HINCRBYFLOAT", k(), n(), "0.5"} },
			func() []string { return []string{"HSETNX", k(), n(), n()} },
			func() []string { return []string{"SADD", k(), n(), n()} },
			func() []string { return []string{"SREM", k(), n()} },
			func() []string { return []string{"SPOP", k(), "10"} },
			func() []string { return []string{"SMOVE", k(), k(), n()} },
			func() []string { return []string{"SINTERSTORE", k(), k(), k()} },
			func() []string { return []string{"SUNIONSTORE", k(), k(), k()} },
			func() []string { return []string{"SDIFFSTORE", k(), k(), k()} },
			func() []string { return []string{"ZADD", k(), n(), n()} },
			func() []string { return []string{"ZINCRBY", k(), "1", n()} },
			func() []string { return []string{"ZREM", k(), n()} },
			func() []string { return []string{"ZPOPMIN", k()} },
			func() []string { return []string{"ZMPOP", "2", k(), k(), "MAX", "COUNT", "2"} },
			func() []string { return []string{"ZREMRANGEBYSCORE", k(), "0", "2"} },
			func() []string { return []string{"ZREMRANGEBYRANK", k(), "0", "0"} },
			func() []string { return []string{"ZUNIONSTORE", k(), "2", k(), k()} },
			func() []string { return []string{"ZINTERSTORE", k(), "2", k(), k()} },
			func() []string { return []string{"ZDIFFSTORE", k(), "2", k(), k()} },
			func() []string { return []string{"ZRANGESTORE", k(), k(), "0", "-1"} },
			func() []string { return []string{"XADD", k(), id(), "f", n()} },
			func() []string { return []string{"XADD", k(), "NOMKSTREAM", "MAXLEN", "2", id(), "f", n()} },
			func() []string { return []string{"XTRIM", k(), "MAXLEN", "1"} },
			func() []string { return []string{"XDEL", k(), "0-1"} },
			func() []string { return []string{"XGROUP", "CREATE", k(), "g", "0", "MKSTREAM"} },
			func() []string { return []string{"XGROUP", "CREATECONSUMER", k(), "g", "c" + n()} },
			func() []string { return []string{"XGROUP", "DELCONSUMER", k(), "g", "c" + n()} },
			func() []string { return []string{"XGROUP", "SETID", k(), "g", "$"} },
			func() []string { return []string{"XGROUP", "DESTROY", k(), "g"} },
			func() []string {
				return []string{"XREADGROUP", "GROUP", "g", "c" + n(), "COUNT", "1", "STREAMS", k(), ">"}
			},
			func() []string { return []string{"XAUTOCLAIM", k(), "g", "c" + n(), "0", "0"} },
			func() []string { return []string{"XSETID", k(), "99999999999999-0"} },
			func() []string { return []string{"SORT", k(), "ALPHA", "STORE", k()} },
			func() []string { return []string{"PFADD", k(), n()} },
			func() []string { return []string{"PFMERGE", k(), k()} },
			func() []string { return []string{"GEOADD", k(), "1", "1", n()} },
			func() []string {
				return []string{"GEOSEARCHSTORE", k(), k(), "FROMLONLAT", "1", "1", "BYRADIUS", "100", "km"}
			},
			func() []string { return []string{"SWAPDB", "0", "1"} },
			func() []string { return []string{"FLUSHDB"} },
			func() []string {
				return []string{"EVAL", "redis.call('set', KEYS[1], 'v'); return redis.call('del', KEYS[1])", "1", k()}
			},
		}
		var trail commandTrail
		for i := range 1500 {
			args := gens[r.IntN(len(gens))]()
			wr, wc := rs.cmd.Do(args...), cs.cmd.Do(args...)
			trail.add(strings.Join(args, " "))
			if wr != wc {
				t.Fatalf("seed %d step %d: %s\n redis: %q\n cairn: %q\nthe commands before it:\n%s",
					seed, i, strings.Join(args, " "), wr, wc, trail.before())
			}
			er, ec := events(rs), events(cs)
			if er != ec {
				t.Fatalf("seed %d step %d: the events of %s\n redis: %q\n cairn: %q\nthe commands before it:\n%s",
					seed, i, strings.Join(args, " "), er, ec, trail.before())
			}
		}
	}
}
