package store_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/cairn-db/cairn/store"
	"github.com/cairn-db/cairn/store/pebblestore"
)

// Long-string operations for the restart property test: values that cross
// the chunked layout's threshold both ways, edits on chunk boundaries, and
// growth far past the end.
func init() {
	randomBytes := func(r *rand.Rand, n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('a' + r.IntN(26))
		}
		return b
	}
	randomLen := func(r *rand.Rand) int {
		if r.IntN(3) == 0 {
			return r.IntN(100)
		}
		return 3000 + r.IntN(7000)
	}
	randomOps["longstrings"] = []randomOp{
		func(tx *store.Tx, r *rand.Rand) {
			o := store.SetOptions{}
			if r.IntN(4) == 0 {
				o.Expire = tx.Now() + int64(r.IntN(5000))
			}
			tx.Set(randomKey(r), randomBytes(r, randomLen(r)), o)
		},
		func(tx *store.Tx, r *rand.Rand) { tx.SetBit(randomKey(r), uint64(r.IntN(100_000)), r.IntN(2)) },
		func(tx *store.Tx, r *rand.Rand) {
			tx.SetRange(randomKey(r), int64(r.IntN(12_000)), randomBytes(r, 1+r.IntN(3000)))
		},
		func(tx *store.Tx, r *rand.Rand) { tx.Append(randomKey(r), randomBytes(r, 1+r.IntN(2500))) },
		func(tx *store.Tx, r *rand.Rand) {
			tx.BitField(randomKey(r), []store.BitFieldOp{
				{Kind: store.BitFieldSet, Type: store.BitFieldType{Bits: 16}, Offset: uint64(r.IntN(90_000)), Value: int64(r.IntN(1 << 16))},
				{Kind: store.BitFieldSet, Type: store.BitFieldType{Bits: 8}, Offset: uint64(r.IntN(90_000)), Value: int64(r.IntN(256))},
			})
		},
	}
}

// countingEngine counts the bytes of the records each commit sets.
type countingEngine struct {
	store.Engine
	set int
}

type countingBatch struct {
	store.Batch
	e *countingEngine
}

func (c *countingEngine) NewBatch() store.Batch { return &countingBatch{c.Engine.NewBatch(), c} }

func (c *countingEngine) Commit(b store.Batch) error {
	return c.Engine.Commit(b.(*countingBatch).Batch)
}

func (b *countingBatch) Set(key, value []byte) {
	b.e.set += len(key) + len(value)
	b.Batch.Set(key, value)
}

// TestLongStringEditWritesItsChunks: an edit in place of a 1 MB string
// writes the chunks it touched, not the string, and the string survives
// a restart byte for byte.
func TestLongStringEditWritesItsChunks(t *testing.T) {
	fs := vfs.NewMem()
	clock := store.NewManualClock(time.UnixMilli(1_700_000_000_000))
	open := func() (*store.Store, *countingEngine) {
		eng, err := pebblestore.Open("data", pebblestore.Options{FS: fs})
		if err != nil {
			t.Fatal(err)
		}
		ce := &countingEngine{Engine: eng}
		s, err := store.Open(store.Options{Engine: ce, Clock: clock})
		if err != nil {
			t.Fatal(err)
		}
		return s, ce
	}
	s, ce := open()
	const size = 1 << 20
	big := bytes.Repeat([]byte("0123456789abcdef"), size/16)
	elems := make([][]byte, 3000)
	for i := range elems {
		elems[i] = fmt.Appendf(nil, "e%d", i)
	}
	s.Update(0, func(tx *store.Tx) error {
		tx.Set([]byte("s"), big, store.SetOptions{})
		tx.PFAdd([]byte("h"), elems) // dense: 12 KB
		return nil
	})
	if ce.set < size {
		t.Fatalf("SET of 1 MB wrote %d bytes", ce.set)
	}
	edits := []struct {
		name string
		op   func(tx *store.Tx)
		max  int // bytes of records it may write: two chunks and a header
	}{
		{"SETBIT", func(tx *store.Tx) { tx.SetBit([]byte("s"), 8*500_000, 1) }, 1100},
		{"SETRANGE across a chunk boundary", func(tx *store.Tx) { tx.SetRange([]byte("s"), 4096-5, []byte("0123456789")) }, 2200},
		{"APPEND", func(tx *store.Tx) { tx.Append([]byte("s"), []byte("tail")) }, 1100},
		{"SETBIT far past the end", func(tx *store.Tx) { tx.SetBit([]byte("s"), 8*5_000_000, 1) }, 1100},
		{"BITFIELD", func(tx *store.Tx) {
			tx.BitField([]byte("s"), []store.BitFieldOp{{Kind: store.BitFieldIncrBy, Type: store.BitFieldType{Bits: 32}, Offset: 8 * 100_000, Value: 7}})
		}, 1100},
		{"BITFIELD across a chunk boundary", func(tx *store.Tx) {
			tx.BitField([]byte("s"), []store.BitFieldOp{{Kind: store.BitFieldSet, Type: store.BitFieldType{Bits: 16}, Offset: 8*2048 - 4, Value: 0xffff}})
		}, 2200},
		{"EXPIRE", func(tx *store.Tx) { tx.Expire([]byte("s"), tx.Now()+100_000, store.ExpireAlways) }, 100},
		{"PFADD", func(tx *store.Tx) {
			// Registers in different chunks: their chunks and the header's.
			if ok, _ := tx.PFAdd([]byte("h"), [][]byte{[]byte("new-8"), []byte("new-10")}); !ok {
				t.Error("PFADD changed no register")
			}
		}, 4400},
		{"PFCOUNT", func(tx *store.Tx) { tx.PFCount([][]byte{[]byte("h")}) }, 1100},
		{"PFADD after PFCOUNT", func(tx *store.Tx) { // marks the cache stale
			if ok, _ := tx.PFAdd([]byte("h"), [][]byte{[]byte("new-1")}); !ok {
				t.Error("PFADD changed no register")
			}
		}, 2200},
	}
	for _, ed := range edits {
		ce.set = 0
		s.Update(0, func(tx *store.Tx) error { ed.op(tx); return nil })
		if ce.set == 0 || ce.set > ed.max {
			t.Errorf("%s wrote %d bytes of records, want 1 to %d", ed.name, ce.set, ed.max)
		}
	}
	before := s.Dump()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, _ = open()
	defer s.Close()
	if after := s.Dump(); after != before {
		t.Fatal("the long strings changed across a restart")
	}
	s.View(0, func(tx *store.Tx) error {
		v, _, _ := tx.Get([]byte("s"))
		if len(v) != 5_000_001 || v[500_000] != '0'|0x80 || v[4096-5] != '0' || string(v[size:size+4]) != "tail" {
			t.Errorf("s after restart: len %d, byte 500000 %q", len(v), v[500_000])
		}
		return nil
	})
}

// TestLongStringShrinksAndMoves: a long string replaced by a shorter
// long one, by a short one, renamed, moved and copied, keeps no chunk of
// its old value (a stale chunk would surface after the restart, or fail
// the load).
func TestLongStringShrinksAndMoves(t *testing.T) {
	fs := vfs.NewMem()
	clock := store.NewManualClock(time.UnixMilli(1_700_000_000_000))
	s := openPebble(t, fs, clock)
	long := func(c byte, n int) []byte { return bytes.Repeat([]byte{c}, n) }
	s.Update(0, func(tx *store.Tx) error {
		tx.Set([]byte("a"), long('a', 20_000), store.SetOptions{})
		tx.Set([]byte("a"), long('b', 5_000), store.SetOptions{}) // shorter, still chunked
		tx.Set([]byte("b"), long('c', 20_000), store.SetOptions{})
		tx.Set([]byte("b"), []byte("short"), store.SetOptions{}) // inline again
		tx.Set([]byte("c"), long('d', 9_000), store.SetOptions{})
		tx.Rename([]byte("c"), []byte("d"), false)
		tx.Copy([]byte("d"), []byte("e"), 1, false)
		tx.Move([]byte("a"), 2)
		tx.SetBit([]byte("f"), 8*10_000, 1) // zeros before the one chunk written
		return nil
	})
	before := s.Dump()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openPebble(t, fs, clock)
	defer s.Close()
	if after := s.Dump(); after != before {
		t.Fatalf("keyspace changed across restart\nbefore:\n%.400s\nafter:\n%.400s", before, after)
	}
}

// TestOpenRewritesMisfiledStrings: a long string stored whole (as Cairn
// before cairn-3 did), and a short one stored in chunks, load as they
// were and are rewritten in the layout their length calls for, so later
// edits of their chunks keep every byte.
func TestOpenRewritesMisfiledStrings(t *testing.T) {
	fs := vfs.NewMem()
	long := bytes.Repeat([]byte("xy"), 5000)
	writeRecords(t, fs, func(b store.Batch) {
		b.Set([]byte("Sformat"), []byte("cairn-2"))
		b.Set([]byte("M\x00long"), append(append([]byte{1}, make([]byte, 8)...), long...)) // a string, no TTL
		meta := binary.BigEndian.AppendUint64(append([]byte{1 | 0x80}, make([]byte, 8)...), 6)
		b.Set([]byte("M\x00short"), meta)
		b.Set(append(binary.BigEndian.AppendUint32([]byte("D\x00"), 5), "short\x63\x00\x00\x00\x00\x00\x00\x00\x00"...), []byte("abc"))
	})
	clock := store.NewManualClock(time.UnixMilli(1_700_000_000_000))
	s := openPebble(t, fs, clock)
	s.Update(0, func(tx *store.Tx) error {
		tx.SetBit([]byte("long"), 8*9000, 1)
		tx.Set([]byte("short"), []byte("z"), store.SetOptions{})
		return nil
	})
	want := s.Dump()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if format := readFormat(t, fs); format != "cairn-3" {
		t.Fatalf("format after Open = %q, want cairn-3", format)
	}
	s = openPebble(t, fs, clock)
	defer s.Close()
	if got := s.Dump(); got != want {
		t.Fatalf("after restart:\n%.300s\nwant:\n%.300s", got, want)
	}
	s.View(0, func(tx *store.Tx) error {
		want := bytes.Clone(long)
		want[9000] |= 0x80
		if v, _, _ := tx.Get([]byte("long")); !bytes.Equal(v, want) {
			t.Errorf("long lost bytes: len %d", len(v))
		}
		return nil
	})
}

// BenchmarkSetLongValue overwrites long values on the Pebble engine: what
// the chunked layout costs a plain SET, which writes every chunk.
//
//	go test ./store -run '^$' -bench SetLongValue
func BenchmarkSetLongValue(b *testing.B) {
	for _, size := range []int{2 << 10, 16 << 10, 256 << 10} {
		b.Run(fmt.Sprint(size), func(b *testing.B) {
			eng, err := pebblestore.Open(b.TempDir(), pebblestore.Options{Sync: pebblestore.SyncNo})
			if err != nil {
				b.Fatal(err)
			}
			s, err := store.Open(store.Options{Engine: eng})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			val := bytes.Repeat([]byte("v"), size)
			b.SetBytes(int64(size))
			b.ResetTimer()
			for i := range b.N {
				s.Update(0, func(tx *store.Tx) error {
					_, err := tx.Set(fmt.Appendf(nil, "key:%d", i%1000), val, store.SetOptions{})
					return err
				})
			}
		})
	}
}
