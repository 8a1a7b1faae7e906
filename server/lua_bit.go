package server

import (
	"math"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// bitLib is LuaBitOp ("bit"), which Redis ships: 32-bit operations on
// numbers.
func bitLib(L *lua.LState) *lua.LTable {
	t := L.NewTable()
	arg := func(L *lua.LState, i int) uint32 { return toBit(float64(L.CheckNumber(i))) }
	ret := func(L *lua.LState, v uint32) int { L.Push(lua.LNumber(int32(v))); return 1 }
	fold := func(op func(a, b uint32) uint32) lua.LGFunction {
		return func(L *lua.LState) int {
			v := arg(L, 1)
			for i := 2; i <= L.GetTop(); i++ {
				v = op(v, arg(L, i))
			}
			return ret(L, v)
		}
	}
	fns := map[string]lua.LGFunction{
		"tobit": func(L *lua.LState) int { return ret(L, arg(L, 1)) },
		"bnot":  func(L *lua.LState) int { return ret(L, ^arg(L, 1)) },
		"band":  fold(func(a, b uint32) uint32 { return a & b }),
		"bor":   fold(func(a, b uint32) uint32 { return a | b }),
		"bxor":  fold(func(a, b uint32) uint32 { return a ^ b }),
		"lshift": func(L *lua.LState) int {
			return ret(L, arg(L, 1)<<(arg(L, 2)&31))
		},
		"rshift": func(L *lua.LState) int {
			return ret(L, arg(L, 1)>>(arg(L, 2)&31))
		},
		"arshift": func(L *lua.LState) int {
			return ret(L, uint32(int32(arg(L, 1))>>(arg(L, 2)&31)))
		},
		"rol": func(L *lua.LState) int {
			v, n := arg(L, 1), arg(L, 2)&31
			return ret(L, v<<n|v>>(32-n))
		},
		"ror": func(L *lua.LState) int {
			v, n := arg(L, 1), arg(L, 2)&31
			return ret(L, v>>n|v<<(32-n))
		},
		"bswap": func(L *lua.LState) int {
			v := arg(L, 1)
			return ret(L, v>>24|(v>>8)&0xff00|(v<<8)&0xff0000|v<<24)
		},
		"tohex": func(L *lua.LState) int {
			v := arg(L, 1)
			n := 8
			if L.GetTop() >= 2 {
				n = int(int32(arg(L, 2)))
			}
			digits := "0123456789abcdef"
			if n < 0 {
				n, digits = -n, "0123456789ABCDEF"
			}
			if n > 8 {
				n = 8
			}
			var b strings.Builder
			for i := n - 1; i >= 0; i-- {
				b.WriteByte(digits[(v>>(4*uint(i)))&15])
			}
			L.Push(lua.LString(b.String()))
			return 1
		},
	}
	for name, f := range fns {
		t.RawSetString(name, L.NewFunction(f))
	}
	return t
}

// toBit normalizes a number to 32 bits as LuaBitOp does (modulo 2^32,
// rounding to the nearest integer).
func toBit(f float64) uint32 {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0
	}
	f = math.RoundToEven(f)
	m := math.Mod(f, 4294967296)
	if m < 0 {
		m += 4294967296
	}
	return uint32(m)
}
