package store

import (
	"errors"
	"math"
	"math/rand/v2"
	"time"
)

// Eviction follows Redis's evict.c. When used memory (see memory.go) is
// over maxmemory, Evict deletes keys chosen by the policy until it is not.
// LRU, LFU and TTL policies use Redis's approximation: each round samples
// maxmemory-samples keys per database into a pool of the 16 best
// candidates seen so far, and evicts the best one that still exists. The
// random policies pick a random key, visiting databases in turn. Evicted
// keys are deleted through the normal path, so the deletion is persisted
// and raises the "evicted" keyspace event.

// EvictionPolicy is Redis's maxmemory-policy.
type EvictionPolicy uint8

// The eviction policies.
const (
	NoEviction EvictionPolicy = iota
	AllKeysLRU
	AllKeysLFU
	AllKeysRandom
	VolatileLRU
	VolatileLFU
	VolatileRandom
	VolatileTTL
)

var policyNames = [...]string{"noeviction", "allkeys-lru", "allkeys-lfu", "allkeys-random",
	"volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl"}

// String returns the policy's maxmemory-policy name.
func (p EvictionPolicy) String() string { return policyNames[p] }

// ParseEvictionPolicy maps a maxmemory-policy name to a policy.
func ParseEvictionPolicy(name string) (EvictionPolicy, bool) {
	for i, n := range policyNames {
		if n == name {
			return EvictionPolicy(i), true
		}
	}
	return NoEviction, false
}

func (p EvictionPolicy) volatile() bool { return p >= VolatileLRU }

// LFU reports whether the policy counts access frequency.
func (p EvictionPolicy) LFU() bool { return p == AllKeysLFU || p == VolatileLFU }

// Eviction is the maxmemory configuration.
type Eviction struct {
	// MaxMemory is the limit on used memory in bytes; 0 means none.
	MaxMemory int64
	// Policy chooses what to evict.
	Policy EvictionPolicy
	// Samples is maxmemory-samples: keys sampled per database and round.
	// Default 5.
	Samples int
	// LFULogFactor and LFUDecayTime are lfu-log-factor (how many hits
	// it takes to saturate the counter; default 10) and lfu-decay-time
	// (minutes per counter decrement; default 1).
	LFULogFactor, LFUDecayTime int
}

// ErrOOM: used memory is over maxmemory and nothing can be evicted.
var ErrOOM = errors.New("store: used memory is over maxmemory")

const evictPoolSize = 16

type evictState struct {
	Eviction
	pool   [evictPoolSize]poolSlot // ascending score; empty slots at the end
	nextDB int                     // the random policies' next database
	rng    *rand.Rand
}

// poolSlot is an eviction candidate: higher scores are evicted first.
type poolSlot struct {
	score uint64
	db    int
	e     *entry
}

func (st *evictState) init() {
	st.Samples, st.LFULogFactor, st.LFUDecayTime = 5, 10, 1
	st.rng = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
}

// SetEviction changes the maxmemory configuration, from the next
// transaction on. It does not wait for the keyspace lock, which a load
// holds from start to end: CONFIG SET runs while the server loads, as in
// Redis.
func (s *Store) SetEviction(c Eviction) {
	if c.Samples <= 0 {
		c.Samples = 5
	}
	s.nextEvict.Store(&c)
}

// adoptEviction makes the configuration SetEviction was given the one in
// force. The caller holds the lock.
func (s *Store) adoptEviction() {
	c := s.nextEvict.Swap(nil)
	if c == nil {
		return
	}
	if c.Policy != s.evict.Policy {
		s.evict.pool = [evictPoolSize]poolSlot{}
	}
	s.evict.Eviction = *c
	s.lfu = c.Policy.LFU()
}

// Evict deletes keys, as the policy chooses, until used memory is within
// maxmemory. It returns ErrOOM when memory is still over the limit and no
// key can be evicted (always, under noeviction). The server calls it
// before each command, inside the command's transaction.
func (tx *Tx) Evict() error { return tx.EvictTimed(nil) }

// EvictTimed is Evict, calling onDelete (when not nil) with the time each
// evicted key's deletion took: the latency monitor's eviction-del.
func (tx *Tx) EvictTimed(onDelete func(time.Duration)) error {
	s := tx.s
	max := s.evict.MaxMemory
	if max <= 0 {
		return nil
	}
	tx.settleMemory()
	// What the data may take. The buffers' figure is read once: as
	// Redis's performEvictions, eviction frees what was over when it
	// began, so buffers growing meanwhile (the evictions' own keyspace
	// notifications and invalidations, queued to clients) cannot make it
	// empty the keyspace.
	max -= s.StartupMemory() + s.BufferMemory()
	if s.used <= max {
		return nil
	}
	if s.evict.Policy == NoEviction {
		return ErrOOM
	}
	cur := tx.dbIndex
	defer tx.Use(cur)
	for s.used > max {
		db, e := tx.evictionCandidate()
		if e == nil {
			return ErrOOM
		}
		tx.Use(db)
		key := e.key
		if onDelete != nil {
			start := time.Now()
			tx.remove(e)
			onDelete(time.Since(start))
		} else {
			tx.remove(e)
		}
		s.stats.EvictedKeys.Add(1)
		tx.notifyString(key, EventEvicted, "evicted")
	}
	return nil
}

// OverMaxMemory reports whether used memory, as of the last transaction,
// is over maxmemory. It does not take the lock: callers use it to skip
// Evict cheaply.
func (s *Store) OverMaxMemory(max int64) bool { return max > 0 && s.UsedMemory() > max }

// evictionCandidate returns the next key to evict and its database, or a
// nil entry when there is none.
func (tx *Tx) evictionCandidate() (int, *entry) {
	st := &tx.s.evict
	dbs := tx.s.dbs
	if st.Policy == AllKeysRandom || st.Policy == VolatileRandom {
		for range dbs {
			db := st.nextDB
			st.nextDB = (st.nextDB + 1) % len(dbs)
			if e := st.sample(dbs[db]); e != nil {
				return db, e
			}
		}
		return 0, nil
	}
	for {
		keys := 0
		for db, d := range dbs {
			n := d.keys.len()
			if st.Policy.volatile() {
				n = len(d.expires)
			}
			if n == 0 {
				continue
			}
			keys += n
			for range st.Samples {
				e := st.sample(d)
				st.insert(poolSlot{score: tx.evictionScore(e), db: db, e: e})
			}
		}
		if keys == 0 {
			return 0, nil
		}
		if db, e := st.best(dbs); e != nil {
			return db, e
		}
	}
}

// sample returns a random key of d the policy may evict, or nil.
func (st *evictState) sample(d *database) *entry {
	if st.Policy.volatile() {
		if len(d.expires) == 0 {
			return nil
		}
		return d.expires.at(st.rng.IntN(len(d.expires)))
	}
	if d.keys.len() == 0 {
		return nil
	}
	return d.keys.at(st.rng.IntN(d.keys.len()))
}

// evictionScore ranks e: the longer idle, the less frequently used, or
// the sooner to expire, the higher.
func (tx *Tx) evictionScore(e *entry) uint64 {
	s := tx.s
	switch s.evict.Policy {
	case AllKeysLFU, VolatileLFU:
		return 255 - uint64(s.lfuCounter(e.access, tx.now))
	case VolatileTTL:
		return math.MaxUint64 - uint64(e.expireAt)
	}
	return uint64(max(int64(s.accessClock(tx.now))-int64(e.access), 0))
}

// insert adds c to the pool if it beats the worst candidate there.
func (st *evictState) insert(c poolSlot) {
	p := &st.pool
	k := 0
	for k < evictPoolSize && p[k].e != nil && p[k].score < c.score {
		k++
	}
	switch {
	case k == 0 && p[evictPoolSize-1].e != nil:
		return // worse than everything in a full pool
	case p[evictPoolSize-1].e == nil:
		copy(p[k+1:], p[k:evictPoolSize-1])
	default: // full: drop the worst to make room
		k--
		copy(p[:k], p[1:k+1])
	}
	p[k] = c
}

// best pops the best candidate that is still a live key of its database
// (and still has a TTL, for volatile policies), or returns nil.
func (st *evictState) best(dbs []*database) (int, *entry) {
	for k := evictPoolSize - 1; k >= 0; k-- {
		c := st.pool[k]
		if c.e == nil {
			continue
		}
		st.pool[k] = poolSlot{}
		if c.db >= len(dbs) {
			continue
		}
		ks, pos := dbs[c.db].keys, int(c.e.pos)
		if pos < 0 || pos >= ks.len() || ks.at(pos) != c.e {
			continue // deleted, flushed or swapped since it was sampled
		}
		if st.Policy.volatile() && c.e.expireAt == 0 {
			continue
		}
		return c.db, c.e
	}
	return 0, nil
}
