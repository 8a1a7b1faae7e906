package store_test

import (
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/cairn-db/cairn/store"
	"github.com/cairn-db/cairn/store/pebblestore"
)

// Bitmap operations for the restart property test.
func init() {
	randomOps["bitmaps"] = []randomOp{
		func(tx *store.Tx, r *rand.Rand) { tx.SetBit(randomKey(r), uint64(r.IntN(200)), r.IntN(2)) },
		func(tx *store.Tx, r *rand.Rand) {
			tx.BitOp(store.BitOpKind(r.IntN(4)), randomKey(r), [][]byte{randomKey(r)})
		},
		func(tx *store.Tx, r *rand.Rand) {
			tx.BitOp(store.BitOpKind(r.IntN(3)), randomKey(r), [][]byte{randomKey(r), randomKey(r)})
		},
		func(tx *store.Tx, r *rand.Rand) {
			tx.BitField(randomKey(r), []store.BitFieldOp{
				{Kind: store.BitFieldIncrBy, Type: store.BitFieldType{Signed: r.IntN(2) == 0, Bits: 1 + r.IntN(63)},
					Offset: uint64(r.IntN(300)), Value: r.Int64N(1000) - 500, Overflow: store.Overflow(r.IntN(3))},
				{Kind: store.BitFieldSet, Type: store.BitFieldType{Bits: 8}, Offset: uint64(r.IntN(300)), Value: int64(r.IntN(256))},
			})
		},
	}
}

// TestBitmapSurvivesRestart: a bitmap built by SETBIT, BITFIELD and BITOP
// on the Pebble engine reads back the same after a restart.
func TestBitmapSurvivesRestart(t *testing.T) {
	fs := vfs.NewMem()
	clock := store.NewManualClock(time.UnixMilli(1_700_000_000_000))
	s := openPebble(t, fs, clock)
	s.Update(0, func(tx *store.Tx) error {
		for _, off := range []uint64{0, 7, 1000, 80_000} {
			if _, err := tx.SetBit([]byte("bm"), off, 1); err != nil {
				t.Fatal(err)
			}
		}
		tx.SetBit([]byte("bm"), 7, 0)
		tx.BitField([]byte("bf"), []store.BitFieldOp{{Kind: store.BitFieldSet, Type: store.BitFieldType{Signed: true, Bits: 16}, Offset: 100, Value: -1234}})
		tx.BitOp(store.BitNot, []byte("not"), [][]byte{[]byte("bf")})
		return nil
	})
	before := s.Dump()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openPebble(t, fs, clock)
	defer s.Close()
	if after := s.Dump(); after != before {
		t.Fatalf("bitmaps changed across restart\nbefore:\n%s\nafter:\n%s", before, after)
	}
	s.View(0, func(tx *store.Tx) error {
		for off, want := range map[uint64]int{0: 1, 7: 0, 1000: 1, 80_000: 1, 80_001: 0} {
			if got, _ := tx.GetBit([]byte("bm"), off); got != want {
				t.Errorf("GETBIT bm %d = %d after restart, want %d", off, got, want)
			}
		}
		res, _ := tx.BitField([]byte("bf"), []store.BitFieldOp{{Kind: store.BitFieldGet, Type: store.BitFieldType{Signed: true, Bits: 16}, Offset: 100}})
		if res[0].Value != -1234 {
			t.Errorf("BITFIELD GET i16 100 = %d after restart, want -1234", res[0].Value)
		}
		return nil
	})
}

func TestBitCountAndPos(t *testing.T) {
	v := []byte("\xff\xf0\x00")
	for _, c := range []struct {
		r    store.BitRange
		want int64
	}{
		{store.BitRange{}, 12},
		{store.BitRange{HasStart: true, HasEnd: true, Start: 1, End: 1}, 4},
		{store.BitRange{HasStart: true, HasEnd: true, Start: 5, End: 10, Bit: true}, 6},
		{store.BitRange{HasStart: true, HasEnd: true, Start: -12, End: -1, Bit: true}, 0},
		{store.BitRange{HasStart: true, HasEnd: true, Start: 2, End: 1}, 0},
	} {
		if got := store.BitCount(v, c.r); got != c.want {
			t.Errorf("BitCount(%+v) = %d, want %d", c.r, got, c.want)
		}
	}
	for _, c := range []struct {
		bit  int
		r    store.BitRange
		want int64
	}{
		{0, store.BitRange{}, 12},
		{1, store.BitRange{HasStart: true, Start: 2}, -1},
		{0, store.BitRange{HasStart: true, Start: 0, HasEnd: true, End: 0}, -1},
		{0, store.BitRange{HasStart: true, Start: 0}, 12},
		{1, store.BitRange{HasStart: true, Start: 3, HasEnd: true, End: 9, Bit: true}, 3},
	} {
		if got := store.BitPos(v, c.bit, c.r); got != c.want {
			t.Errorf("BitPos(%d, %+v) = %d, want %d", c.bit, c.r, got, c.want)
		}
	}
	if got := store.BitPos([]byte("\xff\xff"), 0, store.BitRange{}); got != 16 {
		t.Errorf("BitPos of all ones for 0 = %d, want 16 (the padding's first bit)", got)
	}
}

// BenchmarkSetBitLarge is the cost of one SETBIT on an 8 MB bitmap, on
// the memory engine and on Pebble: the value is edited in place in
// memory, but on Pebble every SETBIT journals the whole string, since a
// string is one record: about 40 ms and 32 MB allocated per SETBIT there
// (mostly the journal's copy of the record and Pebble's batch), against
// 0.3 µs and no allocation on the memory engine (medians of 5, 2 cores).
//
//	go test -run x -bench SetBitLarge -benchtime 100x -count 5 ./store/
func BenchmarkSetBitLarge(b *testing.B) {
	const size = 8 << 20
	for _, engine := range []string{"memory", "pebble"} {
		b.Run(engine, func(b *testing.B) {
			o := store.Options{}
			if engine == "pebble" {
				eng, err := pebblestore.Open(b.TempDir(), pebblestore.Options{Sync: pebblestore.SyncNo})
				if err != nil {
					b.Fatal(err)
				}
				o.Engine = eng
			}
			s, err := store.Open(o)
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			key := []byte("bitmap")
			s.Update(0, func(tx *store.Tx) error { _, err := tx.SetBit(key, size*8-1, 1); return err })
			r := rand.New(rand.NewPCG(1, 1))
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				s.Update(0, func(tx *store.Tx) error {
					_, err := tx.SetBit(key, uint64(r.IntN(size*8)), i&1)
					return err
				})
			}
		})
	}
}

// TestSetBitFarAllocatesOnce: a SETBIT far past the end allocates the
// grown string once, not a block of zeros and then the string (which
// would double the transient memory of a 512 MB bitmap).
func TestSetBitFarAllocatesOnce(t *testing.T) {
	s, _ := store.Open(store.Options{})
	defer s.Close()
	const size = 64 << 20
	for _, key := range []string{"new", "old"} {
		if key == "old" {
			s.Update(0, func(tx *store.Tx) error { _, err := tx.SetBit([]byte(key), 100, 1); return err })
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		s.Update(0, func(tx *store.Tx) error { _, err := tx.SetBit([]byte(key), size*8-1, 1); return err })
		runtime.ReadMemStats(&after)
		if got := after.TotalAlloc - before.TotalAlloc; got > size*3/2 {
			t.Errorf("SETBIT %s %d allocated %d MB, want about %d", key, size*8-1, got>>20, size>>20)
		}
	}
}
