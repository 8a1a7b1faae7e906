package store

import "math/rand/v2"

// Keys returns the keys of the current database matching pattern.
func (tx *Tx) Keys(pattern []byte) []string {
	all := len(pattern) == 1 && pattern[0] == '*'
	pat := string(pattern)
	var out []string
	ks := tx.db.keys
	for i := 0; i < ks.len(); i++ {
		e := ks.at(i)
		if e.expireAt != 0 && e.expireAt <= tx.now {
			continue
		}
		if all || Match(pat, e.key, false) {
			out = append(out, e.key)
		}
	}
	return out
}

// ScanOptions filter a SCAN.
type ScanOptions struct {
	Match string // glob pattern; "" matches everything
	Count int    // keys to examine per call (Redis's COUNT hint)
	Kind  Kind   // only keys of this kind; KindNone for all
}

// Scan continues a SCAN from cursor (0 starts one) and returns the next
// cursor (0 when done) and the keys found. A key present for the whole
// iteration is returned at least once (see keyspace).
func (tx *Tx) Scan(cursor uint64, o ScanOptions) (uint64, []string) {
	ks := tx.db.keys
	i := uint64(ks.len())
	if cursor != 0 && cursor < i {
		i = cursor
	}
	count := max(o.Count, 1)
	var out []string
	for ; i > 0 && count > 0; count-- {
		i--
		e := ks.at(int(i))
		if e.expireAt != 0 && e.expireAt <= tx.now {
			continue
		}
		if o.Kind != KindNone && e.kind() != o.Kind {
			continue
		}
		if o.Match != "" && !Match(o.Match, e.key, false) {
			continue
		}
		out = append(out, e.key)
	}
	return i, out
}

// RandomKey returns a random live key, or false when the database is
// empty. Expired keys it draws are reclaimed on the way.
func (tx *Tx) RandomKey() (string, bool) {
	ks := tx.db.keys
	for tries := 0; ks.len() > 0; tries++ {
		e := ks.at(rand.IntN(ks.len()))
		if e.expireAt != 0 && e.expireAt <= tx.now && tries < 100 {
			tx.expireLazily(e)
			continue
		}
		return e.key, true
	}
	return "", false
}
