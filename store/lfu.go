package store

// Under an LFU policy an entry's access field is Redis's LFU word: the
// last decrement time in minutes (16 bits, wrapping) above a logarithmic
// access counter (8 bits). The counter starts at lfuInitVal so new keys
// are not evicted at once, grows with probability 1/((c-5)*lfu-log-factor+1)
// on each access, and loses one per lfu-decay-time minutes without access.
// Under the other policies access is the LRU clock (accessClock). As in
// Redis, switching between the two leaves stale values that take a while
// to adjust.

const lfuInitVal = 5

func lfuMinutes(nowMs int64) uint32 { return uint32(nowMs/60000) & 0xffff }

// newAccess is the access field of a key created at nowMs.
func (s *Store) newAccess(nowMs int64) uint32 {
	if s.lfu {
		return lfuMinutes(nowMs)<<8 | lfuInitVal
	}
	return s.accessClock(nowMs)
}

// lfuCounter is the counter of the LFU word w after decay (OBJECT FREQ).
func (s *Store) lfuCounter(w uint32, nowMs int64) uint32 {
	ldt, counter := w>>8&0xffff, w&0xff
	decay := uint32(max(s.evict.LFUDecayTime, 0))
	if decay == 0 {
		return counter
	}
	now := lfuMinutes(nowMs)
	elapsed := now - ldt
	if now < ldt {
		elapsed = 0xffff - ldt + now
	}
	if periods := elapsed / decay; periods > 0 {
		if periods > counter {
			return 0
		}
		return counter - periods
	}
	return counter
}

// lfuTouch is the LFU word after one access at nowMs.
func (s *Store) lfuTouch(w uint32, nowMs int64) uint32 {
	c := s.lfuCounter(w, nowMs)
	if c < 255 {
		base := float64(max(int(c)-lfuInitVal, 0))
		if s.evict.rng.Float64() < 1/(base*float64(s.evict.LFULogFactor)+1) {
			c++
		}
	}
	return lfuMinutes(nowMs)<<8 | c
}
