package store

// Contains reports whether database db holds key, even if its TTL has
// passed and it was not reclaimed yet. It has no side effects: WATCH uses
// it to decide whether FLUSHDB or SWAPDB touched a watched key, as Redis
// does (touchAllWatchedKeysInDb looks at the dictionary, not the TTL).
func (tx *Tx) Contains(db int, key []byte) bool {
	return tx.s.dbs[db].keys.get(key) != nil
}

// ContainsLive is Contains for a key whose TTL has not passed.
func (tx *Tx) ContainsLive(db int, key []byte) bool {
	e := tx.s.dbs[db].keys.get(key)
	return e != nil && (e.expireAt == 0 || e.expireAt > tx.now)
}

// ExpireIfDue deletes key from database db if its TTL has passed (raising
// "expired"; while expiry is held the key only counts as gone), and
// reports whether it was due. EXEC calls it for every watched
// key so that a key that expired after WATCH fails the transaction even if
// the active cycle has not reclaimed it yet.
func (tx *Tx) ExpireIfDue(db int, key []byte) bool {
	cur := tx.dbIndex
	tx.Use(db)
	defer tx.Use(cur)
	e := tx.db.keys.get(key)
	if e == nil || e.expireAt == 0 || e.expireAt > tx.now {
		return false
	}
	tx.expireLazily(e)
	return true
}
