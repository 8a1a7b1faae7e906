package store

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"
)

// TestZSetMatchesModel checks both encodings against a sorted slice:
// random inserts, removes and score changes, then ranks, by-rank walks
// in both directions and score-range counts.
func TestZSetMatchesModel(t *testing.T) {
	for _, n := range []int{50, 2000} {
		r := rand.New(rand.NewPCG(1, uint64(n)))
		z := newZSet()
		model := map[string]float64{}
		for i := 0; i < n*4; i++ {
			m := fmt.Sprintf("m%d", r.IntN(n))
			if r.IntN(3) == 0 {
				z.remove([]byte(m))
				delete(model, m)
			} else {
				s := float64(r.IntN(n / 5))
				z.set([]byte(m), s, zsetLoadLimit)
				model[m] = s
			}
		}
		type el struct {
			m string
			s float64
		}
		var want []el
		for m, s := range model {
			want = append(want, el{m, s})
		}
		sort.Slice(want, func(i, j int) bool { return zless(want[i].s, want[i].m, want[j].s, want[j].m) })
		if z.n != len(want) {
			t.Fatalf("n=%d: size %d, want %d", n, z.n, len(want))
		}
		if (z.sl != nil) != (n > zsetLoadLimit.entries) {
			t.Fatalf("n=%d: encoding %s", n, z.encoding())
		}
		for i, w := range want {
			if r, ok := z.rank([]byte(w.m)); !ok || r != i {
				t.Fatalf("rank(%s) = %d %v, want %d", w.m, r, ok, i)
			}
		}
		got := z.collect(0, z.n, true)
		for i, g := range got {
			w := want[len(want)-1-i]
			if string(g.Member) != w.m || g.Score != w.s {
				t.Fatalf("reverse walk %d: %s %v, want %s %v", i, g.Member, g.Score, w.m, w.s)
			}
		}
		mid := len(want) / 3
		got = z.collect(mid, mid+7, false)
		for i, g := range got {
			if string(g.Member) != want[mid+i].m {
				t.Fatalf("walk from %d: %s, want %s", mid+i, g.Member, want[mid+i].m)
			}
		}
		sp := ZRangeSpec{By: ByScore, Min: ScoreBound{Value: 3, Excl: true}, Max: ScoreBound{Value: 7}}
		from, to := z.interval(&sp)
		cnt := 0
		for _, w := range want {
			if w.s > 3 && w.s <= 7 {
				cnt++
			}
		}
		if to-from != cnt {
			t.Fatalf("score range count %d, want %d", to-from, cnt)
		}
		// refit converts both ways and keeps every member in order.
		for _, lim := range []EncodingLimits{{ZSetEntries: 1 << 20, ZSetValue: 64}, {ZSetEntries: 0, ZSetValue: 64}, {ZSetEntries: 1 << 20, ZSetValue: 2}} {
			z.refit(&lim)
			if wantPacked := lim.ZSetEntries > 0 && lim.ZSetValue > 2; (z.sl == nil) != wantPacked {
				t.Fatalf("n=%d refit %+v: encoding %s", n, lim, z.encoding())
			}
			got := z.collect(0, z.n, false)
			if len(got) != len(want) {
				t.Fatalf("n=%d refit %+v: %d members, want %d", n, lim, len(got), len(want))
			}
			for i, g := range got {
				if string(g.Member) != want[i].m || g.Score != want[i].s {
					t.Fatalf("n=%d refit %+v: %d: %s %v, want %s %v", n, lim, i, g.Member, g.Score, want[i].m, want[i].s)
				}
			}
			if r, ok := z.rank([]byte(want[len(want)/2].m)); !ok || r != len(want)/2 {
				t.Fatalf("n=%d refit %+v: rank %d %v", n, lim, r, ok)
			}
		}
	}
}

// TestSampleIndexes: positive counts give distinct in-range positions on
// both paths (rejection sampling for few of many, a permutation
// otherwise); negative counts give exactly -count positions.
func TestSampleIndexes(t *testing.T) {
	for _, c := range []struct {
		n     int
		count int64
		want  int
	}{{1000, 3, 3}, {1000, 900, 900}, {10, 10, 10}, {10, 50, 10}, {10, -50, 50}, {0, 5, 0}} {
		got := sampleIndexes(c.n, c.count)
		if len(got) != c.want {
			t.Fatalf("sampleIndexes(%d, %d) gave %d positions, want %d", c.n, c.count, len(got), c.want)
		}
		seen := map[int]bool{}
		for _, i := range got {
			if i < 0 || i >= c.n || (c.count > 0 && seen[i]) {
				t.Fatalf("sampleIndexes(%d, %d): bad or repeated position %d", c.n, c.count, i)
			}
			seen[i] = true
		}
	}
}

// TestNodeIndexMatchesMap checks the open-addressing member index against
// a Go map through growth and many backward-shift deletions.
func TestNodeIndexMatchesMap(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	var ix nodeIndex
	model := map[string]*zsNode{}
	for i := 0; i < 200000; i++ {
		m := fmt.Sprintf("m%d", r.IntN(5000))
		switch r.IntN(3) {
		case 0:
			if model[m] == nil {
				nd := &zsNode{member: m}
				ix.put(nd)
				model[m] = nd
			}
		case 1:
			if got, want := ix.del(m), model[m] != nil; got != want {
				t.Fatalf("del(%s) = %v, want %v", m, got, want)
			}
			delete(model, m)
		default:
			if got := ix.get(m); got != model[m] {
				t.Fatalf("get(%s) = %v, want %v", m, got, model[m])
			}
		}
	}
	if ix.n != len(model) {
		t.Fatalf("size %d, want %d", ix.n, len(model))
	}
	for m, nd := range model {
		if ix.get(m) != nd {
			t.Fatalf("lost %s", m)
		}
	}
}
