package store

import (
	"bytes"
	"cmp"
	"math"
	"slices"
)

// ZCombineOp is ZUNION, ZINTER or ZDIFF.
type ZCombineOp uint8

// Combination operations.
const (
	ZUnion ZCombineOp = iota
	ZInter
	ZDiff
)

// Aggregate says how ZUNION and ZINTER combine the scores of one member.
type Aggregate uint8

// Aggregates.
const (
	AggSum Aggregate = iota
	AggMin
	AggMax
)

// zinput is one input of a combination: a sorted set or a plain set,
// whose members score 1, as Redis allows.
type zinput struct {
	z      *zset
	s      *set
	weight float64
}

func (in *zinput) size() int {
	switch {
	case in.z != nil:
		return in.z.n
	case in.s != nil:
		return in.s.n
	}
	return 0
}

func (in *zinput) score(m []byte) (float64, bool) {
	switch {
	case in.z != nil:
		return in.z.score(m)
	case in.s != nil:
		return 1, in.s.has(m)
	}
	return 0, false
}

func (in *zinput) each(fn func(m []byte, s float64)) {
	switch {
	case in.z != nil:
		in.z.walk(0, in.z.n, false, func(m []byte, s float64) bool { fn(m, s); return true })
	case in.s != nil:
		in.s.each(func(m []byte) { fn(m, 1) })
	}
}

func (tx *Tx) zinputs(keys [][]byte, weights []float64) ([]zinput, error) {
	ins := make([]zinput, len(keys))
	for i, k := range keys {
		ins[i].weight = 1
		if weights != nil {
			ins[i].weight = weights[i]
		}
		e := tx.lookupRead(k)
		if e == nil {
			continue
		}
		switch o := e.coll().(type) {
		case *zset:
			ins[i].z = o
		case *set:
			ins[i].s = o
		default:
			return nil, ErrWrongType
		}
	}
	return ins, nil
}

// weighted is weight*score with NaN (0 * inf) turned into 0, as Redis.
func weighted(w, s float64) float64 {
	v := w * s
	if math.IsNaN(v) {
		return 0
	}
	return v
}

// aggregate folds v into acc as Redis's zunionInterAggregate: MIN and
// MAX keep acc when v is NaN (an intersection's 0 * inf), and a sum that
// is NaN (inf + -inf) is 0.
func aggregate(agg Aggregate, acc, v float64) float64 {
	switch agg {
	case AggMin:
		if v < acc {
			return v
		}
		return acc
	case AggMax:
		if v > acc {
			return v
		}
		return acc
	}
	acc += v
	if math.IsNaN(acc) {
		return 0
	}
	return acc
}

// combine computes op over inputs into a new sorted set. limit > 0 stops
// an intersection once it has that many members (ZINTERCARD).
func combine(op ZCombineOp, ins []zinput, agg Aggregate, limit int, lim packLimit) *zset {
	out := newZSet()
	if op != ZDiff {
		// Smallest first, as Redis orders them (a stable sort, as glibc's
		// qsort of a few elements): an intersection walks the first, and
		// the order decides how scores aggregate, down to a sum's
		// rounding and which of 0 * inf's NaN and a score MIN keeps.
		slices.SortStableFunc(ins, func(a, b zinput) int { return cmp.Compare(a.size(), b.size()) })
	}
	switch op {
	case ZUnion:
		acc := map[string]float64{}
		var order []string
		for _, in := range ins {
			in.each(func(m []byte, s float64) {
				v := weighted(in.weight, s)
				if cur, ok := acc[string(m)]; ok {
					acc[string(m)] = aggregate(agg, cur, v)
					return
				}
				acc[string(m)] = v
				order = append(order, string(m))
			})
		}
		for _, m := range order {
			out.insert([]byte(m), acc[m], lim)
		}
	case ZInter:
		if ins[0].size() == 0 {
			return out
		}
		ins[0].each(func(m []byte, s float64) {
			if limit > 0 && out.n >= limit {
				return
			}
			acc := weighted(ins[0].weight, s)
			for _, in := range ins[1:] {
				s2, ok := in.score(m)
				if !ok {
					return
				}
				// Not weighted(): Redis aggregates the NaN of 0 * inf here.
				acc = aggregate(agg, acc, in.weight*s2)
			}
			out.insert(bytes.Clone(m), acc, lim)
		})
	case ZDiff:
		ins[0].each(func(m []byte, s float64) {
			for _, in := range ins[1:] {
				if _, ok := in.score(m); ok {
					return
				}
			}
			out.insert(bytes.Clone(m), s, lim)
		})
	}
	return out
}

// ZCombine returns op over the sorted sets (or sets) at keys, in order.
// weights may be nil.
func (tx *Tx) ZCombine(op ZCombineOp, keys [][]byte, weights []float64, agg Aggregate) ([]ScoredMember, error) {
	ins, err := tx.zinputs(keys, weights)
	if err != nil {
		return nil, err
	}
	z := combine(op, ins, agg, 0, zsetLoadLimit) // a temporary: any encoding does
	return z.collect(0, z.n, false), nil
}

// ZCombineStore stores op over keys at dst and returns its size.
func (tx *Tx) ZCombineStore(op ZCombineOp, dst []byte, keys [][]byte, weights []float64, agg Aggregate) (int, error) {
	ins, err := tx.zinputs(keys, weights)
	if err != nil {
		return 0, err
	}
	z := combine(op, ins, agg, 0, tx.lim().zset())
	events := [...]string{"zunionstore", "zinterstore", "zdiffstore"}
	if tx.storeColl(dst, z, EventZSet, events[op]) {
		tx.MarkReady(tx.dbIndex, string(dst))
	}
	return z.n, nil
}

// ZInterCard returns the size of the intersection of keys, stopping at
// limit when it is > 0.
func (tx *Tx) ZInterCard(keys [][]byte, limit int) (int, error) {
	ins, err := tx.zinputs(keys, nil)
	if err != nil {
		return 0, err
	}
	return combine(ZInter, ins, AggSum, limit, zsetLoadLimit).n, nil
}
