package store

import "errors"

// Errors of RESTORE.
var (
	// ErrBusyKey: RESTORE without REPLACE onto a key that exists.
	ErrBusyKey = errors.New("store: target key name already exists")
	// ErrDumpPayload: the payload's RDB version is too new or its
	// checksum is wrong.
	ErrDumpPayload = errors.New("store: DUMP payload version or checksum are wrong")
	// ErrBadDump: the payload's checksum holds but its contents do not
	// decode.
	ErrBadDump = errBadData
)

// Dump returns the value at key serialized as Redis's DUMP payload (RDB
// version 10, which Redis 7.0's RESTORE loads); ok is false when the key
// is absent. It reads the key as GET does (a hit, and a touch).
func (tx *Tx) Dump(key []byte) (payload []byte, ok bool) {
	e := tx.lookupRead(key)
	if e == nil {
		return nil, false
	}
	return tx.s.encodeDump(e), true
}

// RestoreOptions are RESTORE's TTL and flags.
type RestoreOptions struct {
	TTL     int64 // ms to live, or with AbsTTL a unix-ms time; 0 = none
	AbsTTL  bool
	Replace bool
	Idle    int64 // IDLETIME in seconds, -1 when not given
	Freq    int64 // FREQ (0..255), -1 when not given
}

// Restore creates key from a DUMP payload, as Redis's RESTORE: the
// payload's footer is checked first (ErrDumpPayload), then its value
// decoded and validated (ErrBadDump). An existing key is ErrBusyKey
// unless o.Replace. A TTL already past deletes the old key (raising
// "del") and creates nothing. The new key raises "restore".
func (tx *Tx) Restore(key, payload []byte, o RestoreOptions) error {
	old := tx.lookupWrite(key)
	if old != nil && !o.Replace {
		return ErrBusyKey
	}
	if !verifyDump(payload) {
		return ErrDumpPayload
	}
	// As in Redis, the object is read from the whole payload: a value cut
	// short reads on into the footer rather than failing.
	val, c, err := decodeObject(payload)
	if err != nil {
		return ErrBadDump
	}
	return tx.restoreValue(key, old, val, c, o)
}

// restoreValue is Restore once the value is decoded: a string's bytes
// (val) or a collection (c), replacing old if there is one.
func (tx *Tx) restoreValue(key []byte, old *entry, val []byte, c collection, o RestoreOptions) error {
	if len(val) > maxValLen {
		return ErrTooLarge
	}
	if old != nil {
		tx.remove(old)
	}
	at := o.TTL
	if at != 0 && !o.AbsTTL {
		at += tx.now
	}
	if at != 0 && at <= tx.now {
		if old != nil {
			tx.notify(key, EventGeneric, "del")
		}
		return nil
	}
	var e *entry
	if c == nil {
		e = tx.createString(key, val) // as Set creates a string
	} else {
		refit(c, tx.lim()) // as Redis's rdbLoadObject picks the encoding
		e = tx.create(key)
		e.setColl(c)
	}
	tx.setExpire(e, at)
	tx.setAccess(e, o)
	tx.saveWhole(e)
	tx.notify(key, EventGeneric, "restore")
	tx.signalIfCollection(e)
	return nil
}

// setAccess applies RESTORE's FREQ (under an LFU policy) or IDLETIME
// (under any other), as Redis's objectSetLRUOrLFU; the other is ignored.
func (tx *Tx) setAccess(e *entry, o RestoreOptions) {
	switch {
	case tx.s.lfu && o.Freq >= 0:
		e.access = lfuMinutes(tx.now)<<8 | uint32(o.Freq)
	case !tx.s.lfu && o.Idle >= 0:
		// An idle time beyond the access clock's start (194 days before
		// the store's, see accessClockBase) is clamped to it.
		e.access = uint32(max(int64(tx.s.accessClock(tx.now))-o.Idle, 0))
	}
}
