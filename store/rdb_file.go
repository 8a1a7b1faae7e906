package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
)

// Whole RDB files, as redis-server saves and loads them: the bridge for
// moving a dataset between Redis and Cairn. WriteRDB is what SYNC sends
// (redis-cli --rdb); ImportRDB seeds an empty store from a Redis dump.
// Values use the same encodings as DUMP and RESTORE (rdb_encode.go,
// rdb_decode.go); the file adds a header, auxiliary fields, database
// selectors, expiry times, the function libraries and a CRC-64 footer.

// RDB file opcodes (Redis 7.0's rdb.h).
const (
	rdbOpFunction2     = 245
	rdbOpFunctionPreGA = 246
	rdbOpModuleAux     = 247
	rdbOpIdle          = 248
	rdbOpFreq          = 249
	rdbOpAux           = 250
	rdbOpResizeDB      = 251
	rdbOpExpireMs      = 252
	rdbOpExpireSec     = 253
	rdbOpSelectDB      = 254
	rdbOpEOF           = 255
)

// rdbFileVersionMax is the newest RDB file version ImportRDB reads:
// Redis 7.2's, whose only new encoding (the listpack set) RESTORE already
// decodes.
const rdbFileVersionMax = 11

// RDBOptions say what WriteRDB puts in the file.
type RDBOptions struct {
	// Aux are auxiliary fields (redis-ver, ctime…), written in order.
	Aux [][2]string
	// SkipKeys leaves the keys out (redis-cli --functions-rdb), and
	// SkipFunctions the function libraries.
	SkipKeys, SkipFunctions bool
}

// WriteRDB returns the whole dataset as an RDB file of version 10, the
// one Redis 7.0 writes and loads: the function libraries, then every
// database's live keys with their expiry times. It holds the keyspace
// lock while it encodes, so the file is one point in time.
func (s *Store) WriteRDB(o RDBOptions) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	file, _ := s.encodeRDB(o)
	return file
}

// EncodeRDB is WriteRDB inside a transaction, which holds the lock, with
// the number of keys the file holds.
func (tx *Tx) EncodeRDB(o RDBOptions) (file []byte, keys int) { return tx.s.encodeRDB(o) }

// SaveFinal is the save before a shutdown, as Redis's, which runs while
// no command can: it encodes the dataset and hands it to write with the
// keyspace lock held throughout, and once write succeeds the store runs
// no more transactions (Update returns ErrClosed), so the saved file
// holds every change a client was told about. When write fails the store
// goes on as before.
func (s *Store) SaveFinal(o RDBOptions, write func(file []byte, keys int) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := write(s.encodeRDB(o)); err != nil {
		return err
	}
	s.closed = true
	return nil
}

// encodeRDB is EncodeRDB under the keyspace lock the caller holds.
func (s *Store) encodeRDB(o RDBOptions) (file []byte, keys int) {
	now := s.clock.Now().UnixMilli()
	b := s.appendRDBHeader(nil, o)
	z := s.lzf()
	defer lzfScratchPool.Put(z)
	var obj []byte // one key's object, reused
	for i, d := range s.dbs {
		if o.SkipKeys || d.keys.len() == 0 {
			continue
		}
		b = appendRDBLen(append(b, rdbOpSelectDB), uint64(i))
		b = appendRDBLen(appendRDBLen(append(b, rdbOpResizeDB), uint64(d.keys.len())), uint64(len(d.expires)))
		for j := 0; j < d.keys.len(); j++ {
			var ok bool
			if b, obj, ok = appendRDBRecord(b, obj, d.keys.at(j), z, now); ok {
				keys++
			}
		}
	}
	b = append(b, rdbOpEOF)
	return binary.LittleEndian.AppendUint64(b, crc64(0, b)), keys
}

// appendRDBHeader appends the file's start: magic and version, the
// auxiliary fields and the function libraries.
func (s *Store) appendRDBHeader(b []byte, o RDBOptions) []byte {
	b = append(append(b, "REDIS"...), fmt.Sprintf("%04d", rdbVersion)...)
	for _, a := range o.Aux {
		b = appendRDBString(appendRDBString(append(b, rdbOpAux), []byte(a[0])), []byte(a[1]))
	}
	if !o.SkipFunctions {
		for _, lib := range s.libs.sorted() {
			b = appendRDBString(append(b, rdbOpFunction2), []byte(lib.Code))
		}
	}
	return b
}

// ErrRDBFile is ImportRDB's error for a file it cannot read: not an RDB
// file, a newer version, a bad checksum, or a value that does not decode.
var ErrRDBFile = errors.New("store: bad RDB file")

// ImportRDB loads an RDB file into the store: every key with its expiry
// (keys already expired are skipped, as a Redis master loading its dump
// skips them), and every function library, which libName names from its
// code (the server parses the "#!lua name=…" line). Keys replace keys of
// the same name. It returns the number of keys loaded. The keys go in
// batches of their own transactions, so a large file does not hold the
// keyspace lock throughout.
func (s *Store) ImportRDB(file []byte, libName func(code string) (string, error)) (int, error) {
	db, loaded := 0, 0
	pending := make([]rdbKey, 0, 256)
	flush := func() error {
		if len(pending) == 0 {
			return nil
		}
		err := s.Update(db, func(tx *Tx) error {
			for _, k := range pending {
				if err := tx.restoreRDBKey(k, tx.lookupWrite(k.key)); err != nil {
					return err
				}
			}
			return nil
		})
		loaded += len(pending)
		pending = pending[:0]
		return err
	}
	err := s.readRDB(file, s.clock.Now().UnixMilli(), rdbContents{
		selectDB: func(n int) error {
			err := flush()
			db = n
			return err
		},
		library: func(code string) error {
			name, err := libName(code)
			if err != nil {
				return fmt.Errorf("%w: function library: %v", ErrRDBFile, err)
			}
			return s.Update(0, func(tx *Tx) error { tx.SaveLibrary(name, code); return nil })
		},
		key: func(k rdbKey) error {
			pending = append(pending, k)
			if len(pending) == cap(pending) {
				return flush()
			}
			return nil
		},
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return 0, err
	}
	return loaded, nil
}

// LoadRDB is DEBUG RELOAD's load: the keys of an RDB file go into the
// store within tx. With merge a key replaces one of the same name;
// without, a key already present stops the load with an error (where
// Redis stops the server). library gets each function library's code.
// It returns the number of keys loaded.
func (tx *Tx) LoadRDB(file []byte, merge bool, library func(code string) error) (int, error) {
	defer tx.Use(tx.dbIndex)
	loaded := 0
	err := tx.s.readRDB(file, tx.now, rdbContents{
		selectDB: func(db int) error { tx.Use(db); return nil },
		library:  library,
		key: func(k rdbKey) error {
			old := tx.lookupWrite(k.key)
			if old != nil && !merge {
				return fmt.Errorf("%w: duplicate key %q", ErrRDBFile, k.key)
			}
			loaded++
			return tx.restoreRDBKey(k, old)
		},
	})
	return loaded, err
}

// restoreRDBKey puts k, read from an RDB file, in place of old (nil: none).
func (tx *Tx) restoreRDBKey(k rdbKey, old *entry) error {
	o := RestoreOptions{TTL: k.expireAt, AbsTTL: true, Replace: true, Idle: k.idle, Freq: k.freq}
	if err := tx.restoreValue(k.key, old, k.val, k.coll, o); err != nil {
		return fmt.Errorf("%w: key %q: %v", ErrRDBFile, k.key, err)
	}
	return nil
}

// rdbContents receives what readRDB finds, in file order.
type rdbContents struct {
	selectDB func(db int) error
	library  func(code string) error // a function library's code
	key      func(k rdbKey) error
}

// readRDB checks file's header and checksum, then hands its databases,
// function libraries and keys to to. Keys whose expiry is at or before
// now (unix ms) are skipped.
func (s *Store) readRDB(file []byte, now int64, to rdbContents) error {
	bad := func(what string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrRDBFile, fmt.Sprintf(what, args...))
	}
	if len(file) < 9 || string(file[:5]) != "REDIS" {
		return bad("no REDIS header")
	}
	version, err := strconv.Atoi(string(file[5:9]))
	if err != nil || version < 1 || version > rdbFileVersionMax {
		return bad("RDB version %q not supported", file[5:9])
	}
	if version >= 5 { // files from version 5 on end with a CRC-64 (0: not computed)
		if len(file) < 18 {
			return bad("truncated")
		}
		sum := binary.LittleEndian.Uint64(file[len(file)-8:])
		if sum != 0 && sum != crc64(0, file[:len(file)-8]) {
			return bad("wrong checksum")
		}
	}
	r := &rdbReader{b: file, p: 9}
	var expireAt, idle, freq int64 = 0, -1, -1
	for {
		op, err := r.byte()
		if err != nil {
			return bad("truncated")
		}
		switch op {
		case rdbOpEOF:
			return nil
		case rdbOpAux:
			if _, err := r.str(); err != nil {
				return bad("aux field")
			}
			if _, err := r.str(); err != nil {
				return bad("aux field")
			}
		case rdbOpResizeDB:
			if _, _, err := r.length(); err != nil {
				return bad("resizedb")
			}
			if _, _, err := r.length(); err != nil {
				return bad("resizedb")
			}
		case rdbOpSelectDB:
			n, special, err := r.length()
			if err != nil || special || n >= uint64(len(s.dbs)) {
				return bad("database %d: the store has %d", n, len(s.dbs))
			}
			if err := to.selectDB(int(n)); err != nil {
				return err
			}
		case rdbOpExpireMs:
			v, err := r.bytes(8)
			if err != nil {
				return bad("expiry")
			}
			expireAt = int64(binary.LittleEndian.Uint64(v))
		case rdbOpExpireSec:
			v, err := r.bytes(4)
			if err != nil {
				return bad("expiry")
			}
			expireAt = int64(binary.LittleEndian.Uint32(v)) * 1000
		case rdbOpIdle:
			n, _, err := r.length()
			if err != nil {
				return bad("idle time")
			}
			idle = int64(n)
		case rdbOpFreq:
			v, err := r.byte()
			if err != nil {
				return bad("frequency")
			}
			freq = int64(v)
		case rdbOpFunction2:
			code, err := r.str()
			if err != nil {
				return bad("function library")
			}
			if err := to.library(string(code)); err != nil {
				return err
			}
		case rdbOpModuleAux, rdbOpFunctionPreGA:
			return bad("opcode %d (module data or pre-7.0 functions) not supported", op)
		default:
			r.p-- // a value: its type byte
			k, err := r.keyValue()
			if err != nil {
				return bad("value at offset %d", r.p)
			}
			if expireAt == 0 || expireAt > now {
				k.expireAt, k.idle, k.freq = expireAt, idle, freq
				if err := to.key(k); err != nil {
					return err
				}
				s.afterKeyLoaded()
			}
			expireAt, idle, freq = 0, -1, -1
		}
	}
}

// rdbKey is one key of an RDB file, decoded, waiting for its batch.
type rdbKey struct {
	key                  []byte
	val                  []byte     // a string's bytes
	coll                 collection // or a collection
	expireAt, idle, freq int64
}

// keyValue reads a key and its value at r's position.
func (r *rdbReader) keyValue() (rdbKey, error) {
	t, err := r.byte()
	if err != nil {
		return rdbKey{}, err
	}
	key, err := r.str()
	if err != nil {
		return rdbKey{}, err
	}
	val, c, err := r.value(t)
	if err != nil {
		return rdbKey{}, err
	}
	return rdbKey{key: key, val: val, coll: c}, nil
}

// Empty reports whether the store holds no key in any database and no
// function library.
func (s *Store) Empty() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, d := range s.dbs {
		if d.keys.len() > 0 {
			return false
		}
	}
	return len(s.libs) == 0
}
