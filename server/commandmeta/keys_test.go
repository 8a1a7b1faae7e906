package commandmeta

import (
	"fmt"
	"strings"
	"testing"
)

// keysOf renders Keys' answer as "key[flags] …" for a space-separated line.
func keysOf(line string) string {
	args := [][]byte{}
	for _, w := range strings.Fields(line) {
		args = append(args, []byte(w))
	}
	var out []string
	for _, k := range Keys(strings.ToLower(line[:strings.IndexByte(line, ' ')]), args) {
		out = append(out, fmt.Sprintf("%s%v", args[k.Pos], k.Flags))
	}
	return strings.Join(out, " ")
}

// TestKeys checks the key-spec interpreter and the fallback finders on
// the cases that tell them apart; the differential script
// getkeysandflags.txt checks many more against redis-server.
func TestKeys(t *testing.T) {
	for _, tc := range []struct{ line, want string }{
		{"get k", "k[RO access]"},
		{"mset a 1 b 2", "a[OW update] b[OW update]"},
		{"rename a b", "a[RW access delete] b[OW update]"},
		// keynum: the destination spec comes first
		{"zunionstore d 2 a b", "d[OW update] a[RO access] b[RO access]"},
		{"lmpop 2 a b LEFT", "a[RW access delete] b[RW access delete]"},
		// numkeys that string2ll refuses: atoi's fallback, no flags,
		// destination last
		{"zunionstore d 2x a b", "a[] b[] d[]"},
		{"zunionstore d 01 a", "a[] d[]"},
		{"zunionstore d 3 a b", ""},
		{"eval s 0", ""},
		// keyword specs: searched from startfrom, never the last argument
		{"georadius k 0 0 1 km STORE d STOREDIST e", "k[RO access] d[OW update] e[OW update]"},
		{"georadius k 0 0 1 km STORE", "k[RO access]"},
		// range with limit: half of what follows STREAMS
		{"xread COUNT 1 STREAMS a b 0 0", "a[RO access] b[RO access]"},
		{"xread STREAMS a", ""},
		// variable flags: SET's and BITFIELD's own finders
		{"set k v", "k[OW update]"},
		{"set k v get", "k[RW access update]"},
		{"bitfield k GET u8 0", "k[RO access]"},
		{"bitfield k GET u8 0 SET u8 0 1", "k[RW access update]"},
		// incomplete / unknown specs: SORT's own finder
		{"sort k BY w STORE d", "k[RO access] d[OW update]"},
		{"sort k GET store", "k[RO access]"},
	} {
		if got := keysOf(tc.line); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.line, got, tc.want)
		}
	}
}

func TestHasKeys(t *testing.T) {
	for name, want := range map[string]bool{
		"get": true, "eval": true, "sort": true, "ping": false, "publish": false, "object": false, "object|encoding": true,
	} {
		if HasKeys(name) != want {
			t.Errorf("HasKeys(%s) = %v", name, !want)
		}
	}
}

func TestAtoi(t *testing.T) {
	for in, want := range map[string]int{
		"12": 12, " 7x": 7, "-3": -3, "+4": 4, "x": 0, "": 0, "\t\n9": 9,
		"4294967297": 1, "99999999999999999999": -1, "-99999999999999999999": 0,
	} {
		if got := atoi([]byte(in)); got != want {
			t.Errorf("atoi(%q) = %d, want %d", in, got, want)
		}
	}
}

func TestCanonicalInt(t *testing.T) {
	for in, want := range map[string]bool{
		"0": true, "12": true, "-5": true, "-0": false, "01": false, "+1": false, " 1": false, "": false, "-": false, "1x": false,
	} {
		if canonicalInt([]byte(in)) != want {
			t.Errorf("canonicalInt(%q) = %v", in, !want)
		}
	}
}
