package store_test

import (
	"testing"

	"github.com/cairn-db/cairn/store"
)

// BenchmarkXAdd appends entries with auto IDs to one stream (memory engine).
func BenchmarkXAdd(b *testing.B) {
	s, _ := store.Open(store.Options{})
	key := []byte("s")
	a := store.XAddArgs{AutoID: true, Fields: [][]byte{[]byte("field"), []byte("value-123")}}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		s.Update(0, func(tx *store.Tx) error {
			_, _, err := tx.XAdd(key, a)
			return err
		})
	}
}
