package store

import "errors"

// ErrNoEngine is ReloadFromEngine's error on a store without an engine.
var ErrNoEngine = errors.New("store: no engine to reload from")

// ReloadFromEngine is DEBUG LOADAOF on the Pebble engine: the in-memory
// dataset is dropped and read back from the engine's records, as a
// restart reads it, so a test sees what the records hold. The records
// of tx so far are committed first, then fold makes every committed
// record readable (the engine's FoldAll: its journal into Pebble).
// Function libraries are read back too: the caller recompiles them from
// tx.Libraries.
func (tx *Tx) ReloadFromEngine(fold func() error) error {
	s := tx.s
	if s.engine == nil {
		return ErrNoEngine
	}
	if err := s.commitBatch(tx); err != nil {
		return err
	}
	if err := fold(); err != nil {
		return err
	}
	tx.settleMemory()
	for i, d := range s.dbs {
		if o := s.observer; o != nil {
			o.DatabaseChanged(tx, i, false)
		}
		s.used -= d.keys.used
		s.dbs[i] = newDatabase()
	}
	s.libs = nil
	tx.db = s.dbs[tx.dbIndex]
	if err := s.load(nil); err != nil {
		return err
	}
	tx.db = s.dbs[tx.dbIndex]
	return s.loadLibraries()
}

// Libraries returns the stored libraries in name order, within tx.
func (tx *Tx) Libraries() []Library { return tx.s.libs.sorted() }
