package store

// setFor returns the set at key for writing, creating it when create is
// set; nil when absent and not created.
func (tx *Tx) setFor(key []byte, create bool) (*entry, *set, error) {
	e, err := tx.lookupWriteKind(key, KindSet)
	if err != nil {
		return nil, nil, err
	}
	if e == nil {
		if !create {
			return nil, nil, nil
		}
		e = tx.createColl(key, newSet())
	}
	return e, e.set(), nil
}

func (tx *Tx) setRead(key []byte) (*set, error) {
	e, err := tx.lookupKind(key, KindSet)
	if e == nil {
		return nil, err
	}
	return e.set(), nil
}

// SAdd adds members and returns how many are new.
func (tx *Tx) SAdd(key []byte, members [][]byte) (int, error) {
	e, s, err := tx.setFor(key, true)
	if err != nil {
		return 0, err
	}
	w := tx.elemWriter(e)
	n := 0
	for _, m := range members {
		if s.add(m) {
			w.put(m, nil)
			n++
		}
	}
	s.noteLen(tx.lim().SetIntsetEntries)
	if n > 0 {
		tx.notify(key, EventSet, "sadd")
	}
	return n, nil
}

// SRem removes members and returns how many existed.
func (tx *Tx) SRem(key []byte, members [][]byte) (int, error) {
	e, s, err := tx.setFor(key, false)
	if s == nil {
		return 0, err
	}
	w := tx.elemWriter(e)
	n := 0
	for _, m := range members {
		if s.remove(m) {
			w.del(m)
			n++
		}
	}
	if n > 0 {
		tx.notify(key, EventSet, "srem")
		tx.deleteIfEmpty(e)
	}
	return n, nil
}

// SMembers returns every member.
func (tx *Tx) SMembers(key []byte) ([][]byte, error) {
	s, err := tx.setRead(key)
	if s == nil {
		return nil, err
	}
	return s.members(), nil
}

// SIsMember reports whether each of members is in the set.
func (tx *Tx) SIsMember(key []byte, members ...[]byte) ([]bool, error) {
	s, err := tx.setRead(key)
	if err != nil {
		return nil, err
	}
	out := make([]bool, len(members))
	if s != nil {
		for i, m := range members {
			out[i] = s.has(m)
		}
	}
	return out, nil
}

// SCard returns the number of members.
func (tx *Tx) SCard(key []byte) (int, error) {
	s, err := tx.setRead(key)
	if s == nil {
		return 0, err
	}
	return s.n, nil
}

// SPop removes and returns count random distinct members (all of them
// when count >= the size).
func (tx *Tx) SPop(key []byte, count int64) ([][]byte, error) {
	e, s, err := tx.setFor(key, false)
	if s == nil || count <= 0 {
		return nil, err
	}
	if count >= int64(s.n) {
		out := s.members()
		tx.notify(key, EventSet, "spop")
		tx.delete(e)
		return out, nil
	}
	out := make([][]byte, 0, count)
	for _, i := range sampleIndexes(s.n, count) {
		out = append(out, s.at(i))
	}
	w := tx.elemWriter(e)
	for _, m := range out {
		s.remove(m)
		w.del(m)
	}
	tx.notify(key, EventSet, "spop")
	return out, nil
}

// at returns a copy of the member at position i.
func (s *set) at(i int) []byte {
	if s.tab != nil {
		return []byte(s.tab.members[i])
	}
	var out []byte
	j := 0
	s.each(func(m []byte) {
		if j == i {
			out = append([]byte(nil), m...)
		}
		j++
	})
	return out
}

// SRandMember returns members picked as Redis's SRANDMEMBER with a count
// does (see sampleIndexes).
func (tx *Tx) SRandMember(key []byte, count int64) ([][]byte, error) {
	s, err := tx.setRead(key)
	if s == nil {
		return nil, err
	}
	if count >= int64(s.n) {
		return s.members(), nil // the whole set, an intset's in its order
	}
	idx := sampleIndexes(s.n, count)
	out := make([][]byte, len(idx))
	if s.tab == nil {
		all := s.members()
		for j, i := range idx {
			out[j] = all[i]
		}
		return out, nil
	}
	for j, i := range idx {
		out[j] = []byte(s.tab.members[i])
	}
	return out, nil
}

// SMove moves member from src to dst and reports whether it was in src.
func (tx *Tx) SMove(src, dst, member []byte) (bool, error) {
	se, s, err := tx.setFor(src, false)
	if err != nil {
		return false, err
	}
	// As Redis's smoveCommand: a missing source is 0 whatever dst holds.
	if _, err := tx.lookupWriteKind(dst, KindSet); err != nil && s != nil {
		return false, err
	}
	if s == nil || !s.has(member) {
		return false, nil
	}
	if string(src) == string(dst) {
		return true, nil
	}
	s.remove(member)
	w := tx.elemWriter(se)
	w.del(member)
	tx.notify(src, EventSet, "srem")
	tx.deleteIfEmpty(se)
	de, d, _ := tx.setFor(dst, true)
	if d.add(member) {
		d.noteLen(tx.lim().SetIntsetEntries)
		w := tx.elemWriter(de)
		w.put(member, nil)
		// Only a real addition touches dst (its watchers, "sadd"), as
		// in Redis's smoveCommand.
		tx.notify(dst, EventSet, "sadd")
	}
	return true, nil
}

// SetOp is SINTER, SUNION or SDIFF.
type SetOp uint8

// Set operations.
const (
	SetInter SetOp = iota
	SetUnion
	SetDiff
)

// SetCompute returns the members of op over the sets at keys (missing
// keys are empty sets). limit > 0 stops an intersection early (SINTERCARD).
func (tx *Tx) SetCompute(op SetOp, keys [][]byte, limit int) ([][]byte, error) {
	s, err := tx.setCompute(op, keys, limit)
	if err != nil {
		return nil, err
	}
	return s.members(), nil
}

func (tx *Tx) setCompute(op SetOp, keys [][]byte, limit int) (*set, error) {
	sets := make([]*set, len(keys))
	for i, k := range keys {
		s, err := tx.setRead(k)
		if err != nil {
			return nil, err
		}
		sets[i] = s
	}
	if op == SetInter {
		for _, s := range sets {
			if s == nil {
				return newSet(), nil
			}
		}
	}
	out := newSet()
	switch op {
	case SetInter:
		small := 0
		for i, s := range sets {
			if s.n < sets[small].n {
				small = i
			}
		}
		sets[small].each(func(m []byte) {
			if limit > 0 && out.n >= limit {
				return
			}
			for i, s := range sets {
				if i != small && !s.has(m) {
					return
				}
			}
			out.add(m)
		})
	case SetUnion:
		for _, s := range sets {
			if s != nil {
				s.each(func(m []byte) { out.add(m) })
			}
		}
	case SetDiff:
		if sets[0] == nil {
			return out, nil
		}
		sets[0].each(func(m []byte) {
			for _, s := range sets[1:] {
				if s != nil && s.has(m) {
					return
				}
			}
			out.add(m)
		})
	}
	return out, nil
}

// SetOpStore stores the result of op over keys at dst and returns its size.
func (tx *Tx) SetOpStore(op SetOp, dst []byte, keys [][]byte) (int, error) {
	res, err := tx.setCompute(op, keys, 0)
	if err != nil {
		return 0, err
	}
	res.noteLen(tx.lim().SetIntsetEntries)
	events := [...]string{"sinterstore", "sunionstore", "sdiffstore"}
	tx.storeColl(dst, res, EventSet, events[op])
	return res.n, nil
}

// SScan continues an SSCAN (see HScan).
func (tx *Tx) SScan(key []byte, cursor uint64, o CollScanOptions) (uint64, [][]byte, bool, error) {
	s, err := tx.setRead(key)
	if s == nil {
		return 0, nil, false, err
	}
	var out [][]byte
	keep := func(m []byte) {
		if o.Match == "" || Match(o.Match, string(m), false) {
			out = append(out, m)
		}
	}
	if s.tab == nil || s.isIntset() { // all at once, as Redis scans an intset
		s.each(keep)
		return 0, out, true, nil
	}
	next := denseScan(len(s.tab.members), cursor, o.Count, func(i int) { keep(bview(s.tab.members[i])) })
	return next, out, true, nil
}
