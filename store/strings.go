package store

import (
	"strconv"

	"github.com/cairn-db/cairn/protocol/num"
)

// SetOptions are SET's conditions and TTL handling.
type SetOptions struct {
	NX, XX  bool  // only set when the key is absent / present
	Get     bool  // also return the old value (SET … GET, GETSET)
	KeepTTL bool  // keep the existing TTL
	Expire  int64 // absolute expiry in unix ms; 0 = none
}

// SetResult reports what Set did.
type SetResult struct {
	Done   bool   // the value was written
	Old    []byte // the previous value, with Get
	HadOld bool   // a previous value existed, with Get
}

// Get returns the string at key; ok is false when there is none.
func (tx *Tx) Get(key []byte) (val []byte, ok bool, err error) {
	e, err := tx.lookupKind(key, KindString)
	if e == nil {
		return nil, false, err
	}
	return e.val(), true, nil
}

// Set stores val at key, replacing any value of any type, subject to o.
func (tx *Tx) Set(key, val []byte, o SetOptions) (SetResult, error) {
	var res SetResult
	if len(val) > maxValLen {
		return res, ErrTooLarge
	}
	e := tx.lookupWrite(key)
	if o.Get && e != nil {
		if e.kind() != KindString {
			return res, ErrWrongType
		}
		res.Old, res.HadOld = e.val(), true
	}
	if (o.NX && e != nil) || (o.XX && e == nil) {
		return res, nil
	}
	oldLen := stringLen(e)
	if e == nil {
		e = tx.createString(key, val)
	} else {
		tx.setString(e, val, !o.Get)
	}
	if !o.KeepTTL {
		tx.setExpire(e, o.Expire)
	}
	tx.saveString(e, oldLen, 0, len(val))
	tx.notify(key, EventString, "set")
	if o.Expire != 0 {
		tx.notify(key, EventGeneric, "expire")
	}
	res.Done = true
	return res, nil
}

// stringLen is the length of e's string, or 0 when e is absent or holds a
// collection: the oldLen that saveString takes.
func stringLen(e *entry) int {
	if e == nil || e.isColl() {
		return 0
	}
	return e.valLen()
}

// maxLen is the longest string APPEND and SETRANGE may make:
// proto-max-bulk-len, and never more than an entry holds.
func (tx *Tx) maxLen() int64 { return min(tx.s.maxStringLen.Load(), maxValLen) }

// setString makes e a string holding a copy of val. With reuse it may
// overwrite the old bytes in place, which saves an allocation per SET of a
// same-sized value; callers that still hold the old bytes pass false. The
// bytes inside the entry's own allocation are reused whenever val fits;
// a value that no longer fits moves to an allocation of its own.
func (tx *Tx) setString(e *entry, val []byte, reuse bool) {
	tx.dropElements(e)
	if v := e.val(); reuse && v != nil && cap(v) >= len(val) && (e.inline() || cap(v) <= 2*len(val)+16) {
		e.sl = uint32(copy(v[:len(val)], val))
		return
	}
	e.setVal(cloneVal(val))
}

// dropElements turns e from a collection into an empty string value,
// deleting the collection's element records.
func (tx *Tx) dropElements(e *entry) {
	if !e.isColl() {
		return
	}
	tx.streamGone(e)
	if b, p := tx.elements(e); b != nil && e.coll().size() > 0 {
		b.DeleteRange(p.start(), p.end())
	}
	e.clearColl()
}

// MSetNX sets every pair only if none of the keys exists.
func (tx *Tx) MSetNX(pairs [][]byte) bool {
	for i := 0; i < len(pairs); i += 2 {
		if tx.lookupWrite(pairs[i]) != nil {
			return false
		}
	}
	for i := 0; i < len(pairs); i += 2 {
		tx.Set(pairs[i], pairs[i+1], SetOptions{})
	}
	return true
}

// GetDel returns the string at key and deletes the key.
func (tx *Tx) GetDel(key []byte) ([]byte, bool, error) {
	e, err := tx.lookupKind(key, KindString)
	if e == nil {
		return nil, false, err
	}
	val := e.val()
	tx.delete(e)
	return val, true, nil
}

// GetExOptions say how GETEX changes the TTL.
type GetExOptions struct {
	Expire  int64 // new absolute expiry in unix ms; 0 = unchanged
	Persist bool  // remove the TTL
}

// GetEx returns the string at key and changes its TTL. An absolute expiry
// already in the past deletes the key (the value is still returned).
func (tx *Tx) GetEx(key []byte, o GetExOptions) ([]byte, bool, error) {
	e, err := tx.lookupKind(key, KindString)
	if e == nil {
		return nil, false, err
	}
	val := e.val()
	switch {
	case o.Expire != 0 && o.Expire <= tx.now:
		tx.delete(e)
	case o.Expire != 0:
		tx.setExpire(e, o.Expire)
		tx.saveMeta(e)
		tx.notify(key, EventGeneric, "expire")
	case o.Persist && e.expireAt != 0:
		tx.setExpire(e, 0)
		tx.saveMeta(e)
		tx.notify(key, EventGeneric, "persist")
	}
	return val, true, nil
}

// IncrBy adds delta to the integer at key (0 when absent).
func (tx *Tx) IncrBy(key []byte, delta int64) (int64, error) {
	e, err := tx.lookupWriteKind(key, KindString)
	if err != nil {
		return 0, err
	}
	var cur int64
	if e != nil {
		var ok bool
		if cur, ok = num.ParseInt(e.val()); !ok {
			return 0, ErrNotInteger
		}
	}
	if (delta < 0 && cur < 0 && delta < minInt64-cur) ||
		(delta > 0 && cur > 0 && delta > maxInt64-cur) {
		return 0, ErrOverflow
	}
	cur += delta
	oldLen := stringLen(e)
	if v := strconv.AppendInt(tx.vbuf[:0], cur, 10); e == nil {
		e = tx.createString(key, v)
	} else {
		tx.setString(e, v, true)
	}
	tx.saveString(e, oldLen, 0, e.valLen())
	tx.notify(key, EventString, "incrby")
	return cur, nil
}

const (
	maxInt64 = 1<<63 - 1
	minInt64 = -1 << 63
)

// IncrByFloat adds incr, given as text, to the number at key and returns
// the new value formatted as Redis formats it.
func (tx *Tx) IncrByFloat(key, incr []byte) ([]byte, error) {
	e, err := tx.lookupWriteKind(key, KindString)
	if err != nil {
		return nil, err
	}
	cur, _ := num.ParseLongDouble([]byte("0"))
	if e != nil {
		var ok bool
		if cur, ok = num.ParseLongDouble(e.val()); !ok {
			return nil, ErrNotFloat
		}
	}
	inc, ok := num.ParseLongDouble(incr)
	if !ok {
		return nil, ErrNotFloat
	}
	sum, ok := num.AddLongDouble(cur, inc)
	if !ok {
		return nil, ErrNaNOrInfinity
	}
	oldLen := stringLen(e)
	if v := num.FormatLongDouble(sum); e == nil {
		e = tx.createString(key, v)
	} else {
		tx.setString(e, v, false)
	}
	tx.saveString(e, oldLen, 0, e.valLen())
	tx.notify(key, EventString, "incrbyfloat")
	return e.val(), nil
}

// Append appends val to the string at key and returns the new length.
func (tx *Tx) Append(key, val []byte) (int, error) {
	e, err := tx.lookupWriteKind(key, KindString)
	if err != nil {
		return 0, err
	}
	oldLen := stringLen(e)
	if e == nil {
		e = tx.createString(key, val)
	} else {
		if int64(e.valLen()+len(val)) > tx.maxLen() {
			return 0, ErrTooLarge
		}
		e.appendVal(val)
		e.markRaw() // Redis appends to a raw copy; a new key is encoded as SET's
	}
	tx.saveString(e, oldLen, oldLen, e.valLen())
	tx.notify(key, EventString, "append")
	return e.valLen(), nil
}

// StrLen returns the length of the string at key.
func (tx *Tx) StrLen(key []byte) (int, error) {
	e, err := tx.lookupKind(key, KindString)
	if e == nil {
		return 0, err
	}
	return e.valLen(), nil
}

// GetRange returns the bytes of the string at key between start and end,
// inclusive, with negative indexes counted from the end.
func (tx *Tx) GetRange(key []byte, start, end int64) ([]byte, error) {
	e, err := tx.lookupKind(key, KindString)
	if e == nil {
		return nil, err
	}
	n := int64(e.valLen())
	if start < 0 && end < 0 && start > end {
		return nil, nil
	}
	if start < 0 {
		start += n
	}
	if end < 0 {
		end += n
	}
	start, end = max(start, 0), max(end, 0)
	if end >= n {
		end = n - 1
	}
	if start > end || n == 0 {
		return nil, nil
	}
	return e.val()[start : end+1], nil
}

// SetRange overwrites the string at key from offset with val, padding
// with zero bytes, and returns the new length.
func (tx *Tx) SetRange(key []byte, offset int64, val []byte) (int, error) {
	e, err := tx.lookupWriteKind(key, KindString)
	if err != nil {
		return 0, err
	}
	if len(val) == 0 {
		if e == nil {
			return 0, nil
		}
		return e.valLen(), nil
	}
	if offset > tx.maxLen()-int64(len(val)) { // offset+len could overflow
		return 0, ErrTooLarge
	}
	oldLen := stringLen(e)
	if e == nil {
		e = tx.createString(key, nil)
	}
	if need := int(offset) + len(val); need > e.valLen() {
		e.growVal(need - e.valLen())
	}
	copy(e.val()[offset:], val)
	e.markRaw()
	tx.saveString(e, oldLen, int(offset), int(offset)+len(val))
	tx.notify(key, EventString, "setrange")
	return e.valLen(), nil
}
