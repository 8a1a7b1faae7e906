package server

import (
	"bytes"
	"encoding/json"
	"math"
	"sort"
	"strconv"

	lua "github.com/yuin/gopher-lua"
)

// cjsonLib is the cjson module Redis ships (lua-cjson 2.1 semantics for
// what scripts use: encode, decode, null).
func cjsonLib(L *lua.LState) *lua.LTable {
	t := L.NewTable()
	null := L.NewUserData()
	t.RawSetString("null", null)
	t.RawSetString("encode", L.NewFunction(func(L *lua.LState) int {
		if L.GetTop() != 1 {
			L.ArgError(1, "expected 1 argument")
		}
		var b bytes.Buffer
		if err := cjsonEncode(&b, L.Get(1), null, 0); err != "" {
			L.RaiseError("%s", err)
		}
		L.Push(lua.LString(b.String()))
		return 1
	}))
	t.RawSetString("decode", L.NewFunction(func(L *lua.LState) int {
		s := L.CheckString(1)
		d := json.NewDecoder(bytes.NewReader([]byte(s)))
		d.UseNumber()
		var v any
		if err := d.Decode(&v); err != nil || d.More() {
			L.RaiseError("Expected value but found invalid token at character 1")
		}
		L.Push(jsonToLua(L, v, null))
		return 1
	}))
	for _, name := range []string{"encode_keep_buffer", "encode_max_depth", "decode_max_depth", "encode_invalid_numbers", "decode_invalid_numbers", "encode_number_precision", "encode_sparse_array"} {
		t.RawSetString(name, L.NewFunction(func(L *lua.LState) int { return 0 }))
	}
	return t
}

func cjsonEncode(b *bytes.Buffer, v lua.LValue, null *lua.LUserData, depth int) string {
	if depth > 1000 {
		return "Cannot serialise, excessive nesting (1001)"
	}
	switch v := v.(type) {
	case *lua.LNilType:
		b.WriteString("null")
	case lua.LBool:
		b.WriteString(strconv.FormatBool(bool(v)))
	case lua.LNumber:
		f := float64(v)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return "Cannot serialise number: must not be NaN or Inf"
		}
		b.WriteString(formatG14(f))
	case lua.LString:
		jsonString(b, string(v))
	case *lua.LUserData:
		if v != null {
			return "Cannot serialise userdata: type not supported"
		}
		b.WriteString("null")
	case *lua.LTable:
		return cjsonTable(b, v, null, depth)
	default:
		return "Cannot serialise " + v.Type().String() + ": type not supported"
	}
	return ""
}

func cjsonTable(b *bytes.Buffer, t *lua.LTable, null *lua.LUserData, depth int) string {
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
	if isArray && items > 0 {
		if maxKey > items*2 && maxKey > 10 {
			return "Cannot serialise table: excessively sparse array"
		}
		b.WriteByte('[')
		for i := 1; i <= maxKey; i++ {
			if i > 1 {
				b.WriteByte(',')
			}
			if err := cjsonEncode(b, t.RawGetInt(i), null, depth+1); err != "" {
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
		if err := cjsonEncode(b, p.v, null, depth+1); err != "" {
			return err
		}
	}
	b.WriteByte('}')
	return ""
}

// formatG14 formats a number as lua-cjson does ("%.14g").
func formatG14(f float64) string {
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
