package store

// EncodingLimits are the settings that decide when a small collection
// leaves its compact encoding for the big one, Redis's
// hash-max-listpack-entries and -value, set-max-intset-entries and
// zset-max-listpack-entries and -value. As in Redis, a collection
// converts one way at write time, under the limits in force at that
// moment (changing them affects only later writes), and a value loaded
// from disk or RESTOREd gets the encoding the limits in force give it
// (Redis re-derives it in rdbLoadObject).
type EncodingLimits struct {
	HashEntries, HashValue int // hash-max-listpack-entries, hash-max-listpack-value
	SetIntsetEntries       int // set-max-intset-entries
	ZSetEntries, ZSetValue int // zset-max-listpack-entries, zset-max-listpack-value
	// StreamNodeEntries is stream-node-max-entries: how many entries a
	// stream node takes before a new one starts (0: no limit), which
	// decides what approximate trimming ("~") removes.
	StreamNodeEntries int
}

// DefaultEncodingLimits are Redis 7.0's defaults.
var DefaultEncodingLimits = EncodingLimits{
	HashEntries: 512, HashValue: 64,
	SetIntsetEntries: 512,
	ZSetEntries:      128, ZSetValue: 64,
	StreamNodeEntries: streamNodeMax,
}

// packLimit is one type's pair of limits: a compact collection holds at
// most entries elements, none longer than value bytes.
type packLimit struct{ entries, value int }

func (l *EncodingLimits) zset() packLimit { return packLimit{l.ZSetEntries, l.ZSetValue} }
func (l *EncodingLimits) hash() packLimit { return packLimit{l.HashEntries, l.HashValue} }

// SetEncodingLimits sets the limits later writes and loads follow.
func (s *Store) SetEncodingLimits(l EncodingLimits) { s.limits.Store(&l) }

// lim is the limits in force.
func (tx *Tx) lim() *EncodingLimits { return tx.s.limits.Load() }

// refitter is a collection whose encoding depends on the limits.
type refitter interface {
	// refit gives the collection the encoding a fresh load under l
	// would, whichever way that converts it.
	refit(l *EncodingLimits)
}

// refit re-derives c's encoding under l (after a load or RESTORE).
func refit(c collection, l *EncodingLimits) {
	if r, ok := c.(refitter); ok {
		r.refit(l)
	}
}
