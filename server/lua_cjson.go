package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"

	lua "github.com/yuin/gopher-lua"
)

// cjsonConfig is one VM's cjson settings, as lua-cjson keeps them per
// module (the encode_*/decode_* functions read and change them).
type cjsonConfig struct {
	encodeMaxDepth, decodeMaxDepth int
	encodeInvalid                  int // 0 off, 1 on, 2 null
	decodeInvalid, keepBuffer      bool
	precision                      int
	sparseConvert                  bool
	sparseRatio, sparseSafe        int
	null                           *lua.LUserData
}

// cjsonLib is the cjson module Redis ships (lua-cjson 2.1 semantics for
// what scripts use: encode, decode, null and the settings functions).
func cjsonLib(L *lua.LState) *lua.LTable {
	t := L.NewTable()
	cfg := &cjsonConfig{encodeMaxDepth: 1000, decodeMaxDepth: 1000, decodeInvalid: true, keepBuffer: true,
		precision: 14, sparseRatio: 2, sparseSafe: 10, null: L.NewUserData()}
	t.RawSetString("null", cfg.null)
	t.RawSetString("encode", L.NewFunction(func(L *lua.LState) int {
		if L.GetTop() != 1 {
			L.ArgError(1, "expected 1 argument")
		}
		var b bytes.Buffer
		if err := cfg.encode(&b, L.Get(1), 0); err != "" {
			luaCError(L, "%s", err)
		}
		L.Push(lua.LString(b.String()))
		return 1
	}))
	t.RawSetString("decode", L.NewFunction(func(L *lua.LState) int {
		s := L.CheckString(1)
		if depth, at := jsonNesting(s, cfg.decodeMaxDepth); depth > 0 {
			luaCError(L, "Found too many nested data structures (%d) at character %d", depth, at)
		}
		d := json.NewDecoder(bytes.NewReader([]byte(s)))
		d.UseNumber()
		var v any
		if err := d.Decode(&v); err != nil || d.More() {
			luaCError(L, "Expected value but found invalid token at character 1")
		}
		L.Push(jsonToLua(L, v, cfg.null))
		return 1
	}))
	intOpt := func(p *int, lo, hi int) lua.LGFunction {
		return func(L *lua.LState) int {
			cjsonIntOption(L, 1, p, lo, hi)
			return 1
		}
	}
	boolOpt := func(p *bool) lua.LGFunction {
		return func(L *lua.LState) int {
			cjsonBoolOption(L, 1, p)
			return 1
		}
	}
	t.RawSetString("encode_max_depth", L.NewFunction(intOpt(&cfg.encodeMaxDepth, 1, math.MaxInt32)))
	t.RawSetString("decode_max_depth", L.NewFunction(intOpt(&cfg.decodeMaxDepth, 1, math.MaxInt32)))
	t.RawSetString("encode_number_precision", L.NewFunction(intOpt(&cfg.precision, 1, 14)))
	t.RawSetString("encode_keep_buffer", L.NewFunction(boolOpt(&cfg.keepBuffer)))
	t.RawSetString("decode_invalid_numbers", L.NewFunction(boolOpt(&cfg.decodeInvalid)))
	t.RawSetString("encode_invalid_numbers", L.NewFunction(func(L *lua.LState) int {
		opts := []string{"off", "on", "null"}
		switch v := L.Get(1).(type) {
		case *lua.LNilType:
		case lua.LBool:
			cfg.encodeInvalid = 0
			if v {
				cfg.encodeInvalid = 1
			}
		default:
			cfg.encodeInvalid = L.CheckOption(1, opts)
		}
		if cfg.encodeInvalid < 2 {
			L.Push(lua.LBool(cfg.encodeInvalid == 1))
		} else {
			L.Push(lua.LString(opts[cfg.encodeInvalid]))
		}
		return 1
	}))
	t.RawSetString("encode_sparse_array", L.NewFunction(func(L *lua.LState) int {
		cjsonBoolOption(L, 1, &cfg.sparseConvert)
		cjsonIntOption(L, 2, &cfg.sparseRatio, 0, math.MaxInt32)
		cjsonIntOption(L, 3, &cfg.sparseSafe, 0, math.MaxInt32)
		return 3
	}))
	return t
}

// cjsonIntOption is lua-cjson's json_integer_option: argument i, if
// given, sets *p; the setting is pushed.
func cjsonIntOption(L *lua.LState, i int, p *int, lo, hi int) {
	if L.Get(i) != lua.LNil {
		v := L.CheckInt(i)
		if v < lo || v > hi {
			L.ArgError(1, fmt.Sprintf("expected integer between %d and %d", lo, hi))
		}
		*p = v
	}
	L.Push(lua.LNumber(*p))
}

// cjsonBoolOption is lua-cjson's json_enum_option for on/off settings.
func cjsonBoolOption(L *lua.LState, i int, p *bool) {
	switch v := L.Get(i).(type) {
	case *lua.LNilType:
	case lua.LBool:
		*p = bool(v)
	default:
		*p = L.CheckOption(i, []string{"off", "on"}) == 1
	}
	L.Push(lua.LBool(*p))
}

// jsonNesting finds where s nests objects and arrays deeper than max:
// the depth reached and the character after the opening bracket, as
// lua-cjson reports it; depth is 0 if s stays within max.
func jsonNesting(s string, max int) (depth, at int) {
	inString := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case inString && c == '\\':
			i++
		case c == '"':
			inString = !inString
		case inString:
		case c == '{' || c == '[':
			if depth++; depth > max {
				return depth, i + 1
			}
		case c == '}' || c == ']':
			depth--
		}
	}
	return 0, 0
}

func (cfg *cjsonConfig) encode(b *bytes.Buffer, v lua.LValue, depth int) string {
	switch v := v.(type) {
	case *lua.LNilType:
		b.WriteString("null")
	case lua.LBool:
		b.WriteString(strconv.FormatBool(bool(v)))
	case lua.LNumber:
		f := float64(v)
		switch {
		case !math.IsNaN(f) && !math.IsInf(f, 0):
		case cfg.encodeInvalid == 0:
			return "Cannot serialise number: must not be NaN or Inf"
		case cfg.encodeInvalid == 2:
			b.WriteString("null")
			return ""
		case math.IsNaN(f):
			b.WriteString("nan")
			return ""
		}
		b.WriteString(formatG14(f))
	case lua.LString:
		jsonString(b, string(v))
	case *lua.LUserData:
		if v != cfg.null {
			return "Cannot serialise userdata: type not supported"
		}
		b.WriteString("null")
	case *lua.LTable:
		if depth+1 > cfg.encodeMaxDepth {
			return fmt.Sprintf("Cannot serialise, excessive nesting (%d)", depth+1)
		}
		return cfg.table(b, v, depth+1)
	default:
		return "Cannot serialise " + v.Type().String() + ": type not supported"
	}
	return ""
}

func (cfg *cjsonConfig) table(b *bytes.Buffer, t *lua.LTable, depth int) string {
	// An array has only positive integer keys and is not too sparse.
	maxKey, items, isArray := 0, 0, true
	t.ForEach(func(k, _ lua.LValue) {
		items++
		n, ok := k.(lua.LNumber)
		if !ok || float64(n) != math.Floor(float64(n)) || n < 1 {
			isArray = false
			return
		}
		if int(n) > maxKey {
			maxKey = int(n)
		}
	})
	if isArray && items > 0 && cfg.sparseRatio > 0 && maxKey > cfg.sparseSafe && maxKey > items*cfg.sparseRatio {
		if !cfg.sparseConvert {
			return "Cannot serialise table: excessively sparse array"
		}
		isArray = false // encoded as an object
	}
	if isArray && items > 0 {
		b.WriteByte('[')
		for i := 1; i <= maxKey; i++ {
			if i > 1 {
				b.WriteByte(',')
			}
			if err := cfg.encode(b, t.RawGetInt(i), depth); err != "" {
				return err
			}
		}
		b.WriteByte(']')
		return ""
	}
	type kv struct {
		k string
		v lua.LValue
	}
	var pairs []kv
	var bad string
	t.ForEach(func(k, v lua.LValue) {
		switch k := k.(type) {
		case lua.LString:
			pairs = append(pairs, kv{string(k), v})
		case lua.LNumber:
			pairs = append(pairs, kv{formatG14(float64(k)), v})
		default:
			bad = "Cannot serialise table: table key must be a number or string"
		}
	})
	if bad != "" {
		return bad
	}
	sort.Slice(pairs, func(i, j int) bool { return pairs[i].k < pairs[j].k })
	b.WriteByte('{')
	for i, p := range pairs {
		if i > 0 {
			b.WriteByte(',')
		}
		jsonString(b, p.k)
		b.WriteByte(':')
		if err := cfg.encode(b, p.v, depth); err != "" {
			return err
		}
	}
	b.WriteByte('}')
	return ""
}

// formatG14 formats a number as lua-cjson does ("%.14g").
func formatG14(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		if math.Signbit(f) { // x86's 0/0
			return "-nan"
		}
		return "nan"
	}
	if f == math.Trunc(f) && math.Abs(f) < 1e14 {
		return strconv.FormatInt(int64(f), 10)
	}
	s := strconv.FormatFloat(f, 'g', 14, 64)
	// %.14g drops trailing zeros in the mantissa.
	if i := bytes.IndexAny([]byte(s), "e"); i >= 0 {
		m, e := s[:i], s[i:]
		if bytes.IndexByte([]byte(m), '.') >= 0 {
			m = trimZeros(m)
		}
		if len(e) == 3 { // e+5 → e+05
			e = e[:2] + "0" + e[2:]
		}
		return m + e
	}
	if bytes.IndexByte([]byte(s), '.') >= 0 {
		s = trimZeros(s)
	}
	return s
}

func trimZeros(s string) string {
	for len(s) > 0 && s[len(s)-1] == '0' {
		s = s[:len(s)-1]
	}
	if len(s) > 0 && s[len(s)-1] == '.' {
		s = s[:len(s)-1]
	}
	return s
}

// jsonString writes s quoted as lua-cjson does (it also escapes '/').
func jsonString(b *bytes.Buffer, s string) {
	const hex = "0123456789abcdef"
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '/':
			b.WriteString(`\/`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		default:
			if c < 0x20 || c == 0x7f {
				b.WriteString(`\u00`)
				b.WriteByte(hex[c>>4])
				b.WriteByte(hex[c&15])
			} else {
				b.WriteByte(c)
			}
		}
	}
	b.WriteByte('"')
}

func jsonToLua(L *lua.LState, v any, null *lua.LUserData) lua.LValue {
	switch v := v.(type) {
	case nil:
		return null
	case bool:
		return lua.LBool(v)
	case json.Number:
		f, _ := strconv.ParseFloat(string(v), 64)
		return lua.LNumber(f)
	case string:
		return lua.LString(v)
	case []any:
		t := L.CreateTable(len(v), 0)
		for i, e := range v {
			t.RawSetInt(i+1, jsonToLua(L, e, null))
		}
		return t
	case map[string]any:
		t := L.CreateTable(0, len(v))
		for k, e := range v {
			t.RawSetString(k, jsonToLua(L, e, null))
		}
		return t
	}
	return lua.LNil
}

// luaCError raises an error as C's luaL_error does from a C library
// function (cjson, cmsgpack, struct): the message starts with the
// "chunk:line:" of its caller when that is Lua code, and with nothing
// when it is a C function such as pcall.
func luaCError(L *lua.LState, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if dbg, ok := L.GetStack(1); ok {
		if _, err := L.GetInfo("Sl", dbg, lua.LNil); err == nil && dbg.What != "G" && dbg.CurrentLine > 0 {
			msg = fmt.Sprintf("%s:%d: %s", dbg.Source, dbg.CurrentLine, msg)
		}
	}
	L.Error(lua.LString(msg), 0)
}
