package store_test

import (
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/cairn-db/cairn/store"
)

// TestRecordAllocations locks in what writing a command's records costs
// on the Pebble engine: nothing for a SET (Pebble pools its batches, and
// the engine's batch is Pebble's own), and one small buffer for the
// element-key prefix of a collection's records.
func TestRecordAllocations(t *testing.T) {
	s := openPebble(t, vfs.NewMem(), store.NewManualClock(time.UnixMilli(1_700_000_000_000)))
	defer s.Close()
	key, list, stream, val := []byte("key"), []byte("list"), []byte("stream"), []byte("value")
	fields := [][]byte{[]byte("field"), val}
	xadd := store.XAddArgs{AutoID: true, Fields: fields}
	for _, tc := range []struct {
		name string
		max  float64
		op   func(tx *store.Tx) error
	}{
		{"SET", 0, func(tx *store.Tx) error { _, err := tx.Set(key, val, store.SetOptions{}); return err }},
		{"LPUSH", 1, func(tx *store.Tx) error {
			_, err := tx.ListPush(list, store.ListHead, fields, false)
			return err
		}},
		{"XADD", 1, func(tx *store.Tx) error {
			_, _, err := tx.XAdd(stream, xadd)
			return err
		}},
	} {
		n := testing.AllocsPerRun(2000, func() {
			if err := s.Update(0, tc.op); err != nil {
				t.Fatal(err)
			}
		})
		if n > tc.max {
			t.Errorf("%s: %.1f allocations per command, want at most %.0f", tc.name, n, tc.max)
		}
	}
}
