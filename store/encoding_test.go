package store_test

import (
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/cairn-db/cairn/store"
	"github.com/cairn-db/cairn/store/pebblestore"
)

// TestEncodingFollowsLimits: a collection converts under the limits in
// force when it is written, a later change of the limits leaves it alone
// until it is written again, and a restart re-derives every encoding from
// the limits in force at load time (as Redis's rdbLoadObject does, so the
// encoding itself is not stored).
func TestEncodingFollowsLimits(t *testing.T) {
	fs := vfs.NewMem()
	clock := store.NewManualClock(time.UnixMilli(1_700_000_000_000))
	open := func(l store.EncodingLimits) *store.Store {
		eng, err := pebblestore.Open("data", pebblestore.Options{FS: fs})
		if err != nil {
			t.Fatal(err)
		}
		s, err := store.Open(store.Options{Engine: eng, Clock: clock, Limits: &l})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	encodings := func(s *store.Store) (out [4]string) {
		s.View(0, func(tx *store.Tx) error {
			for i, k := range []string{"z", "h", "s", "copy"} {
				info, _ := tx.Object([]byte(k))
				out[i] = info.Encoding
			}
			return nil
		})
		return out
	}
	small := store.EncodingLimits{HashEntries: 1, HashValue: 64, SetIntsetEntries: 1, ZSetEntries: 0, ZSetValue: 64}
	s := open(small)
	s.Update(0, func(tx *store.Tx) error {
		tx.ZAdd([]byte("z"), store.ZAddOptions{}, []float64{1, 2}, [][]byte{[]byte("a"), []byte("b")})
		tx.HSet([]byte("h"), [][]byte{[]byte("f"), []byte("1"), []byte("g"), []byte("2")}, false)
		tx.SAdd([]byte("s"), [][]byte{[]byte("1"), []byte("2")})
		tx.Copy([]byte("z"), []byte("copy"), 0, false)
		return nil
	})
	if got, want := encodings(s), [4]string{"skiplist", "hashtable", "hashtable", "skiplist"}; got != want {
		t.Fatalf("under small limits: %v, want %v", got, want)
	}
	// New limits change nothing until a write, and then only that key.
	s.SetEncodingLimits(store.DefaultEncodingLimits)
	s.Update(0, func(tx *store.Tx) error {
		tx.ZAdd([]byte("z"), store.ZAddOptions{}, []float64{3}, [][]byte{[]byte("c")})
		tx.ZAdd([]byte("z2"), store.ZAddOptions{}, []float64{3}, [][]byte{[]byte("c")})
		return nil
	})
	if got, want := encodings(s), [4]string{"skiplist", "hashtable", "hashtable", "skiplist"}; got != want {
		t.Fatalf("after raising the limits: %v, want %v", got, want)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = open(store.DefaultEncodingLimits)
	if got, want := encodings(s), [4]string{"listpack", "listpack", "intset", "listpack"}; got != want {
		t.Fatalf("reloaded under the defaults: %v, want %v", got, want)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = open(small)
	defer s.Close()
	if got, want := encodings(s), [4]string{"skiplist", "hashtable", "hashtable", "skiplist"}; got != want {
		t.Fatalf("reloaded under small limits: %v, want %v", got, want)
	}
}
