package server

import (
	"os"

	"github.com/cairn-db/cairn/protocol"
)

// DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: save the dataset as the RDB
// file, empty it and load the file back, as Redis does, so a test sees
// what a restart from the file would bring back. It runs in DEBUG's
// transaction, which holds every client off until the reload is done; on
// the Pebble engine the emptying and the load are one batch of records.
func debugReload(c *Context, args [][]byte) error {
	save, flush, merge := true, true, false
	for _, a := range args {
		switch {
		case protocol.EqualFold(a, "merge"):
			merge = true
		case protocol.EqualFold(a, "noflush"):
			flush = false
		case protocol.EqualFold(a, "nosave"):
			save = false
		default:
			return protocol.Error("ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.")
		}
	}
	s, tx := c.Server, c.Tx
	if save {
		busy, err := s.persist.saveInTx(tx)
		if busy {
			return protocol.Error("ERR Background save already in progress")
		}
		if err != nil {
			return protocol.Error("ERR " + err.Error())
		}
	}
	file, err := os.ReadFile(s.rdbPath())
	if err != nil {
		return errReloadFailed
	}
	if flush {
		tx.FlushAll()
		s.functions.flush(tx)
	}
	policy := "append"
	if merge {
		policy = "replace"
	}
	_, err = tx.LoadRDB(file, merge, func(code string) error {
		return s.functions.restore(s, tx, []string{code}, policy)
	})
	if err != nil {
		s.log.Warn("DEBUG RELOAD: loading the RDB file failed", "err", err)
		return errReloadFailed
	}
	s.log.Warn("DB reloaded by DEBUG RELOAD")
	c.Out.OK()
	return nil
}

// errReloadFailed is Redis's reply when DEBUG RELOAD's load fails.
const errReloadFailed protocol.Error = "ERR Error trying to load the RDB dump"

// DEBUG LOADAOF: Redis empties the dataset and replays its AOF. The
// Pebble engine's records are Cairn's AOF: the dataset is read back from
// them (store.ReloadFromEngine), so a test sees what a restart would
// bring back. The memory engine keeps no log to load.
func debugLoadAOF(c *Context, _ [][]byte) error {
	s := c.Server
	if s.engine == nil {
		return protocol.Error("ERR DEBUG LOADAOF needs the pebble engine; this server runs with --engine memory")
	}
	if err := c.Tx.ReloadFromEngine(s.engine.FoldAll); err != nil {
		s.log.Error("DEBUG LOADAOF failed", "err", err)
		return protocol.Error("ERR " + err.Error())
	}
	s.loadFunctions(c.Tx.Libraries())
	s.log.Warn("Append Only File loaded by DEBUG LOADAOF")
	c.Out.OK()
	return nil
}
