package store_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/cairn-db/cairn/store"
)

// benchKeys are 1M keys shaped like the seeding workload's.
func benchKeys(n int) [][]byte {
	keys := make([][]byte, n)
	for i := range keys {
		keys[i] = fmt.Appendf(nil, "rate:%05d:%05d", 10000+i/1000, 10000+i%1000)
	}
	return keys
}

func benchStore(b *testing.B, keys [][]byte) *store.Store {
	s, _ := store.Open(store.Options{})
	val := []byte(`{"rate":12.34,"svc":"ground","zone":123}`)
	s.Update(0, func(tx *store.Tx) error {
		for _, k := range keys {
			tx.Set(k, val, store.SetOptions{})
		}
		return nil
	})
	return s
}

// BenchmarkStoreGet reads random keys of a 1M-key keyspace, one
// transaction per read, as GET does.
func BenchmarkStoreGet(b *testing.B) {
	keys := benchKeys(1_000_000)
	s := benchStore(b, keys)
	r := rand.New(rand.NewPCG(1, 1))
	b.ResetTimer()
	for range b.N {
		k := keys[r.IntN(len(keys))]
		s.View(0, func(tx *store.Tx) error { tx.Get(k); return nil })
	}
}

// BenchmarkStoreSet overwrites random keys of a 1M-key keyspace.
func BenchmarkStoreSet(b *testing.B) {
	keys := benchKeys(1_000_000)
	s := benchStore(b, keys)
	val := []byte(`{"rate":99.99,"svc":"ground","zone":999}`)
	r := rand.New(rand.NewPCG(1, 1))
	b.ResetTimer()
	for range b.N {
		k := keys[r.IntN(len(keys))]
		s.Update(0, func(tx *store.Tx) error { tx.Set(k, val, store.SetOptions{}); return nil })
	}
}

// BenchmarkStoreLoad inserts 500k new keys, as the seeding workload does.
func BenchmarkStoreLoad(b *testing.B) {
	keys := benchKeys(500_000)
	val := []byte(`{"rate":12.34,"svc":"ground","zone":123}`)
	for range b.N {
		s, _ := store.Open(store.Options{})
		for i := 0; i < len(keys); i += 500 {
			s.Update(0, func(tx *store.Tx) error {
				for _, k := range keys[i:min(i+500, len(keys))] {
					tx.Set(k, val, store.SetOptions{})
				}
				return nil
			})
		}
	}
}
