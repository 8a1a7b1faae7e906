package store

import (
	"bytes"
	"sort"
)

// Function libraries (FUNCTION LOAD) are part of the dataset in Redis 7:
// they survive restarts, and FLUSHALL leaves them alone. The store keeps
// each library's source code, by name, and on the Pebble engine one record
// per library in the store-wide space:
//
//	S functions/<library name>   the library's code
//
// Compiling and running the code is the server's business; the store only
// keeps it. The changes go into the transaction's batch, so a FUNCTION
// LOAD is as durable as any write when it is acknowledged.

// sysFunctionsPrefix starts every library record key.
var sysFunctionsPrefix = []byte("Sfunctions/")

// libraries is the store's copy of the function libraries, under the
// keyspace lock.
type libraries map[string]string

// libraryKey is the record key of library name.
func libraryKey(name string) []byte {
	return append(append([]byte(nil), sysFunctionsPrefix...), name...)
}

// SaveLibrary stores (or replaces) library name with its code.
func (tx *Tx) SaveLibrary(name, code string) {
	s := tx.s
	if s.libs == nil {
		s.libs = libraries{}
	}
	s.libs[name] = code
	if b := tx.pending(); b != nil {
		b.Set(libraryKey(name), []byte(code))
	}
}

// DeleteLibrary removes library name.
func (tx *Tx) DeleteLibrary(name string) {
	delete(tx.s.libs, name)
	if b := tx.pending(); b != nil {
		b.Delete(libraryKey(name))
	}
}

// FlushLibraries removes every library.
func (tx *Tx) FlushLibraries() {
	tx.s.libs = nil
	if b := tx.pending(); b != nil {
		b.DeleteRange(sysFunctionsPrefix, prefixEnd(sysFunctionsPrefix))
	}
}

// Library is one stored function library.
type Library struct {
	Name, Code string
}

// Libraries returns the stored libraries in name order: at start, what
// the engine held; later, what the transactions left.
func (s *Store) Libraries() []Library {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.libs.sorted()
}

// sorted returns the libraries in name order.
func (l libraries) sorted() []Library {
	out := make([]Library, 0, len(l))
	for name, code := range l {
		out = append(out, Library{Name: name, Code: code})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// loadLibraries reads the library records back at Open.
func (s *Store) loadLibraries() error {
	return s.engine.Iterate(sysFunctionsPrefix, prefixEnd(sysFunctionsPrefix), func(k, v []byte) error {
		if s.libs == nil {
			s.libs = libraries{}
		}
		s.libs[string(bytes.TrimPrefix(k, sysFunctionsPrefix))] = string(v)
		return nil
	})
}
