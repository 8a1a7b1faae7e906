package server

import "github.com/cairn-db/cairn/protocol"

// COMMAND INFO's key specs of the scripting commands. Cairn reports key
// specs for no other command but the shard channel ones (cmd_pubsub.go); these are here because clients that route
// by key (cluster-aware ones) read them to find EVAL's and FCALL's keys,
// which follow numkeys. As Redis 7.0, these commands are also
// no_mandatory_keys and movablekeys.

// numKeysSpec describes a numkeys key spec: read-only or not, and whether
// it carries Redis's note (EVALSHA's does not).
type numKeysSpec struct{ ro, notes bool }

// numKeysSpecs are the commands with a numkeys key spec.
var numKeysSpecs = map[string]numKeysSpec{
	"eval": {false, true}, "evalsha": {false, false}, "fcall": {false, true},
	"eval_ro": {true, true}, "evalsha_ro": {true, false}, "fcall_ro": {true, true},
}

// keySpecFlags are the COMMAND INFO flags a key spec implies, after the
// command's own.
func keySpecFlags(cmd *Command) []string {
	if _, ok := numKeysSpecs[cmd.FullName()]; ok {
		return []string{"no_mandatory_keys", "movablekeys"}
	}
	if _, ok := movableKeys[cmd.FullName()]; ok { // ZUNION's numkeys, SORT's STORE…
		return []string{"movablekeys"}
	}
	return nil
}

// writeKeySpecs writes cmd's key specs: Redis 7.0 sends them as a set.
func writeKeySpecs(w *protocol.Writer, cmd *Command) {
	if cmd.Flags&flagChannelKeys != 0 {
		writeChannelKeySpec(w, cmd)
		return
	}
	spec, ok := numKeysSpecs[cmd.FullName()]
	if !ok {
		w.Set(0)
		return
	}
	w.Set(1)
	if spec.notes {
		w.Map(4)
		w.BulkString("notes")
		if spec.ro {
			w.BulkString("We cannot tell how the keys will be used so we assume the worst, RO and ACCESS")
		} else {
			w.BulkString("We cannot tell how the keys will be used so we assume the worst, RW and UPDATE")
		}
	} else {
		w.Map(3)
	}
	w.BulkString("flags")
	if spec.ro {
		w.Set(2)
		w.Status("RO")
		w.Status("access")
	} else {
		w.Set(3)
		w.Status("RW")
		w.Status("access")
		w.Status("update")
	}
	w.BulkString("begin_search")
	w.Map(2)
	w.BulkString("type")
	w.BulkString("index")
	w.BulkString("spec")
	w.Map(1)
	w.BulkString("index")
	w.Int(2)
	w.BulkString("find_keys")
	w.Map(2)
	w.BulkString("type")
	w.BulkString("keynum")
	w.BulkString("spec")
	w.Map(3)
	w.BulkString("keynumidx")
	w.Int(0)
	w.BulkString("firstkey")
	w.Int(1)
	w.BulkString("keystep")
	w.Int(1)
}
