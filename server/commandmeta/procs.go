package commandmeta

import "bytes"

// keyProc finds a command's keys with code of its own, as Redis 7.0's
// getkeys_proc functions (db.c), flags included: Redis falls back to them
// when the key specs do not apply, and the fallbacks' flags are part of
// what COMMAND GETKEYSANDFLAGS answers (none, for most).
type keyProc func(args [][]byte) []KeyRef

var keyProcs = map[string]keyProc{
	"set":               setKeys,
	"bitfield":          bitfieldKeys,
	"zunionstore":       numKeys(1, 2, 3),
	"zinterstore":       numKeys(1, 2, 3),
	"zdiffstore":        numKeys(1, 2, 3),
	"zunion":            numKeys(0, 1, 2),
	"zinter":            numKeys(0, 1, 2),
	"zdiff":             numKeys(0, 1, 2),
	"zintercard":        numKeys(0, 1, 2),
	"sintercard":        numKeys(0, 1, 2),
	"lmpop":             numKeys(0, 1, 2),
	"zmpop":             numKeys(0, 1, 2),
	"blmpop":            numKeys(0, 2, 3),
	"bzmpop":            numKeys(0, 2, 3),
	"eval":              numKeys(0, 2, 3),
	"evalsha":           numKeys(0, 2, 3),
	"eval_ro":           numKeys(0, 2, 3),
	"evalsha_ro":        numKeys(0, 2, 3),
	"fcall":             numKeys(0, 2, 3),
	"fcall_ro":          numKeys(0, 2, 3),
	"sort":              sortKeys,
	"sort_ro":           func([][]byte) []KeyRef { return []KeyRef{{1, flagsROAccess}} },
	"georadius":         georadiusKeys,
	"georadiusbymember": georadiusKeys,
	"xread":             xreadKeys,
	"xreadgroup":        xreadKeys,
	"migrate":           migrateKeys,
}

var (
	flagsRWAccessDelete = []string{"RW", "access", "delete"}
	flagsROAccess       = []string{"RO", "access"}
	flagsOWUpdate       = []string{"OW", "update"}
	flagsRWAccessUpdate = []string{"RW", "access", "update"}
)

// numKeys is Redis's genericGetKeys: a count at index count (read with
// C's atoi), the keys from index first, then the destination at index
// store when store > 0; no flags. A count out of range finds no key.
func numKeys(store, count, first int) keyProc {
	return func(args [][]byte) []KeyRef {
		n := atoi(args[count])
		if n < 1 || n > len(args)-first {
			return nil
		}
		keys := make([]KeyRef, 0, n+1)
		for i := 0; i < n; i++ {
			keys = append(keys, KeyRef{Pos: first + i})
		}
		if store > 0 {
			keys = append(keys, KeyRef{Pos: store})
		}
		return keys
	}
}

// setKeys: SET's key is read too when GET is given.
func setKeys(args [][]byte) []KeyRef {
	for _, a := range args[min(3, len(args)):] {
		if bytes.EqualFold(a, []byte("get")) {
			return []KeyRef{{1, flagsRWAccessUpdate}}
		}
	}
	return []KeyRef{{1, flagsOWUpdate}}
}

// bitfieldKeys: BITFIELD's key is only read when every operation is GET
// (or OVERFLOW); a syntax error counts as a write.
func bitfieldKeys(args [][]byte) []KeyRef {
	readonly := true
loop:
	for i := 2; i < len(args); i++ {
		rem := len(args) - i - 1
		switch a := args[i]; {
		case bytes.EqualFold(a, []byte("get")) && rem >= 2:
			i += 2
		case (bytes.EqualFold(a, []byte("set")) || bytes.EqualFold(a, []byte("incrby"))) && rem >= 3:
			readonly = false
			break loop
		case bytes.EqualFold(a, []byte("overflow")) && rem >= 1:
			i++
		default:
			readonly = false
			break loop
		}
	}
	if readonly {
		return []KeyRef{{1, flagsROAccess}}
	}
	return []KeyRef{{1, flagsRWAccessUpdate}}
}

// sortKeys: SORT's key and the last STORE's destination, skipping the
// arguments of LIMIT, GET and BY as Redis's sortGetKeys does (which
// checks STORE before it skips, so "STORE GET" stores to GET and then
// skips what follows).
func sortKeys(args [][]byte) []KeyRef {
	keys := []KeyRef{{1, flagsROAccess}}
	store := 0
	for i := 2; i < len(args); i++ {
		a := args[i]
		switch {
		case bytes.EqualFold(a, []byte("limit")):
			i += 2
		case bytes.EqualFold(a, []byte("store")) && i+1 < len(args):
			store = i + 1
		case bytes.EqualFold(a, []byte("get")), bytes.EqualFold(a, []byte("by")):
			i++
		}
	}
	if store > 0 {
		keys = append(keys, KeyRef{store, flagsOWUpdate})
	}
	return keys
}

// georadiusKeys: the key, and the last STORE or STOREDIST destination
// (from index 5); no flags.
func georadiusKeys(args [][]byte) []KeyRef {
	stored := 0
	for i := 5; i < len(args); i++ {
		a := args[i]
		if (bytes.EqualFold(a, []byte("store")) || bytes.EqualFold(a, []byte("storedist"))) && i+1 < len(args) {
			stored = i + 1
			i++
		}
	}
	keys := []KeyRef{{Pos: 1}}
	if stored > 0 {
		keys = append(keys, KeyRef{Pos: stored})
	}
	return keys
}

// xreadKeys: the first half of what follows STREAMS, after the options
// BLOCK, COUNT, GROUP and NOACK; no flags.
func xreadKeys(args [][]byte) []KeyRef {
	streams := -1
	for i := 1; i < len(args); i++ {
		a := args[i]
		if bytes.EqualFold(a, []byte("block")) || bytes.EqualFold(a, []byte("count")) {
			i++
		} else if bytes.EqualFold(a, []byte("group")) {
			i += 2
		} else if bytes.EqualFold(a, []byte("noack")) {
		} else if bytes.EqualFold(a, []byte("streams")) {
			streams = i
			break
		} else {
			break
		}
	}
	if streams < 0 {
		return nil
	}
	n := len(args) - streams - 1
	if n == 0 || n%2 != 0 {
		return nil
	}
	keys := make([]KeyRef, 0, n/2)
	for i := streams + 1; i < len(args)-n/2; i++ {
		keys = append(keys, KeyRef{Pos: i})
	}
	return keys
}

// migrateKeys is Redis's migrateGetKeys: the key at index 3, or with the
// KEYS option (and an empty key there) every argument after it, skipping
// the arguments of AUTH and AUTH2 on the way.
func migrateKeys(args [][]byte) []KeyRef {
	first, n := 3, 1
	for i := 6; i < len(args); i++ {
		a := args[i]
		if bytes.EqualFold(a, []byte("keys")) {
			if len(args[3]) > 0 {
				return nil
			}
			first, n = i+1, len(args)-i-1
			break
		}
		switch {
		case bytes.EqualFold(a, []byte("auth")):
			i++
		case bytes.EqualFold(a, []byte("auth2")):
			i += 2
		}
	}
	keys := make([]KeyRef, n)
	for i := range keys {
		keys[i] = KeyRef{Pos: first + i, Flags: flagsRWAccessDelete}
	}
	return keys
}
