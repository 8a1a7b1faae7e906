// Package commandmeta holds Redis 7.0.15's documentation, command tips and
// key specs of every command and subcommand Cairn answers: what COMMAND
// DOCS, COMMAND INFO and COMMAND GETKEYSANDFLAGS report beyond the command
// table (name, arity, flags, key positions).
//
// The data is commands.json, embedded in the binary and parsed the first
// time a COMMAND subcommand asks (startup and the command path never pay).
// It is generated, never edited by hand: `go run ./cmd/cairn-commandmeta`
// reads COMMAND DOCS and COMMAND INFO from a redis-server it starts, keeps
// the commands Cairn's table has, and adds the hand-written entries of
// cairn_only.json for the commands Cairn has that Redis 7.0 lacks.
//
// The file is one JSON object, one command per line (diffs stay readable),
// keyed by full name ("get", "client|list"). An entry's fields are named as
// Redis names them in its replies.
package commandmeta
