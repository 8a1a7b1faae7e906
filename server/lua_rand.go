package server

import (
	"math"
	"strconv"
	"strings"
	"sync/atomic"

	lua "github.com/yuin/gopher-lua"
)

// Redis replaces Lua's math.random and math.randomseed with its own
// lrand48 (rand.c), so that a seeded script gives the same numbers on
// every server: the 48-bit generator x = a*x + c, returning x's top 31
// bits. Its state is one per server, as Redis's static one.

const (
	lrandA    = 0x5DEECE66D
	lrandC    = 0xB
	lrandMask = 1<<48 - 1
	lrandInit = 0x1234ABCD330E // rand.c's X2 X1 X0
	lrandMax  = math.MaxInt32  // REDIS_LRAND48_MAX
)

// luaRand is the generator's state, stored XOR lrandInit so that the
// zero value is rand.c's initial state.
type luaRand struct{ x atomic.Uint64 }

// next is redisLrand48.
func (r *luaRand) next() int32 {
	x := ((r.x.Load()^lrandInit)*lrandA + lrandC) & lrandMask
	r.x.Store(x ^ lrandInit)
	return int32(x >> 17)
}

// seed is redisSrand48.
func (r *luaRand) seed(v int32) {
	r.x.Store((uint64(uint32(v))<<16 | 0x330E) ^ lrandInit)
}

// install sets math.random and math.randomseed in the math table.
func (r *luaRand) install(math *lua.LTable, L *lua.LState) {
	math.RawSetString("random", L.NewFunction(func(L *lua.LState) int {
		f := float64(r.next()%lrandMax) / float64(lrandMax)
		switch L.GetTop() {
		case 0:
			L.Push(lua.LNumber(f))
		case 1:
			u := luaCheckInt(L, 1)
			if u < 1 {
				L.ArgError(1, "interval is empty")
			}
			L.Push(lua.LNumber(floor(f*float64(u)) + 1))
		case 2:
			l, u := luaCheckInt(L, 1), luaCheckInt(L, 2)
			if l > u {
				L.ArgError(2, "interval is empty")
			}
			L.Push(lua.LNumber(floor(f*float64(u-l+1)) + float64(l)))
		default:
			luaCError(L, "wrong number of arguments")
		}
		return 1
	}))
	math.RawSetString("randomseed", L.NewFunction(func(L *lua.LState) int {
		r.seed(int32(luaCheckInt(L, 1)))
		return 0
	}))
}

func floor(f float64) float64 { return math.Floor(f) }

// luaCheckInt is C Lua's luaL_checkint: a number, or a string that
// converts to one, truncated to an int.
func luaCheckInt(L *lua.LState, i int) int {
	switch v := L.Get(i).(type) {
	case lua.LNumber:
		return int(int32(int64(v)))
	case lua.LString:
		if f, err := strconv.ParseFloat(strings.TrimSpace(string(v)), 64); err == nil {
			return int(int32(int64(f)))
		}
	}
	L.TypeError(i, lua.LTNumber)
	return 0
}
