package store

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Options configure a Store.
type Options struct {
	// Databases is the number of logical databases (SELECT 0..n-1).
	// Default 16, as Redis.
	Databases int
	// Clock is the time source for expiry and everything else that reads
	// time. Default: the wall clock.
	Clock Clock
	// Engine keeps records durably; nil keeps data in memory only.
	Engine Engine
	// Limits decide collection encodings (see EncodingLimits); nil
	// means DefaultEncodingLimits. Loading follows them.
	Limits *EncodingLimits
}

// Store is the keyspace: every database, key and value, held in memory.
// All access goes through Update and View, which hold the keyspace lock for
// the whole transaction, so every command (and every MULTI/EXEC block run
// inside one Update) is atomic, as in Redis.
type Store struct {
	mu       sync.Mutex
	dbs      []*database
	slots    []byte // physical record slot of each logical database
	clock    Clock
	engine   Engine
	observer Observer
	started  time.Time
	tx       Tx        // reused: only one transaction runs at a time
	libs     libraries // function libraries (functions.go)

	maxStringLen atomic.Int64
	hllSparseMax atomic.Int64 // hll-sparse-max-bytes (see hll_ops.go)
	// noCompression is rdbcompression no (SetRDBCompression).
	noCompression atomic.Bool
	limits        atomic.Pointer[EncodingLimits]
	stats         Stats

	used    int64         // used memory, under mu (see memory.go)
	usedPub atomic.Int64  // used, published at the end of each transaction
	buffers *atomic.Int64 // SetBufferMemory's figure, or nil
	evict   evictState    // maxmemory settings and the eviction pool, under mu
	lfu     bool          // the policy is LFU: access holds an LFU counter
	// nextEvict is the maxmemory configuration SetEviction was given and
	// no transaction has adopted yet (see SetEviction).
	nextEvict atomic.Pointer[Eviction]
	// keyLoadDelay is Redis's key-load-delay (see SetKeyLoadDelay).
	keyLoadDelay atomic.Int64
	commits      atomic.Uint64 // batches handed to the engine
	// expiryHeld is set while CLIENT PAUSE is in force: lazy expiry then
	// hides a due key without deleting it (see HoldExpiry).
	expiryHeld atomic.Bool
	// closed is set, under mu, once SaveFinal saved the dataset for a
	// shutdown: Update runs nothing more.
	closed bool
	// snapshot is the save under way (StartSnapshot), under mu.
	snapshot *Snapshot
}

type database struct {
	keys    *keyspace
	expires expiryHeap
}

// Stats are counters a server reports in INFO and metrics. They are read
// without the keyspace lock.
type Stats struct {
	ExpiredKeys    atomic.Int64
	EvictedKeys    atomic.Int64
	KeyspaceHits   atomic.Int64
	KeyspaceMisses atomic.Int64
}

// Open returns a store. With an Engine it first loads every record back,
// dropping keys whose TTL passed while the store was closed.
func Open(opts Options) (*Store, error) {
	s, err := OpenUnloaded(opts)
	if err != nil {
		return nil, err
	}
	if err := s.Load(nil); err != nil {
		return nil, err
	}
	return s, nil
}

// OpenUnloaded returns a store that holds nothing yet: Load reads its
// engine's records. A server that listens while it loads (answering
// LOADING) opens its store this way and loads it in the background; an
// operation that runs meanwhile sees an empty store, or waits for the
// keyspace lock while Load holds it.
func OpenUnloaded(opts Options) (*Store, error) {
	if opts.Databases <= 0 {
		opts.Databases = 16
	}
	if opts.Databases > 256 {
		return nil, fmt.Errorf("store: at most 256 databases, got %d", opts.Databases)
	}
	if opts.Clock == nil {
		opts.Clock = RealClock{}
	}
	s := &Store{
		dbs:     make([]*database, opts.Databases),
		slots:   make([]byte, opts.Databases),
		clock:   opts.Clock,
		engine:  opts.Engine,
		started: opts.Clock.Now(),
	}
	s.maxStringLen.Store(512 << 20)
	s.hllSparseMax.Store(HLLSparseMaxBytes)
	lim := DefaultEncodingLimits
	if opts.Limits != nil {
		lim = *opts.Limits
	}
	s.limits.Store(&lim)
	for i := range s.dbs {
		s.dbs[i] = newDatabase()
		s.slots[i] = byte(i)
	}
	s.tx.s = s
	s.evict.init()
	return s, nil
}

// Load reads every record of the engine back into the store, under the
// keyspace lock; call it once, on a store from OpenUnloaded. Without an
// engine it does nothing. Closing stop (nil: never) makes it give up
// within a few thousand records with ErrLoadInterrupted, leaving the
// store half loaded and fit only for Close: a server asked to shut down
// while it loads need not wait for the whole dataset.
func (s *Store) Load(stop <-chan struct{}) error {
	if s.engine == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.adoptEviction() // so the keys start with the policy's access field
	if err := s.load(stop); err != nil {
		return err
	}
	return s.loadLibraries()
}

func newDatabase() *database { return &database{keys: newKeyspace()} }

// Close closes the engine, if any. The caller must have stopped every
// transaction first.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.engine == nil {
		return nil
	}
	err := s.engine.Close()
	s.engine = nil
	return err
}

// SetObserver installs the observer told about changes (see Observer). Set
// it before the store is shared.
func (s *Store) SetObserver(o Observer) { s.observer = o }

// SetMaxStringLen sets the largest string APPEND and SETRANGE may build
// (Redis's proto-max-bulk-len).
func (s *Store) SetMaxStringLen(n int64) { s.maxStringLen.Store(n) }

// Databases returns the number of logical databases.
func (s *Store) Databases() int { return len(s.dbs) }

// Clock returns the store's time source.
func (s *Store) Clock() Clock { return s.clock }

// Stats returns the store's counters.
func (s *Store) Stats() *Stats { return &s.stats }

// Durable reports whether the store writes records to an engine.
func (s *Store) Durable() bool { return s.engine != nil }

// Sync fsyncs every committed write (SAVE, shutdown).
func (s *Store) Sync() error {
	e := s.engine
	if e == nil {
		return nil
	}
	return e.Sync()
}

// Flush waits until every committed write is as durable as the fsync
// policy promises an acknowledged write (see Engine.Flush). Call it
// outside Update, before replying: concurrent callers share one fsync.
func (s *Store) Flush() error {
	e := s.engine
	if e == nil {
		return nil
	}
	return e.Flush()
}

// Commits counts the transactions that handed records to the engine. The
// server compares it with the count its last Flush covered to learn
// whether a reply must wait for Flush.
func (s *Store) Commits() uint64 { return s.commits.Load() }

// WriteError returns the engine's write error once writing to disk has
// failed: writes must be refused (Redis's MISCONF) while reads go on.
func (s *Store) WriteError() error {
	e := s.engine
	if e == nil {
		return nil
	}
	return e.Err()
}

// ErrPersist wraps an engine failure: the change is applied in memory but
// may not be durable.
var ErrPersist = errors.New("store: writing to disk failed")

// ErrClosed is Update's error once SaveFinal saved the dataset for a
// shutdown: the transaction did not run. It wraps ErrPersist, as a
// change that cannot be acknowledged either: a server sends no reply.
var ErrClosed = fmt.Errorf("%w: the store was saved for a shutdown", ErrPersist)

// Update runs fn as one transaction on database db. Changes fn makes are
// kept even if it returns an error (Redis has no rollback; commands check
// before they write). When fn returns, blocked clients are served from the
// keys that received data, and the records of the whole transaction are
// committed to the engine as one batch.
func (s *Store) Update(db int, fn func(tx *Tx) error) (err error) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrClosed
	}
	tx := s.begin(db)
	defer func() {
		// Deferred so a panicking command still commits what it changed in
		// memory and releases the lock.
		if cerr := s.finish(tx); cerr != nil && err == nil {
			err = cerr
		}
		s.mu.Unlock()
	}()
	return fn(tx)
}

// View runs fn as a read-only transaction on database db. Reads still
// delete keys they find expired, as in Redis, so View shares Update's lock.
func (s *Store) View(db int, fn func(tx *Tx) error) error {
	return s.Update(db, fn)
}

func (s *Store) begin(db int) *Tx {
	if s.nextEvict.Load() != nil {
		s.adoptEviction()
	}
	tx := &s.tx
	tx.dbIndex = db
	tx.db = s.dbs[db]
	tx.now = s.clock.Now().UnixMilli()
	tx.noTouch = false
	return tx
}

func (s *Store) finish(tx *Tx) error {
	tx.Checkpoint()
	return s.commitBatch(tx)
}

// commitBatch hands the records tx has written so far to the engine, as
// one batch; the transaction's later records go in a batch of their own.
func (s *Store) commitBatch(tx *Tx) error {
	if tx.batch == nil {
		return nil
	}
	b := tx.batch
	tx.batch = nil
	if b.Empty() {
		b.Close()
		return nil
	}
	if err := s.engine.Commit(b); err != nil {
		return fmt.Errorf("%w: %v", ErrPersist, err)
	}
	// Counted once the engine has it, so a Flush that starts after a
	// reader saw the count covers the commit.
	s.commits.Add(1)
	return nil
}

// Checkpoint ends one command of several run in one transaction (a
// client's pipelined commands): blocked clients are served from the keys
// the command gave data, and its memory is accounted, as if the
// transaction ended here. The records are still committed once, when the
// transaction ends, as one batch.
func (tx *Tx) Checkpoint() {
	s := tx.s
	for len(tx.ready) > 0 && s.observer != nil {
		ready := tx.ready
		tx.ready, tx.readySet = tx.readyNext[:0], nil
		s.observer.KeysReady(tx, ready)
		tx.readyNext = ready[:0]
	}
	tx.ready, tx.readySet = tx.ready[:0], nil
	tx.settleMemory()
	if s.usedPub.Load() != s.used { // a read changes nothing: skip the locked store
		s.usedPub.Store(s.used)
	}
}

// accessClock is the coarse access time kept per key (seconds since the
// store started, plus accessClockBase), for OBJECT IDLETIME and LRU
// eviction.
func (s *Store) accessClock(nowMs int64) uint32 {
	d := nowMs - s.started.UnixMilli()
	if d < 0 {
		return accessClockBase
	}
	return uint32(d/1000) + accessClockBase
}

// accessClockBase starts the access clock 2^24 seconds (194 days, the
// range of Redis's LRU clock) up, so that RESTORE … IDLETIME can date a
// key's last access before the store started.
const accessClockBase = 1 << 24
