package server

import (
	"math"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// structLib is Roberto Ierusalimschy's struct library, which Redis ships:
// pack, unpack and size with the format letters > < ! x b B h H i I l L T
// f d s c.
func structLib(L *lua.LState) *lua.LTable {
	t := L.NewTable()
	t.RawSetString("pack", L.NewFunction(structPack))
	t.RawSetString("unpack", L.NewFunction(structUnpack))
	t.RawSetString("size", L.NewFunction(func(L *lua.LState) int {
		n := 0
		eachStructItem(L, L.CheckString(1), func(op byte, size int, _ bool) {
			if op == 's' || (op == 'c' && size == 0) {
				L.ArgError(1, "options 'c0' - 's' have undefined sizes")
			}
			n += size
		})
		L.Push(lua.LNumber(n))
		return 1
	}))
	return t
}

// eachStructItem walks a format, calling f with each item's letter, byte
// size and endianness.
func eachStructItem(L *lua.LState, format string, f func(op byte, size int, little bool)) {
	little := true
	for i := 0; i < len(format); i++ {
		op := format[i]
		num := -1
		for i+1 < len(format) && format[i+1] >= '0' && format[i+1] <= '9' {
			if num < 0 {
				num = 0
			}
			num = num*10 + int(format[i+1]-'0')
			i++
		}
		size := 0
		switch op {
		case ' ', '!':
			continue
		case '<':
			little = true
			continue
		case '>':
			little = false
			continue
		case '=':
			little = true
			continue
		case 'x', 'b', 'B':
			size = 1
		case 'h', 'H':
			size = 2
		case 'l', 'L', 'T':
			size = 8
		case 'i', 'I':
			size = 4
			if num > 0 {
				size = num
			}
		case 'f':
			size = 4
		case 'd':
			size = 8
		case 'c':
			size = max(num, 0)
			if num < 0 {
				size = 1
			}
		case 's':
		default:
			luaCError(L, "invalid format option '%c'", op)
		}
		f(op, size, little)
	}
}

func putUint(b []byte, v uint64, little bool) {
	for i := range b {
		if little {
			b[i] = byte(v >> (8 * i))
		} else {
			b[len(b)-1-i] = byte(v >> (8 * i))
		}
	}
}

func getUint(b []byte, little bool) uint64 {
	var v uint64
	for i := range b {
		if little {
			v |= uint64(b[i]) << (8 * i)
		} else {
			v = v<<8 | uint64(b[i])
		}
	}
	return v
}

func structPack(L *lua.LState) int {
	var out []byte
	arg := 2
	var last int
	eachStructItem(L, L.CheckString(1), func(op byte, size int, little bool) {
		switch op {
		case 'x':
			out = append(out, 0)
		case 'f', 'd':
			v := float64(L.CheckNumber(arg))
			arg++
			b := make([]byte, size)
			if size == 4 {
				putUint(b, uint64(math.Float32bits(float32(v))), little)
			} else {
				putUint(b, math.Float64bits(v), little)
			}
			out = append(out, b...)
		case 'c', 's':
			s := L.CheckString(arg)
			arg++
			if op == 'c' {
				if size == 0 {
					size = last
				}
				if len(s) < size {
					s += strings.Repeat("\x00", size-len(s))
				}
				out = append(out, s[:size]...)
			} else {
				out = append(append(out, s...), 0)
			}
		default:
			v := float64(L.CheckNumber(arg))
			arg++
			last = int(v)
			b := make([]byte, size)
			putUint(b, uint64(int64(v)), little)
			out = append(out, b...)
		}
	})
	L.Push(lua.LString(out))
	return 1
}

func structUnpack(L *lua.LState) int {
	data := L.CheckString(2)
	pos := L.OptInt(3, 1) - 1
	n := 0
	var last int
	need := func(size int) {
		if pos+size > len(data) || pos < 0 {
			L.ArgError(2, "data string too short")
		}
	}
	eachStructItem(L, L.CheckString(1), func(op byte, size int, little bool) {
		switch op {
		case 'x':
			pos++
			return
		case 's':
			end := strings.IndexByte(data[pos:], 0)
			if end < 0 {
				L.ArgError(2, "unfinished string in data")
			}
			L.Push(lua.LString(data[pos : pos+end]))
			pos += end + 1
		case 'c':
			if size == 0 {
				size = last
			}
			need(size)
			L.Push(lua.LString(data[pos : pos+size]))
			pos += size
		case 'f', 'd':
			need(size)
			v := getUint([]byte(data[pos:pos+size]), little)
			if size == 4 {
				L.Push(lua.LNumber(math.Float32frombits(uint32(v))))
			} else {
				L.Push(lua.LNumber(math.Float64frombits(v)))
			}
			pos += size
		default:
			need(size)
			v := getUint([]byte(data[pos:pos+size]), little)
			var num float64
			if op >= 'a' && op <= 'z' && size < 8 { // signed
				shift := uint(64 - 8*size)
				num = float64(int64(v<<shift) >> shift)
			} else if op >= 'a' && op <= 'z' {
				num = float64(int64(v))
			} else {
				num = float64(v)
			}
			last = int(num)
			L.Push(lua.LNumber(num))
			pos += size
		}
		n++
	})
	L.Push(lua.LNumber(pos + 1))
	return n + 1
}
