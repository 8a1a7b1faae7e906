package server

import (
	"github.com/cairn-db/cairn/protocol"
	"github.com/cairn-db/cairn/store"
)

func bitmapCommands() []*Command {
	const w, r, fast, oom = FlagWrite, FlagRead, FlagFast, FlagDenyOOM
	return []*Command{
		keyCmd("setbit", 4, w|oom, 1, 1, 1, cmdSetBit),
		keyCmd("getbit", 3, r|fast, 1, 1, 1, cmdGetBit),
		keyCmd("bitcount", -2, r, 1, 1, 1, cmdBitCount),
		keyCmd("bitpos", -3, r, 1, 1, 1, cmdBitPos),
		keyCmd("bitop", -4, w|oom, 2, -1, 1, cmdBitOp),
		keyCmd("bitfield", -2, w|oom, 1, 1, 1, cmdBitField),
		keyCmd("bitfield_ro", -2, r|fast, 1, 1, 1, cmdBitFieldRO),
	}
}

// Bitmap errors, worded as Redis words them.
const (
	errBitOffset    protocol.Error = "ERR bit offset is not an integer or out of range"
	errBitValue     protocol.Error = "ERR bit is not an integer or out of range"
	errBitArg       protocol.Error = "ERR The bit argument must be 1 or 0."
	errBitfieldType protocol.Error = "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is."
	errBitopNot     protocol.Error = "ERR BITOP NOT must be called with a single source key."
	errOverflowType protocol.Error = "ERR Invalid OVERFLOW type specified"
	errBitfieldRO   protocol.Error = "ERR BITFIELD_RO only supports the GET subcommand"
)

// bitOffset parses a bit offset; with a field width, "#n" means n*width.
// Like Redis, it refuses offsets whose byte is past proto-max-bulk-len.
func (c *Context) bitOffset(a []byte, width int) (uint64, error) {
	hash := width > 0 && len(a) > 0 && a[0] == '#'
	if hash {
		a = a[1:]
	}
	n, ok := protocol.ParseInt(a)
	if !ok {
		return 0, errBitOffset
	}
	if hash {
		n *= int64(width) // wraps as Redis's does; the checks below catch it
	}
	if n < 0 || n>>3 >= c.Server.protoMaxBulkLen.Load() {
		return 0, errBitOffset
	}
	return uint64(n), nil
}

// SETBIT key offset value
func cmdSetBit(c *Context) error {
	off, err := c.bitOffset(c.Args[2], 0)
	if err != nil {
		return err
	}
	on, ok := protocol.ParseInt(c.Args[3])
	if !ok || on&^1 != 0 {
		return errBitValue
	}
	old, err := c.Tx.SetBit(c.Args[1], off, int(on))
	if err != nil {
		return err
	}
	c.Out.Int(int64(old))
	return nil
}

// GETBIT key offset
func cmdGetBit(c *Context) error {
	off, err := c.bitOffset(c.Args[2], 0)
	if err != nil {
		return err
	}
	b, err := c.Tx.GetBit(c.Args[1], off)
	if err != nil {
		return err
	}
	c.Out.Int(int64(b))
	return nil
}

// BITCOUNT key [start end [BYTE|BIT]]
func cmdBitCount(c *Context) error {
	// As Redis 7.0: the key is looked up before the range is parsed.
	v, ok, err := c.Tx.Get(c.Args[1])
	if err != nil || !ok {
		if err == nil {
			c.Out.Int(0)
		}
		return err
	}
	var r store.BitRange
	switch len(c.Args) {
	case 2:
	case 4, 5:
		var ok1, ok2 bool
		r.HasStart, r.HasEnd = true, true
		if r.Start, ok1 = protocol.ParseInt(c.Args[2]); !ok1 {
			return protocol.ErrNotInteger
		}
		if r.End, ok2 = protocol.ParseInt(c.Args[3]); !ok2 {
			return protocol.ErrNotInteger
		}
		if r.Start < 0 && r.End < 0 && r.Start > r.End {
			c.Out.Int(0) // before the unit is checked, as in Redis
			return nil
		}
		if len(c.Args) == 5 {
			if r.Bit, err = bitUnit(c.Args[4]); err != nil {
				return err
			}
		}
	default:
		return protocol.ErrSyntax
	}
	c.Out.Int(store.BitCount(v, r))
	return nil
}

// bitUnit parses BYTE or BIT.
func bitUnit(a []byte) (bit bool, err error) {
	switch {
	case protocol.EqualFold(a, "bit"):
		return true, nil
	case protocol.EqualFold(a, "byte"):
		return false, nil
	}
	return false, protocol.ErrSyntax
}

// BITPOS key bit [start [end [BYTE|BIT]]]
func cmdBitPos(c *Context) error {
	bit, ok := protocol.ParseInt(c.Args[2])
	if !ok {
		return protocol.ErrNotInteger
	}
	if bit != 0 && bit != 1 {
		return errBitArg
	}
	v, ok, err := c.Tx.Get(c.Args[1])
	if err != nil {
		return err
	}
	if !ok {
		// A missing key is an endless run of clear bits.
		c.Out.Int(-bit)
		return nil
	}
	var r store.BitRange
	switch n := len(c.Args); {
	case n == 3:
	case n <= 6:
		r.HasStart = true
		if r.Start, ok = protocol.ParseInt(c.Args[3]); !ok {
			return protocol.ErrNotInteger
		}
		if n == 6 {
			if r.Bit, err = bitUnit(c.Args[5]); err != nil {
				return err
			}
		}
		if n >= 5 {
			r.HasEnd = true
			if r.End, ok = protocol.ParseInt(c.Args[4]); !ok {
				return protocol.ErrNotInteger
			}
		}
	default:
		return protocol.ErrSyntax
	}
	c.Out.Int(store.BitPos(v, int(bit), r))
	return nil
}

// BITOP AND|OR|XOR|NOT destkey key [key …]
func cmdBitOp(c *Context) error {
	var op store.BitOpKind
	switch a := c.Args[1]; {
	case protocol.EqualFold(a, "and"):
		op = store.BitAnd
	case protocol.EqualFold(a, "or"):
		op = store.BitOr
	case protocol.EqualFold(a, "xor"):
		op = store.BitXor
	case protocol.EqualFold(a, "not"):
		op = store.BitNot
	default:
		return protocol.ErrSyntax
	}
	if op == store.BitNot && len(c.Args) != 4 {
		return errBitopNot
	}
	n, err := c.Tx.BitOp(op, c.Args[2], c.Args[3:])
	if err != nil {
		return err
	}
	c.Out.Int(int64(n))
	return nil
}

// BITFIELD key [GET type offset] [SET type offset value]
// [INCRBY type offset increment] [OVERFLOW WRAP|SAT|FAIL] …
func cmdBitField(c *Context) error { return bitField(c, false) }

// BITFIELD_RO key [GET type offset] …
func cmdBitFieldRO(c *Context) error { return bitField(c, true) }

func bitField(c *Context, readOnly bool) error {
	var ops []store.BitFieldOp
	overflow := store.OverflowWrap
	writes := false
	args := c.Args
	for i := 2; i < len(args); i++ {
		rest := len(args) - i - 1
		var op store.BitFieldOp
		switch a := args[i]; {
		case protocol.EqualFold(a, "get") && rest >= 2:
			op.Kind = store.BitFieldGet
		case protocol.EqualFold(a, "set") && rest >= 3:
			op.Kind = store.BitFieldSet
		case protocol.EqualFold(a, "incrby") && rest >= 3:
			op.Kind = store.BitFieldIncrBy
		case protocol.EqualFold(a, "overflow") && rest >= 1:
			i++
			switch m := args[i]; {
			case protocol.EqualFold(m, "wrap"):
				overflow = store.OverflowWrap
			case protocol.EqualFold(m, "sat"):
				overflow = store.OverflowSat
			case protocol.EqualFold(m, "fail"):
				overflow = store.OverflowFail
			default:
				return errOverflowType
			}
			continue
		default:
			return protocol.ErrSyntax
		}
		t, ok := bitFieldType(args[i+1])
		if !ok {
			return errBitfieldType
		}
		off, err := c.bitOffset(args[i+2], t.Bits)
		if err != nil {
			return err
		}
		op.Type, op.Offset, op.Overflow = t, off, overflow
		if op.Kind != store.BitFieldGet {
			writes = true
			if op.Value, ok = protocol.ParseInt(args[i+3]); !ok {
				return protocol.ErrNotInteger
			}
			i++
		}
		i += 2
		ops = append(ops, op)
	}
	if writes && readOnly {
		return errBitfieldRO
	}
	res, err := c.Tx.BitField(args[1], ops)
	if err != nil {
		return err
	}
	c.Out.Array(len(res))
	for _, r := range res {
		if r.Nil {
			c.Out.Null()
		} else {
			c.Out.Int(r.Value)
		}
	}
	return nil
}

// bitFieldType parses i1..i64 or u1..u63.
func bitFieldType(a []byte) (store.BitFieldType, bool) {
	if len(a) < 2 || (a[0] != 'i' && a[0] != 'u') {
		return store.BitFieldType{}, false
	}
	n, ok := protocol.ParseInt(a[1:])
	t := store.BitFieldType{Signed: a[0] == 'i', Bits: int(n)}
	if !ok || n < 1 || (t.Signed && n > 64) || (!t.Signed && n > 63) {
		return store.BitFieldType{}, false
	}
	return t, true
}
