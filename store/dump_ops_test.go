package store_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/cairn-db/cairn/store"
)

// DUMP/RESTORE for the restart property test: a value of any type
// restored under another key (replacing it, sometimes with a TTL) must
// persist like the original.
func init() {
	randomOps["dump"] = []randomOp{
		func(tx *store.Tx, r *rand.Rand) {
			p, ok := tx.Dump(randomKey(r))
			if !ok {
				return
			}
			o := store.RestoreOptions{Replace: true, Idle: -1, Freq: -1}
			if r.IntN(3) == 0 {
				o.TTL = int64(r.IntN(5000))
			}
			if err := tx.Restore(randomKey(r), p, o); err != nil {
				panic("RESTORE of Cairn's own DUMP: " + err.Error())
			}
		},
	}
}

// TestRestoreSurvivesRestart restores a value of every type on the
// Pebble engine, closes and reopens it, and finds the same keyspace.
func TestRestoreSurvivesRestart(t *testing.T) {
	fs := vfs.NewMem()
	clock := store.NewManualClock(time.UnixMilli(1_700_000_000_000))
	s := openPebble(t, fs, clock)
	b := func(v ...string) [][]byte {
		out := make([][]byte, len(v))
		for i, s := range v {
			out[i] = []byte(s)
		}
		return out
	}
	var payloads [][]byte
	s.Update(0, func(tx *store.Tx) error {
		tx.Set([]byte("s"), []byte("hello world, hello world, hello world"), store.SetOptions{})
		long := make([]byte, 100_000) // stored in chunk records
		for i := range long {
			long[i] = byte(i * 7 / 5)
		}
		tx.Set([]byte("long"), long, store.SetOptions{})
		tx.ListPush([]byte("l"), store.ListTail, b("a", "1", "bb"), false)
		tx.SAdd([]byte("set"), b("a", "b", "3"))
		tx.HSet([]byte("h"), b("f", "v", "g", "12"), false)
		tx.ZAdd([]byte("z"), store.ZAddOptions{}, []float64{1, 2.5}, b("m", "n"))
		tx.XAdd([]byte("x"), store.XAddArgs{AutoID: true, Fields: b("f", "v")})
		tx.XGroupCreate([]byte("x"), []byte("g"), store.GroupStart{EntriesRead: -1}, false)
		tx.XReadGroup([]byte("x"), store.XReadGroupArgs{Group: []byte("g"), Consumer: []byte("c"), New: true})
		for _, k := range []string{"s", "long", "l", "set", "h", "z", "x"} {
			p, _ := tx.Dump([]byte(k))
			payloads = append(payloads, p)
		}
		tx.FlushDB()
		return nil
	})
	s.Update(1, func(tx *store.Tx) error {
		for i, p := range payloads {
			if err := tx.Restore([]byte{'r', byte('0' + i)}, p, store.RestoreOptions{TTL: 100_000, Idle: -1, Freq: -1}); err != nil {
				t.Fatal(err)
			}
		}
		// Over a chunked string and over a collection: the old records go.
		replace := store.RestoreOptions{Replace: true, Idle: -1, Freq: -1}
		if err := tx.Restore([]byte("r1"), payloads[0], replace); err != nil {
			t.Fatal(err)
		}
		if err := tx.Restore([]byte("r2"), payloads[1], replace); err != nil {
			t.Fatal(err)
		}
		return nil
	})
	before := s.Dump()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openPebble(t, fs, clock)
	defer s.Close()
	if after := s.Dump(); after != before || len(payloads) != 7 {
		t.Fatalf("after restart:\n%s\nbefore:\n%s", after, before)
	}
}
