package store

import "fmt"

// CheckMemory recounts every key's memory and compares it with the
// incremental accounting, for tests in package store_test.
func (s *Store) CheckMemory() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var total int64
	for i, d := range s.dbs {
		var db int64
		for _, e := range d.keys.dense {
			got := int64(e.mem) * memUnit
			if want := int64((e.memory()+memUnit-1)/memUnit) * memUnit; !e.isColl() && got != want {
				return fmt.Errorf("db %d key %q: counted %d bytes, memory() says %d", i, e.key, got, want)
			}
			if e.isColl() && (got <= 0 || got > 4*int64(e.memory())+64) {
				return fmt.Errorf("db %d key %q: counted %d bytes for a collection of %d bytes", i, e.key, got, e.memory())
			}
			db += got
		}
		if db != d.keys.used {
			return fmt.Errorf("db %d: counted %d bytes, keys add up to %d", i, d.keys.used, db)
		}
		total += db
	}
	if total != s.used || total != s.usedPub.Load() {
		return fmt.Errorf("used memory %d (published %d), keys add up to %d", s.used, s.usedPub.Load(), total)
	}
	return nil
}
