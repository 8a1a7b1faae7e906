package server

import (
	"github.com/cairn-db/cairn/protocol"
	"github.com/cairn-db/cairn/server/commandmeta"
)

// keyFinder extracts the keys of a command whose keys move with its
// arguments (a numkeys count, a STORE option), for ACL key checks.
type keyFinder func(args [][]byte) [][]byte

// movableKeys are the key finders of commands whose key positions
// (FirstKey, LastKey, Step) cannot describe their keys. A command that
// reads or writes data but has no key positions must be listed here or
// in keylessCommands: TestKeyAccessCoversCommands fails otherwise, so a
// new command cannot silently escape ~pattern restrictions.
var movableKeys = map[string]keyFinder{
	"lmpop":             numKeysAt(1, 0),
	"zmpop":             numKeysAt(1, 0),
	"blmpop":            numKeysAt(2, 0),
	"bzmpop":            numKeysAt(2, 0),
	"zunion":            numKeysAt(1, 0),
	"zinter":            numKeysAt(1, 0),
	"zdiff":             numKeysAt(1, 0),
	"zintercard":        numKeysAt(1, 0),
	"sintercard":        numKeysAt(1, 0),
	"zunionstore":       numKeysAt(2, 1),
	"zinterstore":       numKeysAt(2, 1),
	"zdiffstore":        numKeysAt(2, 1),
	"eval":              numKeysAt(2, 0),
	"evalsha":           numKeysAt(2, 0),
	"eval_ro":           numKeysAt(2, 0),
	"evalsha_ro":        numKeysAt(2, 0),
	"fcall":             numKeysAt(2, 0),
	"fcall_ro":          numKeysAt(2, 0),
	"xread":             streamsKeys,
	"xreadgroup":        streamsKeys,
	"sort":              sortKeys,
	"sort_ro":           sortKeys,
	"georadius":         georadiusKeys,
	"georadiusbymember": georadiusKeys,
	"migrate":           metaKeys("migrate"),
}

// metaKeys finds a command's keys as COMMAND GETKEYS does, with Redis's
// own finder for it (server/commandmeta), for a command rare enough that
// ACL checks need no faster one of their own.
func metaKeys(name string) keyFinder {
	return func(args [][]byte) [][]byte {
		refs := commandmeta.Keys(name, args)
		keys := make([][]byte, 0, len(refs))
		for _, r := range refs {
			if r.Pos < len(args) {
				keys = append(keys, args[r.Pos])
			}
		}
		return keys
	}
}

// keylessCommands read or write data without naming keys: whole-database
// commands, which key patterns do not restrict (as in Redis).
var keylessCommands = map[string]bool{
	"dbsize": true, "flushall": true, "flushdb": true, "keys": true,
	"randomkey": true, "scan": true, "swapdb": true, "exec": true,
	"multi": true, "discard": true, "unwatch": true,
	"save": true, "bgsave": true, "lastsave": true,
	"function|load": true, "function|delete": true, "function|flush": true, "function|restore": true,
}

// numKeysAt finds keys after a numkeys argument at index at, plus the
// destination key at index dest when dest > 0. A numkeys that is not a
// count of the arguments there finds none, as Redis's getkeys functions.
func numKeysAt(at, dest int) keyFinder {
	return func(args [][]byte) [][]byte {
		if at >= len(args) {
			return nil
		}
		n, ok := protocol.ParseInt(args[at])
		if !ok || n <= 0 || n > int64(len(args)-at-1) {
			return nil
		}
		var keys [][]byte
		if dest > 0 {
			keys = append(keys, args[dest])
		}
		return append(keys, args[at+1:at+1+int(n)]...)
	}
}

// streamsKeys are XREAD's keys: the first half of what follows STREAMS.
func streamsKeys(args [][]byte) [][]byte {
	for i := 1; i < len(args); i++ {
		if protocol.EqualFold(args[i], "streams") {
			rest := args[i+1:]
			return rest[:len(rest)/2]
		}
	}
	return nil
}

// sortKeys are SORT's key and its STORE destination.
func sortKeys(args [][]byte) [][]byte {
	if len(args) < 2 {
		return nil
	}
	keys := [][]byte{args[1]}
	for i := 2; i+1 < len(args); i++ {
		if protocol.EqualFold(args[i], "store") {
			keys = append(keys, args[i+1])
		}
	}
	return keys
}
