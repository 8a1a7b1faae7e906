package server

import (
	"bytes"
	"strconv"

	lua "github.com/yuin/gopher-lua"
)

// respToLua converts one encoded reply (what a command wrote for the
// script) to a Lua value with Redis's rules: integers are numbers, bulk
// strings strings, nulls false (RESP2) or nil (RESP3), arrays tables,
// status {ok=…}, error {err=…} (reported by isErr), and the RESP3 types
// {map=…}, {set=…}, {double=…}, booleans, {big_number=…}.
func respToLua(L *lua.LState, b []byte) (v lua.LValue, isErr bool) {
	v, _ = parseRESP(L, b)
	if t, ok := v.(*lua.LTable); ok && len(b) > 0 && b[0] == '-' {
		return t, true
	}
	return v, false
}

func parseRESP(L *lua.LState, b []byte) (lua.LValue, []byte) {
	if len(b) < 3 {
		return lua.LFalse, nil
	}
	kind := b[0]
	i := bytes.Index(b, []byte("\r\n"))
	if i < 0 {
		return lua.LFalse, nil
	}
	line, rest := string(b[1:i]), b[i+2:]
	switch kind {
	case '+':
		t := L.NewTable()
		t.RawSetString("ok", lua.LString(line))
		return t, rest
	case '-':
		t := L.NewTable()
		t.RawSetString("err", lua.LString(line))
		return t, rest
	case ':':
		n, _ := strconv.ParseInt(line, 10, 64)
		return lua.LNumber(n), rest
	case ',':
		f, _ := strconv.ParseFloat(line, 64)
		t := L.NewTable()
		t.RawSetString("double", lua.LNumber(f))
		return t, rest
	case '(':
		t := L.NewTable()
		t.RawSetString("big_number", lua.LString(line))
		return t, rest
	case '#':
		return lua.LBool(line == "t"), rest
	case '_':
		return lua.LNil, rest
	case '$', '=':
		n, _ := strconv.Atoi(line)
		if n < 0 {
			return lua.LFalse, rest
		}
		if n+2 > len(rest) {
			return lua.LFalse, nil
		}
		s := string(rest[:n])
		rest = rest[n+2:]
		if kind == '=' && len(s) >= 4 {
			t, vt := L.NewTable(), L.NewTable()
			vt.RawSetString("format", lua.LString(s[:3]))
			vt.RawSetString("string", lua.LString(s[4:]))
			t.RawSetString("verbatim_string", vt)
			return t, rest
		}
		return lua.LString(s), rest
	case '|':
		// An attribute: not exposed to scripts (as in Redis); the reply
		// it annotates follows its key-value pairs.
		n, _ := strconv.Atoi(line)
		for j := 0; j < 2*n; j++ {
			_, rest = parseRESP(L, rest)
		}
		return parseRESP(L, rest)
	case '*', '>', '~', '%':
		n, _ := strconv.Atoi(line)
		if n < 0 {
			return lua.LFalse, rest
		}
		var t *lua.LTable
		switch kind {
		case '%':
			m := L.CreateTable(0, n)
			for j := 0; j < n; j++ {
				var k, v lua.LValue
				k, rest = parseRESP(L, rest)
				v, rest = parseRESP(L, rest)
				m.RawSet(k, v)
			}
			t = L.NewTable()
			t.RawSetString("map", m)
			return t, rest
		case '~':
			s := L.CreateTable(0, n)
			for j := 0; j < n; j++ {
				var k lua.LValue
				k, rest = parseRESP(L, rest)
				s.RawSet(k, lua.LTrue)
			}
			t = L.NewTable()
			t.RawSetString("set", s)
			return t, rest
		}
		t = L.CreateTable(n, 0)
		for j := 0; j < n; j++ {
			var e lua.LValue
			e, rest = parseRESP(L, rest)
			t.RawSetInt(j+1, e)
		}
		return t, rest
	}
	return lua.LFalse, nil
}
