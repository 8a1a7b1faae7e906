package store_test

import (
	"encoding/binary"
	"slices"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/cairn-db/cairn/store"
	"github.com/cairn-db/cairn/store/pebblestore"
)

// cairn1Records writes, byte by byte, what Cairn's format cairn-1 kept for
// a list q = [a b] and a stream s whose one live entry is 5-1 (7-0 was
// added and deleted): metadata records that carry the list's sequence
// numbers and the stream's full header.
func cairn1Records(b store.Batch) {
	u64 := binary.BigEndian.AppendUint64
	id := func(b []byte, ms, seq uint64) []byte { return u64(u64(b, ms), seq) }
	data := func(key string, sub ...byte) []byte {
		k := binary.BigEndian.AppendUint32([]byte{'D', 0}, uint32(len(key)))
		return append(append(k, key...), sub...)
	}
	header := func(kind byte) []byte { return append([]byte{kind}, make([]byte, 8)...) } // no expiry

	b.Set([]byte("Sformat"), []byte("cairn-1"))
	const seq = 1<<63 - 1
	b.Set([]byte("M\x00q"), u64(u64(header(2), seq), seq+2))
	b.Set(data("q", u64(nil, seq)...), []byte("a"))
	b.Set(data("q", u64(nil, seq+1)...), []byte("b"))

	meta := id(header(6), 7, 0)           // last-id
	meta = id(meta, 5, 1)                 // first-id
	meta = id(meta, 7, 0)                 // max-deleted-id
	b.Set([]byte("M\x00s"), u64(meta, 2)) // entries-added
	b.Set(data("s", id([]byte{'e'}, 5, 1)...), []byte{2, 1, 'f', 1, 'v'})
}

// TestOpenReadsFormat1: a store written by an older Cairn loads
// unchanged, is marked with the current format at once (so that older Cairn refuses it
// rather than misread the records this one writes), and goes on working
// across restarts.
func TestOpenReadsFormat1(t *testing.T) {
	fs := vfs.NewMem()
	writeRecords(t, fs, cairn1Records)

	s := openPebble(t, fs, store.NewManualClock(time.UnixMilli(1_700_000_000_000)))
	check := func(wantList []string, wantLast store.StreamID, wantAdded uint64, wantLen int) {
		t.Helper()
		s.View(0, func(tx *store.Tx) error {
			got, err := tx.ListRange([]byte("q"), 0, -1)
			if err != nil || !slices.Equal(strs(got), wantList) {
				t.Errorf("LRANGE q = %q, %v; want %q", got, err, wantList)
			}
			in, err := tx.XInfoStream([]byte("s"), false, 0)
			if err != nil {
				t.Fatal(err)
			}
			want := store.StreamInfo{Length: wantLen, LastID: wantLast, MaxDeletedID: store.StreamID{Ms: 7},
				EntriesAdded: wantAdded, FirstRecorded: store.StreamID{Ms: 5, Seq: 1}}
			if in.Length != want.Length || in.LastID != want.LastID || in.MaxDeletedID != want.MaxDeletedID ||
				in.EntriesAdded != want.EntriesAdded || in.FirstRecorded != want.FirstRecorded {
				t.Errorf("XINFO STREAM s = %+v; want %+v", in, want)
			}
			return nil
		})
	}
	check([]string{"a", "b"}, store.StreamID{Ms: 7}, 2, 1)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if format := readFormat(t, fs); format != "cairn-3" {
		t.Fatalf("format after Open = %q, want cairn-3", format)
	}

	s = openPebble(t, fs, store.NewManualClock(time.UnixMilli(1_700_000_000_000)))
	s.Update(0, func(tx *store.Tx) error {
		tx.ListPush([]byte("q"), store.ListHead, [][]byte{[]byte("z")}, false)
		tx.ListPush([]byte("q"), store.ListTail, [][]byte{[]byte("c")}, false)
		_, _, err := tx.XAdd([]byte("s"), store.XAddArgs{ID: store.StreamID{Ms: 9}, Fields: [][]byte{[]byte("f"), []byte("w")}})
		return err
	})
	check([]string{"z", "a", "b", "c"}, store.StreamID{Ms: 9}, 3, 2)
	s.Close()
	s = openPebble(t, fs, store.NewManualClock(time.UnixMilli(1_700_000_000_000)))
	defer s.Close()
	check([]string{"z", "a", "b", "c"}, store.StreamID{Ms: 9}, 3, 2)
}

func strs(bs [][]byte) []string {
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = string(b)
	}
	return out
}

func readFormat(t *testing.T, fs vfs.FS) string {
	t.Helper()
	eng, err := pebblestore.Open("data", pebblestore.Options{FS: fs})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	var format string
	if err := eng.Iterate([]byte("Sformat"), []byte("Sformat\x00"), func(k, v []byte) error {
		format = string(v)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return format
}
