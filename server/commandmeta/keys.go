package commandmeta

import (
	"bytes"
	"math"
	"strconv"
)

// KeyRef is one key of a command line: its index in the arguments (the
// command name is 0) and how the command uses it, as key-spec flags.
type KeyRef struct {
	Pos   int
	Flags []string
}

// HasKeys reports whether a command may take keys, as Redis 7.0's
// doesCommandHaveKeys: it has a key finder of its own, or a key spec that
// is not marked not_key (SPUBLISH's channel is one).
func HasKeys(name string) bool {
	if keyProcs[name] != nil {
		return true
	}
	if e := Lookup(name); e != nil {
		for i := range e.KeySpecs {
			if !e.KeySpecs[i].HasFlag("not_key") {
				return true
			}
		}
	}
	return false
}

// Keys finds the keys of a command line (args[0] is the command, or the
// container of the subcommand args[1]) as Redis 7.0's
// getKeysFromCommandWithSpecs: with the command's key specs, unless one
// has variable flags (SET's GET) or they do not apply to these arguments
// (a numkeys that is not a count, an incomplete spec such as SORT's BY),
// in which case with the command's own key finder.
func Keys(name string, args [][]byte) []KeyRef {
	e := Lookup(name)
	if e != nil && usableSpecs(e) {
		if keys, ok := e.keysFromSpecs(args); ok {
			return keys
		}
	}
	if p := keyProcs[name]; p != nil {
		return p(args)
	}
	return nil
}

// usableSpecs: some spec finds real keys, and no spec's flags depend on
// the arguments.
func usableSpecs(e *Entry) bool {
	real := false
	for i := range e.KeySpecs {
		s := &e.KeySpecs[i]
		if s.HasFlag("variable_flags") {
			return false
		}
		real = real || !s.HasFlag("not_key")
	}
	return real
}

// keysFromSpecs interprets e's key specs over args as Redis 7.0's
// getKeysUsingKeySpecs; ok is false when a spec does not fit the
// arguments or is incomplete.
func (e *Entry) keysFromSpecs(args [][]byte) (keys []KeyRef, ok bool) {
	argc := len(args)
	for i := range e.KeySpecs {
		s := &e.KeySpecs[i]
		if s.HasFlag("not_key") {
			continue
		}
		first := 0
		switch s.BeginSearch.Type {
		case "index":
			first = s.BeginSearch.Index
		case "keyword":
			first = keywordStart(args, s.BeginSearch.Keyword, s.BeginSearch.StartFrom)
			if first == 0 {
				continue // keyword absent: the spec finds no key
			}
		default:
			return nil, false
		}
		var last, step int
		switch fk := s.FindKeys; fk.Type {
		case "range":
			step = fk.KeyStep
			switch {
			case fk.LastKey >= 0:
				last = first + fk.LastKey
			case fk.Limit == 0:
				last = argc + fk.LastKey
			default:
				last = first + (argc-first)/fk.Limit + fk.LastKey
			}
		case "keynum":
			step = fk.KeyStep
			if first+fk.KeyNumIdx >= argc {
				return nil, false
			}
			n, err := strconv.ParseInt(string(args[first+fk.KeyNumIdx]), 10, 64)
			if err != nil || n < 0 || !canonicalInt(args[first+fk.KeyNumIdx]) {
				return nil, false
			}
			first += fk.FirstKey
			last = first + int(n) - 1
		default:
			return nil, false
		}
		if last >= argc || last < first || first >= argc {
			return nil, false
		}
		for j := first; j <= last; j += max(step, 1) {
			keys = append(keys, KeyRef{Pos: j, Flags: s.Flags})
		}
		if s.HasFlag("incomplete") {
			return nil, false
		}
	}
	return keys, true
}

// keywordStart is the index after keyword, searched from startfrom
// forwards (startfrom > 0) or from argc+startfrom backwards, never at the
// last argument or the command name; 0 when it is absent.
func keywordStart(args [][]byte, keyword string, startfrom int) int {
	argc := len(args)
	start, end := startfrom, argc-1
	if startfrom <= 0 {
		start, end = argc+startfrom, 1
	}
	for i := start; i != end; {
		if i >= argc || i < 1 {
			break
		}
		if bytes.EqualFold(args[i], []byte(keyword)) {
			return i + 1
		}
		if start <= end {
			i++
		} else {
			i--
		}
	}
	return 0
}

// canonicalInt reports whether b is an integer as Redis's string2ll
// accepts it: no sign but a leading '-', no leading zeros, no spaces.
func canonicalInt(b []byte) bool {
	if len(b) == 0 || len(b) > 20 {
		return false
	}
	if len(b) == 1 && b[0] == '0' {
		return true
	}
	if b[0] == '-' {
		b = b[1:]
	}
	if len(b) == 0 || b[0] == '0' {
		return false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// atoi is C's atoi as glibc implements it (strtol, clamped on overflow,
// truncated to int): leading spaces, a sign, digits up to the first
// non-digit.
func atoi(b []byte) int {
	i := 0
	for i < len(b) && (b[i] == ' ' || (b[i] >= '\t' && b[i] <= '\r')) {
		i++
	}
	neg := false
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		neg = b[i] == '-'
		i++
	}
	const limit = uint64(1) << 63
	var n uint64
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		if n > limit/10 {
			n = limit + 1 // past the clamp, the rest does not matter
		} else {
			n = n*10 + uint64(b[i]-'0')
		}
	}
	var v int64
	switch {
	case neg && n >= limit:
		v = math.MinInt64
	case neg:
		v = -int64(n)
	case n >= limit:
		v = math.MaxInt64
	default:
		v = int64(n)
	}
	return int(int32(v))
}
