package integration

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/cairn-db/cairn/server/servertest"
)

// TestRandomKeyspaceAgainstRedis sends the same random stream of keyspace
// commands (absolute expiry times with NX/XX/GT/LT, PERSIST, GETEX,
// RENAME, COPY), long-double arithmetic (INCRBYFLOAT, HINCRBYFLOAT on
// values beyond a double's range), HyperLogLogs and geo sets, over keys
// that change type, to redis-server and Cairn and compares every reply.
// Expiry times are absolute and far off, so no reply depends on the
// moment each server reads its clock.
func TestRandomKeyspaceAgainstRedis(t *testing.T) {
	eachRandomSeed(t, 11, randomKeyspaceOps)
}

func randomKeyspaceOps(t *testing.T, r *rand.Rand, rc, cc *servertest.Conn) {
	key := func() string {
		return fmt.Sprintf("%s%d", [...]string{"s", "h", "l", "f", "p", "g"}[r.IntN(6)], r.IntN(3))
	}
	float := func() string {
		switch r.IntN(17) {
		case 0:
			return "1e400" // a long double, not a double
		case 1:
			return "-1e-400"
		case 2:
			return "0x1p3"
		case 3:
			return "inf"
		case 4:
			return "1e4933" // beyond a long double
		case 5:
			return "3.0e-5"
		case 6:
			return fmt.Sprintf("%d.%06d", r.IntN(2000)-1000, r.IntN(1000000))
		case 7:
			return fmt.Sprintf("%de%d", r.IntN(20)-10, r.IntN(40)-20)
		case 8:
			return "-0"
		case 9:
			return "0.1"
		case 10:
			return "1e-5000" // underflows a long double
		case 11:
			return "INF"
		case 12:
			return "0b1" // Go's syntax, not C's
		}
		return fmt.Sprint(r.IntN(200) - 100)
	}
	field := func() string { return fmt.Sprint("f", r.IntN(3)) }
	member := func() string { return fmt.Sprint("m", r.IntN(6)) }
	when := func() string { return fmt.Sprint(4000000000 + r.IntN(5)*1000) }
	expireOpts := func() []string {
		return [][]string{nil, {"NX"}, {"XX"}, {"GT"}, {"LT"}, {"NX", "GT"}, {"XX", "LT"}}[r.IntN(7)]
	}
	gens := []func() ([]string, bool){
		func() ([]string, bool) { return []string{"SET", key(), float()}, false },
		func() ([]string, bool) { return []string{"INCRBYFLOAT", key(), float()}, false },
		func() ([]string, bool) { return []string{"INCRBY", key(), fmt.Sprint(r.IntN(100) - 50)}, false },
		func() ([]string, bool) { return []string{"HINCRBYFLOAT", key(), field(), float()}, false },
		func() ([]string, bool) { return []string{"HSET", key(), field(), float()}, false },
		func() ([]string, bool) { return []string{"HGETALL", key()}, true },
		func() ([]string, bool) { return []string{"GET", key()}, false },
		func() ([]string, bool) { return []string{"TYPE", key()}, false },
		func() ([]string, bool) { return []string{"STRLEN", key()}, false },
		func() ([]string, bool) { return []string{"APPEND", key(), float()}, false },
		func() ([]string, bool) { return []string{"SETRANGE", key(), fmt.Sprint(r.IntN(20)), float()}, false },
		func() ([]string, bool) {
			return []string{"GETRANGE", key(), fmt.Sprint(r.IntN(20) - 10), fmt.Sprint(r.IntN(20) - 10)}, false
		},
		func() ([]string, bool) { return []string{"RPUSH", key(), float(), float()}, false },
		func() ([]string, bool) { return append([]string{"EXPIREAT", key(), when()}, expireOpts()...), false },
		func() ([]string, bool) {
			return append([]string{"PEXPIREAT", key(), when() + "123"}, expireOpts()...), false
		},
		func() ([]string, bool) { return []string{"EXPIRETIME", key()}, false },
		func() ([]string, bool) { return []string{"PEXPIRETIME", key()}, false },
		func() ([]string, bool) { return []string{"PERSIST", key()}, false },
		func() ([]string, bool) { return []string{"GETEX", key(), "PERSIST"}, false },
		func() ([]string, bool) { return []string{"GETEX", key(), "EXAT", when()}, false },
		func() ([]string, bool) { return []string{"GETDEL", key()}, false },
		func() ([]string, bool) { return []string{"RENAME", key(), key()}, false },
		func() ([]string, bool) { return []string{"RENAMENX", key(), key()}, false },
		func() ([]string, bool) {
			a := []string{"COPY", key(), key()}
			if r.IntN(2) == 0 {
				a = append(a, "REPLACE")
			}
			return a, false
		},
		func() ([]string, bool) { return []string{"EXISTS", key(), key(), key()}, false },
		func() ([]string, bool) { return []string{"DEL", key()}, false },
		func() ([]string, bool) { return []string{"KEYS", "*"}, true },
		func() ([]string, bool) { return []string{"DBSIZE"}, false },
		func() ([]string, bool) {
			a := []string{"PFADD", key()}
			for range r.IntN(30) {
				a = append(a, fmt.Sprint(r.IntN(3000)))
			}
			return a, false
		},
		func() ([]string, bool) { return []string{"PFCOUNT", key()}, false },
		func() ([]string, bool) { return []string{"PFCOUNT", key(), key()}, false },
		func() ([]string, bool) { return []string{"PFMERGE", key(), key(), key()}, false },
		func() ([]string, bool) {
			lon := fmt.Sprintf("%d.%d", r.IntN(360)-180, r.IntN(100))
			lat := fmt.Sprintf("%d.%d", r.IntN(170)-85, r.IntN(100))
			return []string{"GEOADD", key(), lon, lat, member()}, false
		},
		func() ([]string, bool) { return []string{"GEODIST", key(), member(), member(), "km"}, false },
		func() ([]string, bool) { return []string{"GEOPOS", key(), member(), "m9"}, false },
		func() ([]string, bool) { return []string{"GEOHASH", key(), member()}, false },
		func() ([]string, bool) {
			return []string{"GEOSEARCH", key(), "FROMLONLAT", "0", "0", "BYRADIUS", fmt.Sprint(r.IntN(20000)), "km",
				"ASC", "WITHDIST", "WITHCOORD", "WITHHASH"}, false
		},
	}
	runRandomCommands(t, r, rc, cc, gens, 3000)
}
