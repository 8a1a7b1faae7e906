package integration

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/cairn-db/cairn/server/servertest"
)

// TestRandomACLRulesAgainstRedis gives two users random ACL SETUSER rules
// (passwords, key patterns with %R/%W, channels, categories, commands,
// subcommands and first arguments, selectors, resets, malformed rules) on
// a fresh redis-server and on Cairn, and asks ACL DRYRUN whether each
// user may run a random command line: every reply, SETUSER's errors
// included, must be the same. (ACL LIST's rendering of command rules is
// not compared: Redis 7.0 rebuilds it from its bitmap in hash-table
// order, Cairn keeps the rules as given, as 7.2 does.)
func TestRandomACLRulesAgainstRedis(t *testing.T) {
	redis := ownRedis(t) // the users must not leak into other tests
	rc, cc := servertest.Dial(t, redis.addr), servertest.Dial(t, servertest.Start(t).Addr())
	for seed := uint64(1); seed <= 4; seed++ {
		rc.Do("ACL", "DELUSER", "u0", "u1")
		cc.Do("ACL", "DELUSER", "u0", "u1")
		randomACLOps(t, rand.New(rand.NewPCG(seed, 7)), rc, cc)
	}
}

func randomACLOps(t *testing.T, r *rand.Rand, rc, cc *servertest.Conn) {
	user := func() string { return fmt.Sprint("u", r.IntN(2)) }
	pick := func(s ...string) string { return s[r.IntN(len(s))] }
	rule := func() string {
		switch r.IntN(16) {
		case 0:
			return pick("on", "off", "nopass", "resetpass", "allkeys", "resetkeys", "allchannels",
				"resetchannels", "allcommands", "nocommands", "clearselectors", "reset")
		case 1:
			return pick(">", "<") + "pw" + fmt.Sprint(r.IntN(3))
		case 2:
			return pick("#", "!") + strings.Repeat(pick("a", "b", "A"), 64)
		case 3, 4:
			return "~k" + pick("*", "1", "?", "[ab]")
		case 5:
			return pick("%R~r*", "%W~w*", "%RW~x*", "%X~y*", "~")
		case 6:
			return "&ch" + pick("*", "1")
		case 7, 8:
			return pick("+@all", "-@all", "+@read", "-@write", "+@string", "-@dangerous", "+@keyspace",
				"-@admin", "+@hash", "+@nosuch")
		case 9, 10:
			return pick("+get", "-get", "+set", "-set", "+config|get", "-config|set", "+client", "-client|kill",
				"+select|0", "+acl|whoami", "+get|x", "+nosuch", "+config|get|maxmemory")
		case 11:
			return pick("(~s* +get)", "(%R~q* +@read -get)", "(&ch2 +publish)", "(+@all ~* &*)", "(~a", "()")
		}
		return pick("+@list", "-@list", "+@pubsub", "-flushall")
	}
	probe := func() []string {
		return [][]string{
			{"GET", "k1"}, {"SET", "k1", "v"}, {"GET", "r1"}, {"SET", "w1", "v"}, {"GET", "w1"},
			{"SET", "r1", "v"}, {"HSET", "x1", "f", "v"}, {"CONFIG", "GET", "maxmemory"},
			{"CONFIG", "SET", "maxmemory", "0"}, {"CLIENT", "KILL", "ID", "1"}, {"SELECT", "0"},
			{"SELECT", "1"}, {"PUBLISH", "ch1", "m"}, {"PUBLISH", "ch2", "m"}, {"SUBSCRIBE", "ch2"},
			{"COPY", "r1", "w1"}, {"GET", "s1"}, {"HGET", "q1", "f"}, {"GET", "q1"}, {"ACL", "WHOAMI"},
			{"FLUSHALL"}, {"SORT", "k1", "BY", "w*"}, {"EVAL", "return 1", "1", "k1"}, {"LPUSH", "ab", "x"},
			{"LMOVE", "r1", "w1", "LEFT", "RIGHT"}, {"GET"}, {"NOSUCH"},
		}[r.IntN(27)]
	}
	gens := []func() ([]string, bool){
		func() ([]string, bool) {
			a := []string{"ACL", "SETUSER", user()}
			for range 1 + r.IntN(5) {
				a = append(a, rule())
			}
			return a, false
		},
		func() ([]string, bool) { return append([]string{"ACL", "DRYRUN", user()}, probe()...), false },
		func() ([]string, bool) { return append([]string{"ACL", "DRYRUN", user()}, probe()...), false },
		func() ([]string, bool) { return []string{"ACL", "DELUSER", user()}, false },
	}
	runRandomCommands(t, r, rc, cc, gens, 2000)
}
