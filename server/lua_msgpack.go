package server

import (
	"encoding/binary"
	"math"

	lua "github.com/yuin/gopher-lua"
)

// msgpackLib is lua-cmsgpack, which Redis ships: pack(...) encodes its
// arguments one after another, unpack(s) decodes every value in s.
func msgpackLib(L *lua.LState) *lua.LTable {
	t := L.NewTable()
	t.RawSetString("pack", L.NewFunction(func(L *lua.LState) int {
		if L.GetTop() == 0 {
			L.ArgError(1, "MessagePack pack needs input.")
		}
		var out []byte
		for i := 1; i <= L.GetTop(); i++ {
			out = msgpackEncode(out, L.Get(i), 0)
		}
		L.Push(lua.LString(out))
		return 1
	}))
	t.RawSetString("unpack", L.NewFunction(func(L *lua.LState) int { return msgpackUnpack(L, 0, 0) }))
	t.RawSetString("unpack_one", L.NewFunction(func(L *lua.LState) int {
		return msgpackUnpack(L, 1, L.OptInt64(2, 0))
	}))
	t.RawSetString("unpack_limit", L.NewFunction(func(L *lua.LState) int {
		return msgpackUnpack(L, L.CheckInt64(2), L.OptInt64(3, 0))
	}))
	return t
}

// msgpackUnpack is lua-cmsgpack's mp_unpack_full: it decodes up to limit
// values of the first argument from offset (all of them when both are 0);
// with a limit or offset it returns first the offset to go on from, -1 at
// the end.
func msgpackUnpack(L *lua.LState, limit, offset int64) int {
	s := L.CheckString(1)
	all := limit == 0 && offset == 0
	switch {
	case offset < 0 || limit < 0:
		luaCError(L, "Invalid request to unpack with offset of %d and limit of %d.", offset, len(s))
	case offset > int64(len(s)):
		luaCError(L, "Start offset %d greater than input length %d.", offset, len(s))
	}
	if all {
		limit = math.MaxInt32
	}
	b := []byte(s[offset:])
	var vals []lua.LValue
	for len(b) > 0 && int64(len(vals)) < limit {
		var v lua.LValue
		var ok bool
		v, b, ok = msgpackDecode(L, b, 0)
		if !ok {
			luaCError(L, "Missing bytes in input.")
		}
		vals = append(vals, v)
	}
	if !all {
		next := int64(len(s) - len(b))
		if len(b) == 0 {
			next = -1
		}
		L.Push(lua.LNumber(next))
	}
	for _, v := range vals {
		L.Push(v)
	}
	if all {
		return len(vals)
	}
	return len(vals) + 1
}

// msgpackMaxNesting is lua-cmsgpack's LUACMSGPACK_MAX_NESTING: a table
// nested this deep is packed as nil (so cycles end).
const msgpackMaxNesting = 16

func msgpackEncode(out []byte, v lua.LValue, depth int) []byte {
	switch v := v.(type) {
	case lua.LBool:
		if v {
			return append(out, 0xc3)
		}
		return append(out, 0xc2)
	case lua.LNumber:
		f := float64(v)
		if f == math.Trunc(f) && !math.IsInf(f, 0) && math.Abs(f) < 1<<63 {
			return msgpackInt(out, int64(f))
		}
		if float64(float32(f)) == f {
			return binary.BigEndian.AppendUint32(append(out, 0xca), math.Float32bits(float32(f)))
		}
		return binary.BigEndian.AppendUint64(append(out, 0xcb), math.Float64bits(f))
	case lua.LString:
		n := len(v)
		switch {
		case n < 32:
			out = append(out, 0xa0|byte(n))
		case n < 1<<8:
			out = append(out, 0xd9, byte(n))
		case n < 1<<16:
			out = binary.BigEndian.AppendUint16(append(out, 0xda), uint16(n))
		default:
			out = binary.BigEndian.AppendUint32(append(out, 0xdb), uint32(n))
		}
		return append(out, v...)
	case *lua.LTable:
		if depth == msgpackMaxNesting {
			return append(out, 0xc0)
		}
		n, isArray := 0, true
		luaForEach(v, func(k, _ lua.LValue) {
			n++
			if kn, ok := k.(lua.LNumber); !ok || kn < 1 || float64(kn) != math.Trunc(float64(kn)) {
				isArray = false
			}
		})
		if isArray {
			for i := 1; i <= n; i++ {
				if v.RawGetInt(i) == lua.LNil {
					isArray = false
				}
			}
		}
		out = msgpackHeader(out, n, isArray)
		if isArray {
			for i := 1; i <= n; i++ {
				out = msgpackEncode(out, v.RawGetInt(i), depth+1)
			}
			return out
		}
		luaForEach(v, func(k, e lua.LValue) {
			out = msgpackEncode(out, k, depth+1)
			out = msgpackEncode(out, e, depth+1)
		})
		return out
	}
	return append(out, 0xc0)
}

func msgpackHeader(out []byte, n int, array bool) []byte {
	fix, b16, b32 := byte(0x80), byte(0xde), byte(0xdf)
	if array {
		fix, b16, b32 = 0x90, 0xdc, 0xdd
	}
	switch {
	case n < 16:
		return append(out, fix|byte(n))
	case n < 1<<16:
		return binary.BigEndian.AppendUint16(append(out, b16), uint16(n))
	}
	return binary.BigEndian.AppendUint32(append(out, b32), uint32(n))
}

func msgpackInt(out []byte, n int64) []byte {
	switch {
	case n >= 0 && n < 128:
		return append(out, byte(n))
	case n < 0 && n >= -32:
		return append(out, byte(n))
	case n >= 0 && n < 1<<8:
		return append(out, 0xcc, byte(n))
	case n >= 0 && n < 1<<16:
		return binary.BigEndian.AppendUint16(append(out, 0xcd), uint16(n))
	case n >= 0 && n < 1<<32:
		return binary.BigEndian.AppendUint32(append(out, 0xce), uint32(n))
	case n >= 0:
		return binary.BigEndian.AppendUint64(append(out, 0xcf), uint64(n))
	case n >= -128:
		return append(out, 0xd0, byte(n))
	case n >= -32768:
		return binary.BigEndian.AppendUint16(append(out, 0xd1), uint16(n))
	case n >= -(1 << 31):
		return binary.BigEndian.AppendUint32(append(out, 0xd2), uint32(n))
	}
	return binary.BigEndian.AppendUint64(append(out, 0xd3), uint64(n))
}

// msgpackDecode decodes one value from b.
func msgpackDecode(L *lua.LState, b []byte, depth int) (lua.LValue, []byte, bool) {
	if len(b) == 0 || depth > 1000 {
		return lua.LNil, nil, false
	}
	c, b := b[0], b[1:]
	take := func(n int) ([]byte, bool) {
		if len(b) < n {
			return nil, false
		}
		p := b[:n]
		b = b[n:]
		return p, true
	}
	uintN := func(n int) (uint64, bool) {
		p, ok := take(n)
		if !ok {
			return 0, false
		}
		var v uint64
		for _, x := range p {
			v = v<<8 | uint64(x)
		}
		return v, true
	}
	str := func(n uint64, ok bool) (lua.LValue, []byte, bool) {
		if !ok {
			return lua.LNil, nil, false
		}
		p, ok := take(int(n))
		return lua.LString(p), b, ok
	}
	coll := func(n uint64, ok, array bool) (lua.LValue, []byte, bool) {
		if !ok {
			return lua.LNil, nil, false
		}
		t := L.NewTable()
		for i := uint64(0); i < n; i++ {
			var k, v lua.LValue
			if array {
				k = lua.LNumber(i + 1)
			} else if k, b, ok = msgpackDecode(L, b, depth+1); !ok {
				return lua.LNil, nil, false
			}
			if v, b, ok = msgpackDecode(L, b, depth+1); !ok {
				return lua.LNil, nil, false
			}
			t.RawSet(k, v)
		}
		return t, b, true
	}
	switch {
	case c < 0x80:
		return lua.LNumber(c), b, true
	case c >= 0xe0:
		return lua.LNumber(int8(c)), b, true
	case c&0xe0 == 0xa0:
		return str(uint64(c&0x1f), true)
	case c&0xf0 == 0x90:
		return coll(uint64(c&0x0f), true, true)
	case c&0xf0 == 0x80:
		return coll(uint64(c&0x0f), true, false)
	}
	switch c {
	case 0xc0:
		return lua.LNil, b, true
	case 0xc2:
		return lua.LFalse, b, true
	case 0xc3:
		return lua.LTrue, b, true
	case 0xca:
		v, ok := uintN(4)
		return lua.LNumber(math.Float32frombits(uint32(v))), b, ok
	case 0xcb:
		v, ok := uintN(8)
		return lua.LNumber(math.Float64frombits(v)), b, ok
	case 0xcc, 0xcd, 0xce, 0xcf:
		v, ok := uintN(1 << (c - 0xcc))
		return lua.LNumber(v), b, ok
	case 0xd0, 0xd1, 0xd2, 0xd3:
		n := 1 << (c - 0xd0)
		v, ok := uintN(n)
		shift := uint(64 - 8*n)
		return lua.LNumber(int64(v<<shift) >> shift), b, ok
	case 0xd9, 0xc4:
		n, ok := uintN(1)
		return str(n, ok)
	case 0xda, 0xc5:
		n, ok := uintN(2)
		return str(n, ok)
	case 0xdb, 0xc6:
		n, ok := uintN(4)
		return str(n, ok)
	case 0xdc:
		n, ok := uintN(2)
		return coll(n, ok, true)
	case 0xdd:
		n, ok := uintN(4)
		return coll(n, ok, true)
	case 0xde:
		n, ok := uintN(2)
		return coll(n, ok, false)
	case 0xdf:
		n, ok := uintN(4)
		return coll(n, ok, false)
	}
	return lua.LNil, b, true
}

// luaForEach visits t's pairs in lua_next's order (gopher-lua's Next:
// the array part, then keys as inserted), unlike ForEach, whose string
// keys come in Go's random map order; packed output is then stable.
func luaForEach(t *lua.LTable, f func(k, v lua.LValue)) {
	for k, v := t.Next(lua.LNil); k != lua.LNil; k, v = t.Next(k) {
		f(k, v)
	}
}
