package store_test

import (
	"fmt"
	"testing"

	"github.com/cairn-db/cairn/store"
)

// BenchmarkWriteRDB: one RDB snapshot of 100k 40-byte strings (the
// seeding workload's shape), as redis-cli --rdb asks for.
func BenchmarkWriteRDB(b *testing.B) {
	s, _ := store.Open(store.Options{})
	val := make([]byte, 40)
	s.Update(0, func(tx *store.Tx) error {
		for i := 0; i < 100_000; i++ {
			tx.Set([]byte(fmt.Sprintf("rate:%05d:%05d", i/1000, i%1000)), val, store.SetOptions{})
		}
		return nil
	})
	b.ResetTimer()
	for range b.N {
		b.SetBytes(int64(len(s.WriteRDB(store.RDBOptions{}))))
	}
}
