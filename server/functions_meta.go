package server

import (
	"strconv"
	"strings"

	"github.com/cairn-db/cairn/protocol"
)

// libMeta is a library's metadata line: "#!<engine> name=<name>".
type libMeta struct {
	engine, name string
	body         string // the code after the metadata line, from its newline
}

// parseLibMeta reads the metadata line as Redis's
// functionExtractLibMetaData, then checks the name and engine.
func parseLibMeta(code string) (libMeta, error) {
	if !strings.HasPrefix(code, "#!") {
		return libMeta{}, protocol.Error("ERR Missing library metadata")
	}
	nl := strings.IndexByte(code, '\n')
	if nl < 0 {
		return libMeta{}, protocol.Error("ERR Invalid library metadata")
	}
	parts, ok := splitMetaArgs(code[:nl])
	if !ok || len(parts) == 0 {
		return libMeta{}, protocol.Error("ERR Invalid library metadata")
	}
	m := libMeta{engine: parts[0][min(2, len(parts[0])):], body: code[nl:]}
	named := false
	for _, p := range parts[1:] {
		if len(p) >= 5 && strings.EqualFold(p[:5], "name=") {
			if named {
				return libMeta{}, protocol.Error("ERR Invalid metadata value, name argument was given multiple times")
			}
			m.name, named = p[5:], true
			continue
		}
		return libMeta{}, protocol.Error("ERR Invalid metadata value given: " + p)
	}
	switch {
	case !named:
		return libMeta{}, protocol.Error("ERR Library name was not given")
	case !validFunctionName(m.name):
		return libMeta{}, protocol.Error("ERR " + errBadName)
	case !strings.EqualFold(m.engine, "lua"):
		return libMeta{}, protocol.Error("ERR Engine '" + m.engine + "' not found")
	}
	return m, nil
}

// validFunctionName: letters, digits and underscores, at least one.
func validFunctionName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// splitMetaArgs splits a library's metadata line as Redis's sdssplitargs
// does, which the config-file splitter (splitArgs) follows only in part:
// a quote may open in the middle of a word (name="lib"), and \r, \n, \v
// and \f separate words like spaces and tabs (a library sent with CRLF
// line ends). ok is false for unbalanced quotes, or a closing quote
// followed by something other than a space.
func splitMetaArgs(line string) (words []string, ok bool) {
	i := 0
	for {
		for i < len(line) && isSpace(line[i]) {
			i++
		}
		if i >= len(line) {
			return words, true
		}
		var w []byte
		inq, insq := false, false
		for done := false; !done; i++ {
			var c byte
			if i < len(line) {
				c = line[i]
			}
			end := i >= len(line)
			switch {
			case inq:
				switch {
				case end:
					return nil, false
				case c == '\\' && i+3 < len(line) && line[i+1] == 'x' && isHex(line[i+2]) && isHex(line[i+3]):
					v, _ := strconv.ParseUint(line[i+2:i+4], 16, 8)
					w = append(w, byte(v))
					i += 3
				case c == '\\' && i+1 < len(line):
					i++
					w = append(w, unescape(line[i]))
				case c == '"':
					if i+1 < len(line) && !isSpace(line[i+1]) {
						return nil, false
					}
					done = true
				default:
					w = append(w, c)
				}
			case insq:
				switch {
				case end:
					return nil, false
				case c == '\\' && i+1 < len(line) && line[i+1] == '\'':
					i++
					w = append(w, '\'')
				case c == '\'':
					if i+1 < len(line) && !isSpace(line[i+1]) {
						return nil, false
					}
					done = true
				default:
					w = append(w, c)
				}
			case end || isSpace(c):
				done = true
			case c == '"':
				inq = true
			case c == '\'':
				insq = true
			default:
				w = append(w, c)
			}
		}
		words = append(words, string(w))
	}
}

// isSpace is C's isspace.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}
