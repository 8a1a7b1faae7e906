package server

import (
	"testing"

	"github.com/cairn-db/cairn/server/commandmeta"
)

// TestEveryCommandHasDocs: COMMAND DOCS, COMMAND INFO's tips and key
// specs and COMMAND GETKEYS come from server/commandmeta, so a command
// added to the table needs an entry there: run
// `go run ./cmd/cairn-commandmeta` (and, for a command Redis 7.0 lacks,
// write one in server/commandmeta/cairn_only.json first).
func TestEveryCommandHasDocs(t *testing.T) {
	for _, name := range CommandNames() {
		if commandmeta.Lookup(name) == nil {
			t.Errorf("%s has no entry in server/commandmeta/commands.json: run go run ./cmd/cairn-commandmeta", name)
		}
	}
}
