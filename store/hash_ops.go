package store

import (
	"strconv"

	"github.com/cairn-db/cairn/protocol/num"
)

// hashFor returns the hash at key for writing, creating it when create is
// set and the key is absent; nil when absent and not created.
func (tx *Tx) hashFor(key []byte, create bool) (*entry, *hash, error) {
	e, err := tx.lookupWriteKind(key, KindHash)
	if err != nil {
		return nil, nil, err
	}
	if e == nil {
		if !create {
			return nil, nil, nil
		}
		e = tx.createColl(key, newHash())
	}
	return e, e.hash(), nil
}

// hashRead returns the hash at key for reading, or nil.
func (tx *Tx) hashRead(key []byte) (*hash, error) {
	e, err := tx.lookupKind(key, KindHash)
	if e == nil {
		return nil, err
	}
	return e.hash(), nil
}

// HSet sets field/value pairs (pairs alternate field, value) and returns
// how many fields are new. With nx a field that exists is left alone.
func (tx *Tx) HSet(key []byte, pairs [][]byte, nx bool) (int, error) {
	e, h, err := tx.hashFor(key, true)
	if err != nil {
		return 0, err
	}
	w := tx.elemWriter(e)
	added, lim := 0, tx.lim().hash()
	for i := 0; i+1 < len(pairs); i += 2 {
		if nx {
			if _, ok := h.get(pairs[i]); ok {
				continue
			}
		}
		if h.set(pairs[i], pairs[i+1], lim) {
			added++
		}
		w.put(pairs[i], pairs[i+1])
	}
	if nx && added == 0 {
		tx.deleteIfEmpty(e)
		return 0, nil
	}
	tx.notify(key, EventHash, "hset")
	return added, nil
}

// HGet returns the value of field.
func (tx *Tx) HGet(key, field []byte) ([]byte, bool, error) {
	h, err := tx.hashRead(key)
	if h == nil {
		return nil, false, err
	}
	v, ok := h.get(field)
	return v, ok, nil
}

// HMGet returns the values of fields (nil for a missing field).
func (tx *Tx) HMGet(key []byte, fields [][]byte) ([][]byte, error) {
	h, err := tx.hashRead(key)
	if err != nil {
		return nil, err
	}
	out := make([][]byte, len(fields))
	if h != nil {
		for i, f := range fields {
			if v, ok := h.get(f); ok {
				out[i] = v
			}
		}
	}
	return out, nil
}

// HGetAll returns every field and value, as alternating slices.
func (tx *Tx) HGetAll(key []byte) ([][]byte, error) {
	h, err := tx.hashRead(key)
	if h == nil {
		return nil, err
	}
	out := make([][]byte, 0, 2*h.n)
	h.each(func(f, v []byte) { out = append(out, f, v) })
	return out, nil
}

// HDel deletes fields and returns how many existed.
func (tx *Tx) HDel(key []byte, fields [][]byte) (int, error) {
	e, h, err := tx.hashFor(key, false)
	if h == nil {
		return 0, err
	}
	w := tx.elemWriter(e)
	n := 0
	for _, f := range fields {
		if h.del(f) {
			w.del(f)
			n++
		}
	}
	if n > 0 {
		tx.notify(key, EventHash, "hdel")
		tx.deleteIfEmpty(e)
	}
	return n, nil
}

// HLen returns the number of fields.
func (tx *Tx) HLen(key []byte) (int, error) {
	h, err := tx.hashRead(key)
	if h == nil {
		return 0, err
	}
	return h.n, nil
}

// HIncrBy adds delta to the integer in field (0 when absent).
func (tx *Tx) HIncrBy(key, field []byte, delta int64) (int64, error) {
	e, h, err := tx.hashFor(key, false)
	if err != nil {
		return 0, err
	}
	var cur int64
	if h != nil {
		if v, ok := h.get(field); ok {
			if cur, ok = num.ParseInt(v); !ok {
				return 0, ErrHashNotInteger
			}
		}
	}
	if (delta < 0 && cur < 0 && delta < minInt64-cur) ||
		(delta > 0 && cur > 0 && delta > maxInt64-cur) {
		return 0, ErrOverflow
	}
	cur += delta
	if h == nil {
		e, h, _ = tx.hashFor(key, true)
	}
	v := strconv.AppendInt(nil, cur, 10)
	h.set(field, v, tx.lim().hash())
	w := tx.elemWriter(e)
	w.put(field, v)
	tx.notify(key, EventHash, "hincrby")
	return cur, nil
}

// HIncrByFloat adds incr (as text) to the number in field, with
// INCRBYFLOAT's long-double arithmetic, and returns the new value.
func (tx *Tx) HIncrByFloat(key, field, incr []byte) ([]byte, error) {
	inc, ok := num.ParseLongDouble(incr)
	if !ok {
		return nil, ErrNotFloat
	}
	if inc.IsInf() {
		return nil, ErrValueNaNOrInf
	}
	e, h, err := tx.hashFor(key, false)
	if err != nil {
		return nil, err
	}
	cur, _ := num.ParseLongDouble([]byte("0"))
	if h != nil {
		if v, ok := h.get(field); ok {
			if cur, ok = num.ParseLongDouble(v); !ok {
				return nil, ErrHashNotFloat
			}
		}
	}
	sum, ok := num.AddLongDouble(cur, inc)
	if !ok {
		return nil, ErrNaNOrInfinity
	}
	if h == nil {
		e, h, _ = tx.hashFor(key, true)
	}
	v := num.FormatLongDouble(sum)
	h.set(field, v, tx.lim().hash())
	w := tx.elemWriter(e)
	w.put(field, v)
	tx.notify(key, EventHash, "hincrbyfloat")
	return v, nil
}

// HRandField returns fields (and values) picked as Redis's HRANDFIELD
// with a count does (see sampleIndexes), as alternating field, value.
func (tx *Tx) HRandField(key []byte, count int64) ([][]byte, error) {
	h, err := tx.hashRead(key)
	if h == nil {
		return nil, err
	}
	idx := sampleIndexes(h.n, count)
	out := make([][]byte, 0, 2*len(idx))
	if h.tab != nil {
		for _, i := range idx {
			p := h.tab.pairs[i]
			out = append(out, bview(p.field()), p.val())
		}
		return out, nil
	}
	var all [][]byte
	h.each(func(f, v []byte) { all = append(all, f, v) })
	for _, i := range idx {
		out = append(out, all[2*i], all[2*i+1])
	}
	return out, nil
}

// HScan continues an HSCAN; it returns the next cursor and alternating
// fields and values. A packed hash is returned whole, with cursor 0, as
// Redis does for listpacks.
func (tx *Tx) HScan(key []byte, cursor uint64, o CollScanOptions) (uint64, [][]byte, bool, error) {
	h, err := tx.hashRead(key)
	if h == nil {
		return 0, nil, false, err
	}
	var out [][]byte
	keep := func(f, v []byte) {
		if o.Match == "" || Match(o.Match, string(f), false) {
			out = append(out, f, v)
		}
	}
	if h.tab == nil {
		h.each(keep)
		return 0, out, true, nil
	}
	next := denseScan(len(h.tab.pairs), cursor, o.Count, func(i int) {
		p := h.tab.pairs[i]
		keep(bview(p.field()), p.val())
	})
	return next, out, true, nil
}
