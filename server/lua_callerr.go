package server

import (
	"fmt"
	"reflect"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// gopher-lua says "attempt to call a non-function object" where Lua 5.1
// (Redis's) names what was called: "attempt to call field
// 'register_function' (a nil value)", "attempt to call global 'f' (a nil
// value)", "attempt to call a nil value". callErrorText rebuilds Lua's
// message from the failing CALL instruction, as ldebug.c's getobjname
// does. The frame's program counter and registers are not in gopher-lua's
// API, so they are read by reflection (gopher-lua is pinned in go.mod).

const gopherCallError = "attempt to call a non-function object"

// Opcodes of gopher-lua, and its RK operand's constant bit (opcode.go).
const (
	opMove       = lua.OP_MOVE
	opGetUpval   = lua.OP_GETUPVAL
	opGetGlobal  = lua.OP_GETGLOBAL
	opGetTable   = lua.OP_GETTABLE
	opGetTableKS = lua.OP_GETTABLEKS
	opSelf       = lua.OP_SELF
	opCall       = lua.OP_CALL
	opTailCall   = lua.OP_TAILCALL
	opBitRK      = 1 << 8
)

// callErrorText returns Lua 5.1's text for a call of a non-function at
// the current instruction of the frame dbg, or "" when it cannot tell.
func callErrorText(L *lua.LState, dbg *lua.Debug) (text string) {
	defer func() {
		if recover() != nil { // gopher-lua's internals changed
			text = ""
		}
	}()
	fv, err := L.GetInfo("f", dbg, lua.LNil)
	if err != nil {
		return ""
	}
	fn, ok := fv.(*lua.LFunction)
	if !ok || fn.IsG || fn.Proto == nil {
		return ""
	}
	frame := reflect.ValueOf(dbg).Elem().FieldByName("frame")
	if frame.IsNil() {
		return ""
	}
	pc := int(frame.Elem().FieldByName("Pc").Int()) - 1
	lbase := int(frame.Elem().FieldByName("LocalBase").Int())
	p := fn.Proto
	if pc < 0 || pc >= len(p.Code) {
		return ""
	}
	inst := p.Code[pc]
	if op := int(inst >> 26); op != opCall && op != opTailCall {
		return ""
	}
	a := int(inst>>18) & 0xff
	typ := registerType(L, lbase+a)
	if kind, name := objName(p, pc, a); kind != "" {
		return fmt.Sprintf("attempt to call %s '%s' (a %s value)", kind, name, typ)
	}
	return fmt.Sprintf("attempt to call a %s value", typ)
}

// registerType is the Lua type name of the value in register i.
func registerType(L *lua.LState, i int) string {
	arr := reflect.ValueOf(L).Elem().FieldByName("reg").Elem().FieldByName("array")
	if i < 0 || i >= arr.Len() || arr.Index(i).IsNil() {
		return "nil"
	}
	switch arr.Index(i).Elem().Type().String() {
	case "*lua.LNilType":
		return "nil"
	case "lua.LBool":
		return "boolean"
	case "lua.LNumber":
		return "number"
	case "lua.LString":
		return "string"
	case "*lua.LTable":
		return "table"
	case "*lua.LUserData":
		return "userdata"
	case "*lua.LState":
		return "thread"
	}
	return "userdata"
}

// objName is getobjname: what register reg held at pc — a local, or what
// the last instruction before pc that set it loaded.
func objName(p *lua.FunctionProto, pc, reg int) (kind, name string) {
	if n := localName(p, reg, pc); n != "" {
		return "local", n
	}
	for i := pc - 1; i >= 0; i-- {
		inst := p.Code[i]
		op, a := int(inst>>26), int(inst>>18)&0xff
		b, c := int(inst&0x1ff), int(inst>>9)&0x1ff
		bx := int(inst & 0x3ffff)
		if op == opSelf && (a == reg || a+1 == reg) {
			if a == reg {
				return "method", constName(p, c)
			}
			return "", ""
		}
		if a != reg {
			continue
		}
		switch op {
		case opGetGlobal:
			return "global", constName(p, bx|opBitRK)
		case opGetTable, opGetTableKS:
			return "field", constName(p, c)
		case opGetUpval:
			if b < len(p.DbgUpvalues) {
				return "upvalue", p.DbgUpvalues[b]
			}
			return "upvalue", "?"
		case opMove:
			if b < a {
				return objName(p, i, b)
			}
		}
		return "", ""
	}
	return "", ""
}

// constName is kname: the constant string an RK operand names, or "?".
func constName(p *lua.FunctionProto, rk int) string {
	if rk&opBitRK == 0 {
		return "?"
	}
	k := rk &^ opBitRK
	if k < len(p.Constants) {
		if s, ok := p.Constants[k].(lua.LString); ok {
			return string(s)
		}
	}
	return "?"
}

// localName is luaF_getlocalname: the name of the reg'th local active at
// pc, if reg is a named local.
func localName(p *lua.FunctionProto, reg, pc int) string {
	n := reg
	for _, l := range p.DbgLocals {
		if l.StartPc > pc {
			break
		}
		if pc < l.EndPc {
			if n == 0 {
				if strings.HasPrefix(l.Name, "(") { // (for index) and such
					return ""
				}
				return l.Name
			}
			n--
		}
	}
	return ""
}
