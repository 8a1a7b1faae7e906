package store

import "time"

// Del deletes the keys that exist and returns how many it deleted.
func (tx *Tx) Del(keys ...[]byte) int {
	n := 0
	for _, k := range keys {
		if e := tx.lookupWrite(k); e != nil {
			tx.delete(e)
			n++
		}
	}
	return n
}

// Exists counts the keys that exist; a key named twice counts twice. Like
// TYPE and TTL it leaves their access time alone, as Redis does.
func (tx *Tx) Exists(keys ...[]byte) int {
	n := 0
	for _, k := range keys {
		if tx.lookupPeek(k) != nil {
			n++
		}
	}
	return n
}

// Touch updates the access time of the keys that exist and counts them
// (as reads: keyspace hits and misses, as in Redis).
func (tx *Tx) Touch(keys ...[]byte) int {
	n := 0
	for _, k := range keys {
		if tx.lookupRead(k) != nil {
			n++
		}
	}
	return n
}

// Type returns the kind of the value at key (KindNone when absent).
func (tx *Tx) Type(key []byte) Kind {
	e := tx.lookupPeek(key)
	if e == nil {
		return KindNone
	}
	return e.kind()
}

// Rename moves the value at src to dst, with its TTL, replacing dst
// unless nx is set. It reports false when nx is set and dst exists.
func (tx *Tx) Rename(src, dst []byte, nx bool) (bool, error) {
	e := tx.lookupWrite(src)
	if e == nil {
		return false, ErrNoSuchKey
	}
	if string(src) == string(dst) {
		return !nx, nil
	}
	if d := tx.lookupWrite(dst); d != nil {
		if nx {
			return false, nil
		}
		tx.remove(d)
	}
	n := tx.adopt(dst, e)
	tx.remove(e)
	tx.notify(src, EventGeneric, "rename_from")
	tx.notify(dst, EventGeneric, "rename_to")
	tx.signalIfCollection(n)
	return true, nil
}

// adopt creates key in the current database holding e's value and TTL,
// and saves it. e keeps its value too; the caller removes it if moving.
func (tx *Tx) adopt(key []byte, e *entry) *entry {
	var n *entry
	switch {
	case e.isColl():
		n = tx.create(key)
		n.setColl(e.coll())
	case e.inline():
		n = tx.createString(key, e.val()) // a copy: e's allocation may go
	default:
		n = tx.create(key)
		n.setVal(e.val())
	}
	if e.isRaw() {
		n.markRaw() // the same object in Redis: still raw
	}
	n.access = e.access
	tx.setExpire(n, e.expireAt)
	tx.saveWhole(n)
	return n
}

// signalIfCollection marks a key that may now serve blocked clients (a
// list, sorted set or stream that appeared under a new name).
func (tx *Tx) signalIfCollection(e *entry) {
	switch e.kind() {
	case KindList, KindZSet, KindStream:
		tx.MarkReady(tx.dbIndex, e.key)
	}
}

// Copy copies the value at src (with its TTL) to dst in database dstDB.
// It reports false when src is missing or dst exists without replace.
func (tx *Tx) Copy(src, dst []byte, dstDB int, replace bool) (bool, error) {
	if dstDB < 0 || dstDB >= len(tx.s.dbs) {
		return false, ErrDBIndex
	}
	srcDB := tx.dbIndex
	if srcDB == dstDB && string(src) == string(dst) {
		return false, ErrSameObject
	}
	e := tx.lookupRead(src)
	if e == nil {
		return false, nil
	}
	tx.Use(dstDB)
	defer tx.Use(srcDB)
	if d := tx.lookupWrite(dst); d != nil {
		if !replace {
			return false, nil
		}
		tx.remove(d) // no "del" event: Redis's copyCommand raises copy_to only
	}
	c := *e
	if c.isColl() {
		c.setColl(c.coll().clone())
	} else {
		c.setVal(append([]byte{}, e.val()...))
		if e.isRaw() {
			c.markRaw() // Redis's dupStringObject keeps the encoding
		}
	}
	n := tx.adopt(dst, &c)
	tx.notify(dst, EventGeneric, "copy_to")
	tx.signalIfCollection(n)
	return true, nil
}

// Move moves key to database dstDB. It reports false when the key is
// missing here or already exists there.
func (tx *Tx) Move(key []byte, dstDB int) (bool, error) {
	if dstDB < 0 || dstDB >= len(tx.s.dbs) {
		return false, ErrDBIndex
	}
	srcDB := tx.dbIndex
	if srcDB == dstDB {
		return false, ErrSameObject
	}
	e := tx.lookupWrite(key)
	if e == nil {
		return false, nil
	}
	tx.Use(dstDB)
	if tx.lookupWrite(key) != nil {
		tx.Use(srcDB)
		return false, nil
	}
	n := tx.adopt(key, e)
	tx.signalIfCollection(n)
	tx.Use(srcDB)
	tx.remove(e)
	// Redis's order: move_from (in the source database), then move_to.
	tx.notify(key, EventGeneric, "move_from")
	tx.Use(dstDB)
	tx.notify(key, EventGeneric, "move_to")
	tx.Use(srcDB)
	return true, nil
}

// ExpireCond is EXPIRE's NX, XX, GT or LT condition.
type ExpireCond uint8

// EXPIRE conditions.
const (
	ExpireAlways ExpireCond = iota
	ExpireNX                // only when the key has no TTL
	ExpireXX                // only when the key has a TTL
	ExpireGT                // only when the new TTL is later (no TTL counts as infinite)
	ExpireLT                // only when the new TTL is sooner
	ExpireXXLT              // only when the key has a TTL and the new one is sooner
)

// Expire sets key to expire at the unix-ms time at, subject to cond. A
// time already past deletes the key. It reports whether anything changed.
func (tx *Tx) Expire(key []byte, at int64, cond ExpireCond) bool {
	e := tx.lookupWrite(key)
	if e == nil {
		return false
	}
	cur := e.expireAt
	switch cond {
	case ExpireNX:
		if cur != 0 {
			return false
		}
	case ExpireXX:
		if cur == 0 {
			return false
		}
	case ExpireGT:
		if cur == 0 || at <= cur {
			return false
		}
	case ExpireLT:
		if cur != 0 && at >= cur {
			return false
		}
	case ExpireXXLT:
		if cur == 0 || at >= cur {
			return false
		}
	}
	if at <= tx.now {
		tx.delete(e)
		return true
	}
	tx.setExpire(e, at)
	tx.saveMeta(e)
	tx.notify(key, EventGeneric, "expire")
	return true
}

// Persist removes key's TTL and reports whether it had one.
func (tx *Tx) Persist(key []byte) bool {
	e := tx.lookupWrite(key)
	if e == nil || e.expireAt == 0 {
		return false
	}
	tx.setExpire(e, 0)
	tx.saveMeta(e)
	tx.notify(key, EventGeneric, "persist")
	return true
}

// ExpireAt returns key's absolute expiry in unix ms: -2 when the key does
// not exist, -1 when it has no TTL.
func (tx *Tx) ExpireAt(key []byte) int64 {
	e := tx.lookupPeek(key)
	switch {
	case e == nil:
		return -2
	case e.expireAt == 0:
		return -1
	}
	return e.expireAt
}

// DBSize returns the number of keys in the current database, counting
// keys whose TTL has passed but which were not reclaimed yet, as Redis.
func (tx *Tx) DBSize() int { return tx.db.keys.len() }

// DBStats returns the number of keys and of keys with a TTL in db, for
// INFO keyspace.
func (tx *Tx) DBStats(db int) (keys, expires int) {
	d := tx.s.dbs[db]
	return d.keys.len(), len(d.expires)
}

// FlushDB deletes every key of the current database.
func (tx *Tx) FlushDB() {
	tx.flush(tx.dbIndex)
}

// FlushAll deletes every key of every database.
func (tx *Tx) FlushAll() {
	for i := range tx.s.dbs {
		tx.flush(i)
	}
}

func (tx *Tx) flush(db int) {
	// The observer looks at the keys before they go, so WATCH can tell
	// which watched keys the flush removed.
	if o := tx.s.observer; o != nil {
		o.DatabaseChanged(tx, db, false)
	}
	tx.settleMemory()
	tx.s.used -= tx.s.dbs[db].keys.used
	// A fresh map, not clear(): Go maps never shrink.
	tx.s.dbs[db] = newDatabase()
	if tx.dbIndex == db {
		tx.db = tx.s.dbs[db]
	}
	if b := tx.pending(); b != nil {
		slot := tx.s.slots[db]
		b.DeleteRange([]byte{spaceMeta, slot}, []byte{spaceMeta, slot + 1})
		b.DeleteRange([]byte{spaceData, slot}, []byte{spaceData, slot + 1})
	}
}

// SwapDB swaps the contents of databases a and b.
func (tx *Tx) SwapDB(a, b int) error {
	n := len(tx.s.dbs)
	if a < 0 || a >= n || b < 0 || b >= n {
		return ErrDBIndex
	}
	if a == b {
		return nil
	}
	s := tx.s
	// Told before and after: a watched key is touched if it was in either
	// database, and blocked clients care about what is there afterwards.
	if o := s.observer; o != nil {
		o.DatabaseChanged(tx, a, false)
		o.DatabaseChanged(tx, b, false)
	}
	s.dbs[a], s.dbs[b] = s.dbs[b], s.dbs[a]
	s.slots[a], s.slots[b] = s.slots[b], s.slots[a]
	tx.db = s.dbs[tx.dbIndex]
	if batch := tx.pending(); batch != nil {
		batch.Set(sysDBSlotsKey, s.slots)
	}
	if o := s.observer; o != nil {
		o.DatabaseChanged(tx, a, true)
		o.DatabaseChanged(tx, b, true)
	}
	return nil
}

// ExpireCycle deletes keys whose TTL has passed, in deadline order, until
// none is due or limit keys were deleted; it reports whether due keys
// remain. It is Redis's active expiry: without it a key that is never read
// again would stay in memory.
func (s *Store) ExpireCycle(limit int) (more bool) {
	more, _ = s.ExpireCycleTimed(limit)
	return more
}

// ExpireCycleTimed is ExpireCycle, and also reports how long it held the
// keyspace lock (the latency monitor's expire-cycle: the work, not the
// wait for the lock).
func (s *Store) ExpireCycleTimed(limit int) (more bool, held time.Duration) {
	s.mu.Lock()
	start := time.Now()
	defer func() {
		held = time.Since(start)
		s.mu.Unlock()
	}()
	for i := range s.dbs {
		tx := s.begin(i)
		for n := 0; n < limit; n++ {
			e := tx.db.expires.top()
			if e == nil || e.expireAt > tx.now {
				break
			}
			tx.expireEntry(e)
		}
		if e := tx.db.expires.top(); e != nil && e.expireAt <= tx.now {
			more = true
		}
		s.finish(tx)
	}
	return more, 0 // held is set on the way out
}

// Has reports whether key exists, without counting a hit or miss or
// touching its access time (for the server's own checks).
func (tx *Tx) Has(key []byte) bool { return tx.lookup(key) != nil }
