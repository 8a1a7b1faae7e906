package store

// PrefetchMax is the most keys one Prefetch call warms.
const PrefetchMax = 64

// Prefetch warms the CPU cache for keys that are about to be looked up in
// this transaction, such as the keys of a client's pipelined commands. In
// a keyspace larger than the cache, a lookup waits on three dependent
// memory loads (table slot, dense array, entry), so sixteen pipelined GETs
// done one after another wait forty-eight times. Prefetch issues the loads
// of all the keys stage by stage, with no dependency between keys, so the
// CPU overlaps them and the lookups that follow find their lines cached.
// It changes nothing and may be skipped.
func (tx *Tx) Prefetch(keys [][]byte) {
	k := tx.db.keys
	n := min(len(keys), PrefetchMax)
	if n < 2 || len(k.dense) == 0 {
		return
	}
	var (
		hash [PrefetchMax]uint32
		ents [PrefetchMax]*entry
		sink uint64
	)
	mask := uint32(len(k.slots) - 1)
	m := 0 // keys kept: a run of commands on one key warms it once
	for i := range n {
		if i > 0 && string(keys[i]) == string(keys[i-1]) {
			continue
		}
		hash[m] = keyHash(keys[i])
		sink += k.slots[hash[m]&mask]
		m++
	}
	n = m
	for i := range n {
		for j := hash[i] & mask; ; j = (j + 1) & mask {
			s := k.slots[j]
			if s == 0 {
				break
			}
			if uint32(s>>32) == hash[i] {
				ents[i] = k.dense[uint32(s)-1]
				break
			}
		}
	}
	for _, e := range ents[:n] {
		if e != nil && len(e.key) > 0 {
			sink += uint64(e.key[0]) + uint64(e.expireAt)
		}
	}
	tx.sink = sink // so the loads are not optimised away
}
