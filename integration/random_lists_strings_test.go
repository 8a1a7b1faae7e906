package integration

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/cairn-db/cairn/server/servertest"
)

// TestRandomListsAndStringsAgainstRedis sends the same random stream of
// list and string commands (in-place edits, bit operations, LCS, moves
// between keys and types) to redis-server and Cairn and compares every
// reply, OBJECT ENCODING included. A longer run of it found RENAME
// dropping a string's raw encoding.
func TestRandomListsAndStringsAgainstRedis(t *testing.T) {
	eachRandomSeed(t, 3, randomListStringOps)
}

func randomListStringOps(t *testing.T, r *rand.Rand, rc, cc *servertest.Conn) {
	elem := func() string {
		switch r.IntN(6) {
		case 0:
			return fmt.Sprint(r.IntN(20) - 10)
		case 1:
			return strings.Repeat("x", r.IntN(100))
		}
		return fmt.Sprintf("e%d", r.IntN(15))
	}
	idx := func() string { return fmt.Sprint(r.IntN(30) - 15) }
	key := func(p string) string { return fmt.Sprintf("%s%d", p, r.IntN(3)) }
	num := func() string {
		switch r.IntN(8) {
		case 0:
			return "9223372036854775807"
		case 1:
			return "-9223372036854775808"
		case 2:
			return "1.5"
		case 3:
			return "abc"
		}
		return fmt.Sprint(r.IntN(2000) - 1000)
	}
	either := func(a, b string) string { return [...]string{a, b}[r.IntN(2)] }
	gens := []func() ([]string, bool){
		func() ([]string, bool) {
			a := []string{[...]string{"LPUSH", "RPUSH", "LPUSHX", "RPUSHX"}[r.IntN(4)], key("l")}
			for i := 0; i < 1+r.IntN(8); i++ {
				a = append(a, elem())
			}
			return a, false
		},
		func() ([]string, bool) {
			a := []string{either("LPOP", "RPOP"), key("l")}
			if r.IntN(2) == 0 {
				a = append(a, fmt.Sprint(r.IntN(5)))
			}
			return a, false
		},
		func() ([]string, bool) { return []string{"LRANGE", key("l"), idx(), idx()}, false },
		func() ([]string, bool) { return []string{"LINDEX", key("l"), idx()}, false },
		func() ([]string, bool) { return []string{"LSET", key("l"), idx(), elem()}, false },
		func() ([]string, bool) {
			return []string{"LINSERT", key("l"), either("BEFORE", "AFTER"), elem(), elem()}, false
		},
		func() ([]string, bool) { return []string{"LREM", key("l"), fmt.Sprint(r.IntN(7) - 3), elem()}, false },
		func() ([]string, bool) { return []string{"LTRIM", key("l"), idx(), idx()}, false },
		func() ([]string, bool) {
			a := []string{"LPOS", key("l"), elem()}
			if r.IntN(2) == 0 {
				a = append(a, "RANK", fmt.Sprint([]int{1, -1, 2, -2, 3}[r.IntN(5)]))
			}
			if r.IntN(2) == 0 {
				a = append(a, "COUNT", fmt.Sprint(r.IntN(4)))
			}
			if r.IntN(2) == 0 {
				a = append(a, "MAXLEN", fmt.Sprint(r.IntN(10)))
			}
			return a, false
		},
		func() ([]string, bool) {
			return []string{"LMOVE", key("l"), key("l"), either("LEFT", "RIGHT"), either("LEFT", "RIGHT")}, false
		},
		func() ([]string, bool) { return []string{"LLEN", key("l")}, false },
		func() ([]string, bool) { return []string{"OBJECT", "ENCODING", key("l")}, false },
		func() ([]string, bool) { return []string{"SORT", key("l"), "ALPHA", "LIMIT", "0", "5"}, false },
		func() ([]string, bool) { return []string{"SET", key("s"), elem()}, false },
		func() ([]string, bool) { return []string{"APPEND", key("s"), elem()}, false },
		func() ([]string, bool) { return []string{"SETRANGE", key("s"), fmt.Sprint(r.IntN(120)), elem()}, false },
		func() ([]string, bool) { return []string{"GETRANGE", key("s"), idx(), idx()}, false },
		func() ([]string, bool) { return []string{either("INCRBY", "DECRBY"), key("s"), num()}, false },
		func() ([]string, bool) { return []string{"STRLEN", key("s")}, false },
		func() ([]string, bool) { return []string{"GETDEL", key("s")}, false },
		func() ([]string, bool) { return []string{"GETSET", key("s"), elem()}, false },
		func() ([]string, bool) {
			return []string{"SETBIT", key("s"), fmt.Sprint(r.IntN(900)), fmt.Sprint(r.IntN(2))}, false
		},
		func() ([]string, bool) { return []string{"GETBIT", key("s"), fmt.Sprint(r.IntN(900))}, false },
		func() ([]string, bool) {
			a := []string{"BITCOUNT", key("s")}
			if r.IntN(2) == 0 {
				a = append(a, idx(), idx())
				if r.IntN(2) == 0 {
					a = append(a, either("BYTE", "BIT"))
				}
			}
			return a, false
		},
		func() ([]string, bool) {
			a := []string{"BITPOS", key("s"), fmt.Sprint(r.IntN(2))}
			for _, more := range []func() string{idx, idx, func() string { return either("BYTE", "BIT") }} {
				if r.IntN(2) == 0 {
					break
				}
				a = append(a, more())
			}
			return a, false
		},
		func() ([]string, bool) {
			return []string{"BITOP", [...]string{"AND", "OR", "XOR"}[r.IntN(3)], key("s"), key("s"), key("s")}, false
		},
		func() ([]string, bool) { return []string{"LCS", key("s"), key("s")}, false },
		func() ([]string, bool) {
			return []string{"LCS", key("s"), key("s"), "IDX", "MINMATCHLEN", fmt.Sprint(r.IntN(3)), "WITHMATCHLEN"}, false
		},
		func() ([]string, bool) { return []string{"GET", key("s")}, false },
		func() ([]string, bool) { return []string{"TYPE", key("s")}, false },
		func() ([]string, bool) { return []string{"OBJECT", "ENCODING", key("s")}, false },
		func() ([]string, bool) { return []string{"MSETNX", key("s"), elem(), key("s"), elem()}, false },
		func() ([]string, bool) { return []string{"RENAME", key("s"), key("l")}, false },
		func() ([]string, bool) { return []string{"COPY", key("l"), key("s"), "REPLACE"}, false },
	}
	runRandomCommands(t, r, rc, cc, gens, 3000)
}
