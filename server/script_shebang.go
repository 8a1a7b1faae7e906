package server

import (
	"bytes"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/cairn-db/cairn/protocol"
)

// evalScript is a compiled EVAL script. A script that starts with a
// shebang line ("#!lua flags=no-writes,allow-oom") declares its flags as a
// function does, and Redis 7 applies them: a no-writes script may not
// write and runs over maxmemory; any other is refused over maxmemory
// unless allow-oom, and by EVAL_RO. A script without one keeps Redis 6's
// behaviour (compat mode): its commands are judged one by one.
type evalScript struct {
	proto   *lua.FunctionProto
	flags   fnFlags
	shebang bool
}

// readOnly reports whether the script runs with writes refused.
func (e *evalScript) readOnly() bool { return e.shebang && e.flags&fnNoWrites != 0 }

// compileEval parses body's shebang, if any, and compiles the rest. The
// shebang's line feed stays, so error messages keep the user's line
// numbers.
func compileEval(body []byte) (*evalScript, error) {
	flags, shebang, err := shebangFlags(body)
	if err != nil {
		return nil, err
	}
	if shebang {
		body = body[bytes.IndexByte(body, '\n'):]
	}
	proto, err := compileScript(body)
	if err != nil {
		return nil, err
	}
	return &evalScript{proto: proto, flags: flags, shebang: shebang}, nil
}

// shebangFlags reads the flags of body's shebang line, if it has one.
func shebangFlags(body []byte) (flags fnFlags, shebang bool, err error) {
	if !bytes.HasPrefix(body, []byte("#!")) {
		return 0, false, nil
	}
	nl := bytes.IndexByte(body, '\n')
	if nl < 0 {
		return 0, false, protocol.Error("ERR Invalid script shebang")
	}
	flags, err = parseShebang(string(body[:nl]))
	return flags, err == nil, err
}

// parseShebang reads a shebang line as Redis's evalExtractShebangFlags:
// the engine must be lua, and the only option is flags=, a comma-separated
// list of the flags functions declare.
func parseShebang(line string) (fnFlags, error) {
	parts, ok := splitMetaArgs(line)
	if !ok || len(parts) == 0 {
		return 0, protocol.Error("ERR Invalid engine in script shebang")
	}
	if parts[0] != "#!lua" {
		return 0, protocol.Error("ERR Unexpected engine in script shebang: " + parts[0])
	}
	var flags fnFlags
	for _, p := range parts[1:] {
		list, ok := strings.CutPrefix(p, "flags=")
		if !ok {
			return 0, protocol.Error("ERR Unknown lua shebang option: " + p)
		}
		if list == "" {
			continue // "flags=" declares none; sdssplitlen yields no parts
		}
		for _, name := range strings.Split(list, ",") {
			f, ok := fnFlagNamed(name, false)
			if !ok {
				return 0, protocol.Error("ERR Unexpected flag in script shebang: " + name)
			}
			flags |= f
		}
	}
	return flags, nil
}

// fnFlagNamed finds a script flag by name: exactly, as a shebang names
// it (Redis's strcmp), or ignoring case (fold), as redis.register_function
// reads its flags.
func fnFlagNamed(name string, fold bool) (fnFlags, bool) {
	for _, fl := range fnFlagNames {
		if fl.name == name || fold && strings.EqualFold(fl.name, name) {
			return fl.f, true
		}
	}
	return 0, false
}
