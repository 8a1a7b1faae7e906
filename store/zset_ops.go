package store

import (
	"bytes"
	"math"
)

// ScoredMember is one element of a sorted-set reply.
type ScoredMember struct {
	Member []byte
	Score  float64
}

// zsetFor returns the sorted set at key for writing; nil when absent.
func (tx *Tx) zsetFor(key []byte) (*entry, *zset, error) {
	e, err := tx.lookupWriteKind(key, KindZSet)
	if e == nil {
		return nil, nil, err
	}
	return e, e.zset(), nil
}

func (tx *Tx) zsetRead(key []byte) (*zset, error) {
	e, err := tx.lookupKind(key, KindZSet)
	if e == nil {
		return nil, err
	}
	return e.zset(), nil
}

// ZAddOptions are ZADD's flags; the server rejects incompatible ones.
type ZAddOptions struct {
	NX, XX, GT, LT, CH, Incr bool
}

// ZAddResult reports what ZAdd did.
type ZAddResult struct {
	Added, Changed int     // new members; members whose score changed
	Score          float64 // with Incr: the new score
	Done           bool    // with Incr: false when a condition stopped it
}

// ZAdd adds or updates members (scores[i] for members[i]) under o.
func (tx *Tx) ZAdd(key []byte, o ZAddOptions, scores []float64, members [][]byte) (ZAddResult, error) {
	var res ZAddResult
	e, z, err := tx.zsetFor(key)
	if err != nil {
		return res, err
	}
	var w elemWriter
	var buf [8]byte
	lim := tx.lim().zset()
	for i, m := range members {
		score := scores[i]
		var cur float64
		exists := false
		if z != nil {
			cur, exists = z.score(m)
		}
		if exists {
			if o.NX {
				continue
			}
			if o.Incr {
				score += cur
				if math.IsNaN(score) {
					return res, ErrScoreNaN
				}
			}
			if (o.LT && score >= cur) || (o.GT && score <= cur) {
				continue
			}
			res.Score, res.Done = score, true
			if score == cur {
				continue
			}
			z.remove(m)
			z.insert(m, score, lim)
			res.Changed++
		} else {
			if o.XX {
				continue
			}
			if z == nil {
				e = tx.createColl(key, newZSet())
				z = e.zset()
			}
			z.insert(m, score, lim)
			res.Score, res.Done = score, true
			res.Added++
		}
		if score == 0 && z.sl == nil {
			score = 0 // the packed form stores -0 as 0
		}
		if w.p.buf == nil {
			w = tx.elemWriter(e)
		}
		w.put(m, encScore(&buf, score))
	}
	if res.Added+res.Changed > 0 {
		event := "zadd"
		if o.Incr {
			event = "zincr"
		}
		tx.notify(key, EventZSet, event)
	}
	if res.Added > 0 {
		tx.MarkReady(tx.dbIndex, e.key)
	}
	return res, nil
}

// ZRem removes members and returns how many existed.
func (tx *Tx) ZRem(key []byte, members [][]byte) (int, error) {
	e, z, err := tx.zsetFor(key)
	if z == nil {
		return 0, err
	}
	w := tx.elemWriter(e)
	n := 0
	for _, m := range members {
		if z.remove(m) {
			w.del(m)
			n++
		}
	}
	if n > 0 {
		tx.notify(key, EventZSet, "zrem")
		tx.deleteIfEmpty(e)
	}
	return n, nil
}

// ZCard returns the number of members.
func (tx *Tx) ZCard(key []byte) (int, error) {
	z, err := tx.zsetRead(key)
	if z == nil {
		return 0, err
	}
	return z.n, nil
}

// ZScore returns the scores of members; ok[i] is false for a missing one.
func (tx *Tx) ZScore(key []byte, members ...[]byte) (scores []float64, ok []bool, err error) {
	z, err := tx.zsetRead(key)
	if err != nil {
		return nil, nil, err
	}
	scores, ok = make([]float64, len(members)), make([]bool, len(members))
	if z != nil {
		for i, m := range members {
			scores[i], ok[i] = z.score(m)
		}
	}
	return scores, ok, nil
}

// ZRank returns member's rank, counted from the highest score with rev.
func (tx *Tx) ZRank(key, member []byte, rev bool) (int, bool, error) {
	z, err := tx.zsetRead(key)
	if z == nil {
		return 0, false, err
	}
	r, ok := z.rank(member)
	if ok && rev {
		r = z.n - 1 - r
	}
	return r, ok, nil
}

// ScoreBound is one end of a score range ("(1.5", "-inf").
type ScoreBound struct {
	Value float64
	Excl  bool
}

// LexBound is one end of a lexicographic range: "[a", "(a", "-" (Inf -1)
// or "+" (Inf 1).
type LexBound struct {
	Value []byte
	Excl  bool
	Inf   int8
}

// RangeBy says how a ZRANGE interprets its bounds.
type RangeBy uint8

// Range kinds.
const (
	ByRank RangeBy = iota
	ByScore
	ByLex
)

// ZRangeSpec is a ZRANGE request in any of its forms. Min and max are
// always the low and high ends, whatever the order of the command's
// arguments; Rev only reverses the output (and, by rank, which end the
// indexes count from).
type ZRangeSpec struct {
	By          RangeBy
	Start, Stop int64 // ByRank
	Min, Max    ScoreBound
	LexMin      LexBound
	LexMax      LexBound
	Rev         bool
	Offset      int64 // LIMIT offset
	Count       int64 // LIMIT count; < 0 = no limit
}

// interval returns the ascending ranks [from, to) spec selects, before
// LIMIT.
func (z *zset) interval(sp *ZRangeSpec) (int, int) {
	n := int64(z.n)
	switch sp.By {
	case ByRank:
		start, stop := sp.Start, sp.Stop
		if start < 0 {
			start += n
		}
		if stop < 0 {
			stop += n
		}
		start = max(start, 0)
		if start > stop || start >= n {
			return 0, 0
		}
		stop = min(stop, n-1)
		if sp.Rev {
			return int(n - 1 - stop), int(n - start)
		}
		return int(start), int(stop + 1)
	case ByScore:
		lo, hi := sp.Min, sp.Max
		from := z.countWhile(func(s float64, _ string) bool { return s < lo.Value || (lo.Excl && s == lo.Value) })
		to := z.countWhile(func(s float64, _ string) bool { return s < hi.Value || (!hi.Excl && s == hi.Value) })
		return from, to
	}
	lo, hi := sp.LexMin, sp.LexMax
	from := z.countWhile(func(_ float64, m string) bool { return lexBelow(m, lo) })
	to := z.countWhile(func(_ float64, m string) bool { return !lexAbove(m, hi) })
	return from, to
}

// lexBelow reports whether m is below the range starting at lo.
func lexBelow(m string, lo LexBound) bool {
	switch lo.Inf {
	case -1:
		return false
	case 1:
		return true
	}
	c := bytes.Compare([]byte(m), lo.Value)
	return c < 0 || (c == 0 && lo.Excl)
}

// lexAbove reports whether m is above the range ending at hi.
func lexAbove(m string, hi LexBound) bool {
	switch hi.Inf {
	case -1:
		return true
	case 1:
		return false
	}
	c := bytes.Compare([]byte(m), hi.Value)
	return c > 0 || (c == 0 && hi.Excl)
}

// selection returns the ranks a spec selects after LIMIT, as an ascending
// interval [from, to); the caller walks it in the spec's direction.
func (z *zset) selection(sp *ZRangeSpec) (int, int) {
	from, to := z.interval(sp)
	if from >= to {
		return 0, 0
	}
	if sp.By == ByRank || (sp.Offset == 0 && sp.Count < 0) {
		return from, to
	}
	if sp.Offset < 0 || sp.Offset >= int64(to-from) {
		return 0, 0
	}
	n := int64(to-from) - sp.Offset
	if sp.Count >= 0 {
		n = min(n, sp.Count)
	}
	if sp.Rev {
		return to - int(sp.Offset) - int(n), to - int(sp.Offset)
	}
	return from + int(sp.Offset), from + int(sp.Offset) + int(n)
}

func (z *zset) collect(from, to int, rev bool) []ScoredMember {
	out := make([]ScoredMember, 0, max(to-from, 0))
	z.walk(from, to, rev, func(m []byte, s float64) bool {
		out = append(out, ScoredMember{Member: bytes.Clone(m), Score: s})
		return true
	})
	return out
}

// ZRange returns the elements spec selects, in its order.
func (tx *Tx) ZRange(key []byte, sp ZRangeSpec) ([]ScoredMember, error) {
	z, err := tx.zsetRead(key)
	if z == nil {
		return nil, err
	}
	from, to := z.selection(&sp)
	return z.collect(from, to, sp.Rev), nil
}

// ZCount counts the elements spec's score or lex range holds.
func (tx *Tx) ZCount(key []byte, sp ZRangeSpec) (int, error) {
	z, err := tx.zsetRead(key)
	if z == nil {
		return 0, err
	}
	from, to := z.interval(&sp)
	return max(to-from, 0), nil
}

// ZRangeStore stores the elements spec selects from src at dst and
// returns how many there are.
func (tx *Tx) ZRangeStore(dst, src []byte, sp ZRangeSpec) (int, error) {
	items, err := tx.ZRange(src, sp)
	if err != nil {
		return 0, err
	}
	return tx.storeZSet(dst, items, "zrangestore"), nil
}

// storeZSet makes dst a sorted set of items (deleting it when empty).
func (tx *Tx) storeZSet(dst []byte, items []ScoredMember, event string) int {
	z, lim := newZSet(), tx.lim().zset()
	for _, it := range items {
		z.set(it.Member, it.Score, lim)
	}
	if tx.storeColl(dst, z, EventZSet, event) {
		tx.MarkReady(tx.dbIndex, string(dst))
	}
	return z.n
}

// ZRemRange removes the elements spec's range holds (no LIMIT) and
// returns how many.
func (tx *Tx) ZRemRange(key []byte, sp ZRangeSpec, event string) (int, error) {
	e, z, err := tx.zsetFor(key)
	if z == nil {
		return 0, err
	}
	sp.Rev, sp.Offset, sp.Count = false, 0, -1
	from, to := z.interval(&sp)
	if from >= to {
		return 0, nil
	}
	n := to - from
	tx.notify(key, EventZSet, event)
	if n == z.n {
		tx.delete(e)
		return n, nil
	}
	w := tx.elemWriter(e)
	for _, it := range z.collect(from, to, false) {
		z.remove(it.Member)
		w.del(it.Member)
	}
	return n, nil
}

// ZPop removes and returns up to count elements with the lowest (or,
// with max, highest) scores.
func (tx *Tx) ZPop(key []byte, count int64, max bool) ([]ScoredMember, error) {
	e, z, err := tx.zsetFor(key)
	if z == nil || count <= 0 {
		return nil, err
	}
	n := int(min(count, int64(z.n)))
	var items []ScoredMember
	if max {
		items = z.collect(z.n-n, z.n, true)
	} else {
		items = z.collect(0, n, false)
	}
	event := "zpopmin"
	if max {
		event = "zpopmax"
	}
	tx.notify(key, EventZSet, event)
	if n == z.n {
		tx.delete(e)
		return items, nil
	}
	w := tx.elemWriter(e)
	for _, it := range items {
		z.remove(it.Member)
		w.del(it.Member)
	}
	return items, nil
}

// ZMPop pops from the first non-empty sorted set among keys; it returns
// that key, or nil when every key is empty.
func (tx *Tx) ZMPop(keys [][]byte, count int64, max bool) ([]byte, []ScoredMember, error) {
	for _, k := range keys {
		z, err := tx.zsetRead(k)
		if err != nil {
			return nil, nil, err
		}
		if z != nil {
			items, err := tx.ZPop(k, count, max)
			return k, items, err
		}
	}
	return nil, nil, nil
}

// ZRandMember returns elements picked as Redis's ZRANDMEMBER with a count
// does (see sampleIndexes).
func (tx *Tx) ZRandMember(key []byte, count int64) ([]ScoredMember, error) {
	z, err := tx.zsetRead(key)
	if z == nil {
		return nil, err
	}
	if count >= int64(z.n) {
		// The whole set, which Redis's iterator yields from the top.
		return z.collect(0, z.n, true), nil
	}
	idx := sampleIndexes(z.n, count)
	out := make([]ScoredMember, len(idx))
	if z.sl != nil {
		for j, i := range idx {
			nd := z.dense[i]
			out[j] = ScoredMember{Member: []byte(nd.member), Score: nd.score}
		}
		return out, nil
	}
	all := z.collect(0, z.n, false)
	for j, i := range idx {
		out[j] = all[i]
	}
	return out, nil
}

// ZScan continues a ZSCAN (see HScan).
func (tx *Tx) ZScan(key []byte, cursor uint64, o CollScanOptions) (uint64, []ScoredMember, bool, error) {
	z, err := tx.zsetRead(key)
	if z == nil {
		return 0, nil, false, err
	}
	var out []ScoredMember
	keep := func(m []byte, s float64) {
		if o.Match == "" || Match(o.Match, string(m), false) {
			out = append(out, ScoredMember{Member: bytes.Clone(m), Score: s})
		}
	}
	if z.sl == nil {
		z.walk(0, z.n, false, func(m []byte, s float64) bool { keep(m, s); return true })
		return 0, out, true, nil
	}
	next := denseScan(len(z.dense), cursor, o.Count, func(i int) {
		nd := z.dense[i]
		keep(bview(nd.member), nd.score)
	})
	return next, out, true, nil
}
