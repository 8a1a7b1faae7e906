package store

import (
	"time"
	"unsafe"
)

// Tx is one transaction: the view a command has of the keyspace while the
// lock is held. It is bound to one database at a time (Use switches, for
// SELECT inside MULTI) and has one frozen "now", so a key cannot expire
// halfway through a command, as in Redis. A Tx is valid only inside the
// Update or View call that created it.
type Tx struct {
	s       *Store
	db      *database
	dbIndex int
	now     int64 // unix ms
	noTouch bool

	batch     Batch
	ready     []ReadyKey
	readySet  map[ReadyKey]struct{} // index of ready once it is long
	readyNext []ReadyKey
	dirty     []dirtyEntry // entries written since the memory was last settled
	kbuf      []byte
	vbuf      []byte
	sink      uint64 // Prefetch's loads land here
}

// ReadyKey names a key that received elements (a push, a ZADD, an XADD…)
// in a transaction, so clients blocked on it can be served.
type ReadyKey struct {
	DB  int
	Key string
}

// Observer is told about changes while the keyspace lock is held. The
// server implements it for WATCH, keyspace notifications and blocking
// commands. Key slices are valid only during the call and must not be
// modified.
type Observer interface {
	// KeyChanged is called for every change to a key, with the keyspace
	// event Redis raises for it ("set", "del", "expired", "lpush"…).
	KeyChanged(db int, key []byte, class EventClass, event string)
	// DatabaseChanged is called when a whole database changes at once:
	// before FLUSHDB/FLUSHALL empty it, and both before and after SWAPDB
	// exchanges two databases; after is set on that second call.
	DatabaseChanged(tx *Tx, db int, after bool)
	// KeysReady is called at the end of a transaction with the keys that
	// received elements. It may run further operations in tx, to hand
	// elements to blocked clients before any other command can take them.
	KeysReady(tx *Tx, keys []ReadyKey)
}

// Use switches the transaction to database db.
func (tx *Tx) Use(db int) {
	tx.dbIndex = db
	tx.db = tx.s.dbs[db]
}

// DB returns the index of the current database.
func (tx *Tx) DB() int { return tx.dbIndex }

// Now returns the transaction's frozen time in unix milliseconds.
func (tx *Tx) Now() int64 { return tx.now }

// NowTime returns the transaction's frozen time.
func (tx *Tx) NowTime() time.Time { return time.UnixMilli(tx.now) }

// SetNoTouch stops reads in this transaction from updating the keys'
// access time (CLIENT NO-TOUCH).
func (tx *Tx) SetNoTouch(v bool) { tx.noTouch = v }

// MarkReady records that key in db may serve blocked clients.
func (tx *Tx) MarkReady(db int, key string) {
	k := ReadyKey{DB: db, Key: key}
	if len(tx.ready) < 16 {
		for _, r := range tx.ready {
			if r == k {
				return
			}
		}
	} else {
		// An EXEC or script that fills many keys: index them, so marking
		// stays O(1) instead of scanning the list each time.
		if tx.readySet == nil {
			tx.readySet = make(map[ReadyKey]struct{}, 2*len(tx.ready))
			for _, r := range tx.ready {
				tx.readySet[r] = struct{}{}
			}
		}
		if _, ok := tx.readySet[k]; ok {
			return
		}
		tx.readySet[k] = struct{}{}
	}
	tx.ready = append(tx.ready, k)
}

// lookup returns the live entry for key, deleting it first if its TTL has
// passed (unless expiry is held: see HoldExpiry). It neither counts hits
// nor touches the access time.
func (tx *Tx) lookup(key []byte) *entry {
	e := tx.db.keys.get(key)
	if e == nil {
		return nil
	}
	if e.expireAt != 0 && e.expireAt <= tx.now {
		tx.expireLazily(e)
		return nil
	}
	return e
}

// expireLazily deletes an entry a command found past its TTL, unless
// expiry is held: the key then stays, hidden, until the pause ends.
func (tx *Tx) expireLazily(e *entry) {
	if !tx.s.expiryHeld.Load() {
		tx.expireEntry(e)
	}
}

// HoldExpiry stops (true) or resumes (false) the deletion of expired keys
// by the commands that meet them, as Redis does while CLIENT PAUSE is in
// force so that the dataset stays constant: a due key reads as missing
// but stays in memory (and counts in DBSIZE) until a command meets it
// after the pause, or the active cycle, which the server also holds
// during a pause, reclaims it. A write that creates such a key still
// deletes the old one first.
func (s *Store) HoldExpiry(held bool) { s.expiryHeld.Store(held) }

// lookupRead is lookup for commands that read a value: it counts keyspace
// hits and misses and updates the key's access time.
func (tx *Tx) lookupRead(key []byte) *entry {
	e := tx.lookup(key)
	if e == nil {
		tx.s.stats.KeyspaceMisses.Add(1)
		tx.notify(key, EventKeyMiss, "keymiss")
		return nil
	}
	tx.s.stats.KeyspaceHits.Add(1)
	tx.touch(e)
	return e
}

// lookupPeek is lookupRead without the access-time update: Redis's
// LOOKUP_NOTOUCH, for TTL, TYPE and EXISTS, which look at a key without
// using its value, so OBJECT IDLETIME (and LRU eviction) do not count them.
func (tx *Tx) lookupPeek(key []byte) *entry {
	noTouch := tx.noTouch
	tx.noTouch = true
	e := tx.lookupRead(key)
	tx.noTouch = noTouch
	return e
}

// lookupWrite is lookup for commands that modify a value: it updates the
// access time but counts no hit.
func (tx *Tx) lookupWrite(key []byte) *entry {
	e := tx.lookup(key)
	if e != nil {
		tx.db.keys.beforeWrite(e)
		tx.touch(e)
		tx.markDirty(e)
	}
	return e
}

// lookupKind is lookupRead that also checks the type.
func (tx *Tx) lookupKind(key []byte, k Kind) (*entry, error) {
	e := tx.lookupRead(key)
	if e != nil && e.kind() != k {
		return nil, ErrWrongType
	}
	return e, nil
}

// lookupWriteKind is lookupWrite that also checks the type.
func (tx *Tx) lookupWriteKind(key []byte, k Kind) (*entry, error) {
	e := tx.lookupWrite(key)
	if e != nil && e.kind() != k {
		return nil, ErrWrongType
	}
	return e, nil
}

func (tx *Tx) touch(e *entry) {
	if tx.noTouch {
		return
	}
	if tx.s.lfu {
		e.access = tx.s.lfuTouch(e.access, tx.now)
		return
	}
	e.access = tx.s.accessClock(tx.now)
}

// create adds an empty entry for key, which must be absent (or expired),
// and raises the "new" event. The caller fills the value and saves it.
func (tx *Tx) create(key []byte) *entry {
	tx.dropHeld(key)
	return tx.created(key, tx.db.keys.add(key))
}

// createString is create for a string holding a copy of val, which it
// stores in the entry's own allocation when small.
func (tx *Tx) createString(key, val []byte) *entry {
	tx.dropHeld(key)
	return tx.created(key, tx.db.keys.addString(key, val))
}

// dropHeld deletes the expired entry that held expiry left at key, so a
// write never adds a second entry beside it.
func (tx *Tx) dropHeld(key []byte) {
	if tx.s.expiryHeld.Load() {
		if old := tx.db.keys.get(key); old != nil {
			tx.expireEntry(old)
		}
	}
}

// created finishes create.
func (tx *Tx) created(key []byte, e *entry) *entry {
	e.access = tx.s.newAccess(tx.now)
	tx.markDirty(e)
	tx.notify(key, EventNew, "new")
	return e
}

// remove deletes e from memory and from disk. It raises no event; callers
// name the event ("del", "expired", "rename_from"…).
func (tx *Tx) remove(e *entry) {
	tx.streamGone(e)
	if e.heapIdx >= 0 {
		tx.db.expires.remove(e)
	}
	tx.s.unaccount(tx.db.keys, e)
	tx.db.keys.remove(e)
	tx.dropRecords(tx.s.slots[tx.dbIndex], e)
}

// delete removes e and raises the "del" event.
func (tx *Tx) delete(e *entry) {
	key := e.key
	tx.remove(e)
	tx.notifyString(key, EventGeneric, "del")
}

// expireEntry removes an entry whose TTL has passed.
func (tx *Tx) expireEntry(e *entry) {
	key := e.key
	tx.remove(e)
	tx.s.stats.ExpiredKeys.Add(1)
	tx.notifyString(key, EventExpired, "expired")
}

// setExpire sets e's absolute expiry (0 removes it) in memory; the caller
// saves the key's metadata.
func (tx *Tx) setExpire(e *entry, at int64) {
	tx.db.keys.beforeWrite(e)
	if (at == 0) != (e.expireAt == 0) {
		tx.markDirty(e) // gaining or losing a TTL changes the entry's memory
	}
	h := &tx.db.expires
	switch {
	case at == 0 && e.heapIdx >= 0:
		e.expireAt = 0
		h.remove(e)
	case at == 0:
	case e.heapIdx >= 0:
		e.expireAt = at
		h.retime(e)
	default:
		e.expireAt = at
		h.push(e)
	}
}

// notify tells the observer about a change to key.
func (tx *Tx) notify(key []byte, class EventClass, event string) {
	if o := tx.s.observer; o != nil {
		o.KeyChanged(tx.dbIndex, key, class, event)
	}
}

func (tx *Tx) notifyString(key string, class EventClass, event string) {
	if o := tx.s.observer; o != nil {
		o.KeyChanged(tx.dbIndex, unsafe.Slice(unsafe.StringData(key), len(key)), class, event)
	}
}

// deleteIfEmpty removes a collection that has lost its last element, as
// Redis does, raising "del".
func (tx *Tx) deleteIfEmpty(e *entry) bool {
	if e.isColl() && e.coll().size() == 0 {
		tx.delete(e)
		return true
	}
	return false
}
