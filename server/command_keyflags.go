package server

// noMandatoryKeys are the commands that may be called without keys (a
// script with numkeys 0): Redis 7.0 flags them no_mandatory_keys, and
// COMMAND GETKEYS answers them an empty list rather than an error.
var noMandatoryKeys = map[string]bool{
	"eval": true, "evalsha": true, "eval_ro": true, "evalsha_ro": true, "fcall": true, "fcall_ro": true,
}

// infoFlags are the flags COMMAND INFO lists: the command's own, and
// those Redis derives from its keys: no_mandatory_keys, and movablekeys
// for the commands whose key positions (FirstKey, LastKey, Step) cannot
// describe their keys (ZUNION's numkeys, SORT's STORE…).
func infoFlags(cmd *Command) []string {
	f := cmd.Flags
	name := cmd.FullName()
	if noMandatoryKeys[name] {
		f |= flagNoMandatoryKeys
	}
	if _, ok := movableKeys[name]; ok {
		f |= flagMovableKeys
	}
	return f.names()
}
