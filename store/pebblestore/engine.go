package pebblestore

import (
	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/bloom"
	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/cairn-db/cairn/store"
)

// Options configure the engine.
type Options struct {
	// FS is the filesystem; nil means the OS. Tests pass vfs.NewMem().
	FS vfs.FS
	// CacheSize is the block cache in bytes. Reads are served from memory,
	// so the cache only helps start-up and compactions. Default 8 MiB.
	CacheSize int64
	// MemTableSize bounds each memtable. Larger memtables absorb write
	// bursts (bulk seeding) before flushes stall writes. Default 64 MiB.
	MemTableSize uint64
}

// Engine is a store.Engine backed by a Pebble database.
type Engine struct {
	db *pebble.DB
}

var _ store.Engine = (*Engine)(nil)

// Open opens (or creates) the Pebble database in dir.
func Open(dir string, o Options) (*Engine, error) {
	if o.CacheSize == 0 {
		o.CacheSize = 8 << 20
	}
	if o.MemTableSize == 0 {
		o.MemTableSize = 64 << 20
	}
	opts := &pebble.Options{
		FS:                 o.FS,
		CacheSize:          o.CacheSize,
		MemTableSize:       o.MemTableSize,
		FormatMajorVersion: pebble.FormatNewest,
		Logger:             quietLogger{},
	}
	for i := range opts.Levels {
		opts.Levels[i].FilterPolicy = bloom.FilterPolicy(10)
	}
	db, err := pebble.Open(dir, opts)
	if err != nil {
		return nil, err
	}
	return &Engine{db: db}, nil
}

// NewBatch returns an empty batch.
func (e *Engine) NewBatch() store.Batch { return &batch{b: e.db.NewBatch()} }

// Commit applies b without waiting for an fsync.
func (e *Engine) Commit(b store.Batch) error {
	pb := b.(*batch).b
	defer pb.Close()
	return pb.Commit(pebble.NoSync)
}

// Sync makes every committed batch durable. Concurrent calls share one
// WAL fsync (Pebble's group commit).
func (e *Engine) Sync() error {
	return e.db.LogData(nil, pebble.Sync)
}

// Iterate calls fn for every record in [lower, upper).
func (e *Engine) Iterate(lower, upper []byte, fn func(k, v []byte) error) error {
	it, err := e.db.NewIter(&pebble.IterOptions{LowerBound: lower, UpperBound: upper})
	if err != nil {
		return err
	}
	for ok := it.First(); ok; ok = it.Next() {
		v, err := it.ValueAndErr()
		if err != nil {
			it.Close()
			return err
		}
		if err := fn(it.Key(), v); err != nil {
			it.Close()
			return err
		}
	}
	if err := it.Error(); err != nil {
		it.Close()
		return err
	}
	return it.Close()
}

// Close closes the database.
func (e *Engine) Close() error { return e.db.Close() }

type batch struct{ b *pebble.Batch }

func (b *batch) Set(k, v []byte)         { b.b.Set(k, v, nil) }
func (b *batch) Delete(k []byte)         { b.b.Delete(k, nil) }
func (b *batch) DeleteRange(s, e []byte) { b.b.DeleteRange(s, e, nil) }
func (b *batch) Empty() bool             { return b.b.Empty() }
func (b *batch) Close()                  { b.b.Close() }

// quietLogger drops Pebble's informational chatter ("Found 0 WALs"); the
// errors Pebble reports reach the caller as return values.
type quietLogger struct{}

func (quietLogger) Infof(string, ...any)  {}
func (quietLogger) Errorf(string, ...any) {}
func (quietLogger) Fatalf(format string, args ...any) {
	panic("pebble: fatal: " + format)
}
