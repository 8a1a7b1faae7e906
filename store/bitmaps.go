package store

// Bitmap operations on string keys (SETBIT, GETBIT, BITOP, BITFIELD). A
// bitmap is an ordinary string: it is edited in place in memory and, like
// SETRANGE, saves the bytes it changed (see stringchunks.go).

// GetBit returns the bit at offset of the string at key (0 when absent or
// past the end).
func (tx *Tx) GetBit(key []byte, offset uint64) (int, error) {
	e, err := tx.lookupKind(key, KindString)
	if e == nil {
		return 0, err
	}
	return int(getField(e.val(), offset, 1)), nil
}

// growBits makes the string at key, which the caller looked up for
// writing (e may be nil), long enough to address bit maxbit, creating it
// when absent. grew reports whether it was created or lengthened.
func (tx *Tx) growBits(key []byte, e *entry, maxbit uint64) (*entry, bool, error) {
	need := maxbit>>3 + 1
	if need > uint64(tx.maxLen()) {
		return nil, false, ErrTooLarge
	}
	grew := e == nil
	if grew {
		e = tx.createString(key, nil)
	}
	if n := uint64(e.valLen()); need > n {
		e.growVal(int(need - n))
		grew = true
	}
	return e, grew, nil
}

// SetBit sets or clears (on is 0 or 1) the bit at offset of the string at
// key, growing it with zero bytes as needed, and returns the old bit. As
// Redis 7.0 does, it raises "setbit" only when the value changed.
func (tx *Tx) SetBit(key []byte, offset uint64, on int) (int, error) {
	e, err := tx.lookupWriteKind(key, KindString)
	if err != nil {
		return 0, err
	}
	oldLen := stringLen(e)
	e, grew, err := tx.growBits(key, e, offset)
	if err != nil {
		return 0, err
	}
	e.markRaw() // Redis unshares the string as raw first, changed or not
	v := e.val()
	old := int(getField(v, offset, 1))
	if !grew && old == on {
		return old, nil
	}
	setField(v, offset, 1, uint64(on))
	tx.saveString(e, oldLen, int(offset>>3), int(offset>>3)+1)
	tx.notify(key, EventString, "setbit")
	return old, nil
}

// BitOp stores op applied to the strings at srcs (missing ones read as
// empty) at dest, replacing any value there, and returns its length. An
// empty result deletes dest.
func (tx *Tx) BitOp(op BitOpKind, dest []byte, srcs [][]byte) (int, error) {
	vals := make([][]byte, len(srcs))
	for i, k := range srcs {
		e, err := tx.lookupKind(k, KindString)
		if err != nil {
			return 0, err
		}
		if e != nil {
			vals[i] = e.val()
		}
	}
	res := BitOp(op, vals)
	if len(res) == 0 {
		if e := tx.lookupWrite(dest); e != nil {
			tx.delete(e)
		}
		return 0, nil
	}
	if _, err := tx.Set(dest, res, SetOptions{}); err != nil {
		return 0, err
	}
	if e := tx.lookupWrite(dest); e != nil {
		e.markRaw() // Redis stores BITOP's result as a raw string
	}
	return len(res), nil
}

// BitFieldOpKind is a BITFIELD subcommand.
type BitFieldOpKind int

// BITFIELD subcommands.
const (
	BitFieldGet BitFieldOpKind = iota
	BitFieldSet
	BitFieldIncrBy
)

// BitFieldOp is one parsed BITFIELD operation.
type BitFieldOp struct {
	Kind     BitFieldOpKind
	Type     BitFieldType
	Offset   uint64   // in bits
	Value    int64    // SET's value, INCRBY's increment
	Overflow Overflow // the OVERFLOW mode in force for this operation
}

// BitFieldResult is one BITFIELD reply: a value, or nil when an OVERFLOW
// FAIL operation did nothing.
type BitFieldResult struct {
	Value int64
	Nil   bool
}

// BitField runs ops in order on the string at key. When any op writes,
// the string is first created or grown to hold the furthest field written,
// and "setbit" is raised when a write changed it.
func (tx *Tx) BitField(key []byte, ops []BitFieldOp) ([]BitFieldResult, error) {
	var maxbit uint64
	writes := false
	for _, op := range ops {
		if op.Kind != BitFieldGet {
			writes = true
			maxbit = max(maxbit, op.Offset+uint64(op.Type.Bits)-1)
		}
	}
	var v []byte
	var e *entry
	grew, oldLen := false, 0
	if writes {
		var err error
		if e, err = tx.lookupWriteKind(key, KindString); err != nil {
			return nil, err
		}
		oldLen = stringLen(e)
		if e, grew, err = tx.growBits(key, e, maxbit); err != nil {
			return nil, err
		}
		e.markRaw()
		v = e.val()
	} else {
		e, err := tx.lookupKind(key, KindString)
		if err != nil {
			return nil, err
		}
		if e != nil {
			v = e.val()
		}
	}
	out := make([]BitFieldResult, len(ops))
	changed := false
	for i, op := range ops {
		t := op.Type
		old := t.value(getField(v, op.Offset, t.Bits))
		if op.Kind == BitFieldGet {
			out[i].Value = old
			continue
		}
		var nv int64
		var over bool
		if op.Kind == BitFieldIncrBy {
			nv, over = t.add(old, op.Value, op.Overflow)
			out[i].Value = nv
		} else {
			nv, over = t.add(op.Value, 0, op.Overflow)
			out[i].Value = old
		}
		if over && op.Overflow == OverflowFail {
			out[i] = BitFieldResult{Nil: true}
			continue
		}
		setField(v, op.Offset, t.Bits, uint64(nv))
		if grew || nv != old {
			changed = true
		}
	}
	if grew || changed {
		// The span of every field written: BITFIELD's fields are few.
		from, to := len(v), 0
		for _, op := range ops {
			if op.Kind != BitFieldGet {
				from = min(from, int(op.Offset>>3))
				to = max(to, int((op.Offset+uint64(op.Type.Bits)-1)>>3)+1)
			}
		}
		tx.saveString(e, oldLen, from, to)
	}
	if changed {
		tx.notify(key, EventString, "setbit")
	}
	return out, nil
}
