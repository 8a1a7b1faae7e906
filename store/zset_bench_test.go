package store_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/cairn-db/cairn/store"
)

// zsetBench returns a store holding one sorted set of n members with
// random scores in [0, n), added in random order as a leaderboard fills.
func zsetBench(b *testing.B, n int) *store.Store {
	s, _ := store.Open(store.Options{})
	r := rand.New(rand.NewPCG(1, 1))
	for i := 0; i < n; i += 1000 {
		s.Update(0, func(tx *store.Tx) error {
			scores, members := make([]float64, 0, 1000), make([][]byte, 0, 1000)
			for j := i; j < min(i+1000, n); j++ {
				scores = append(scores, r.Float64()*float64(n))
				members = append(members, fmt.Appendf(nil, "member:%d", j))
			}
			_, err := tx.ZAdd([]byte("z"), store.ZAddOptions{}, scores, members)
			return err
		})
	}
	return s
}

// BenchmarkZRangeByScore reads 100 members by score from a 1M-member
// sorted set: a descent to the first, then a walk along level 0.
func BenchmarkZRangeByScore(b *testing.B) {
	const n = 1_000_000
	s := zsetBench(b, n)
	r := rand.New(rand.NewPCG(2, 2))
	b.ResetTimer()
	for range b.N {
		lo := r.Float64() * (n - 200)
		s.View(0, func(tx *store.Tx) error {
			_, err := tx.ZRange([]byte("z"), store.ZRangeSpec{By: store.ByScore,
				Min: store.ScoreBound{Value: lo}, Max: store.ScoreBound{Value: lo + 100}, Count: -1})
			return err
		})
	}
}

// BenchmarkZAddRandom adds members with random scores to a 1M-member
// sorted set.
func BenchmarkZAddRandom(b *testing.B) {
	const n = 1_000_000
	s := zsetBench(b, n)
	r := rand.New(rand.NewPCG(3, 3))
	b.ResetTimer()
	for i := range b.N {
		s.Update(0, func(tx *store.Tx) error {
			_, err := tx.ZAdd([]byte("z"), store.ZAddOptions{}, []float64{r.Float64() * n}, [][]byte{fmt.Appendf(nil, "new:%d", i)})
			return err
		})
	}
}
