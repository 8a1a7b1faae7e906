package store

// Match reports whether s matches the glob pattern p, with Redis's rules
// (stringmatchlen): * any run, ? any byte, [abc] [^abc] [a-z] classes,
// \ escapes. It is a port of Redis's algorithm, including its early exit
// that keeps patterns like "a*a*a*a*b" from taking exponential time.
func Match(p, s string, nocase bool) bool {
	skip := false
	return match(p, s, nocase, &skip)
}

func match(p, s string, nocase bool, skipLonger *bool) bool {
	// at reads the pattern like C reads a NUL-terminated string.
	at := func(i int) byte {
		if i < len(p) {
			return p[i]
		}
		return 0
	}
	for len(p) > 0 && len(s) > 0 {
		switch p[0] {
		case '*':
			for len(p) > 1 && p[1] == '*' {
				p = p[1:]
			}
			if len(p) == 1 {
				return true
			}
			for len(s) > 0 {
				if match(p[1:], s, nocase, skipLonger) {
					return true
				}
				if *skipLonger {
					return false
				}
				s = s[1:]
			}
			*skipLonger = true
			return false
		case '?':
			s = s[1:]
		case '[':
			p = p[1:]
			not := at(0) == '^'
			if not {
				p = p[1:]
			}
			matched := false
			for {
				if at(0) == '\\' && len(p) >= 2 {
					p = p[1:]
					if p[0] == s[0] {
						matched = true
					}
				} else if at(0) == ']' {
					break
				} else if len(p) == 0 {
					// An unterminated class ends with the pattern; step back
					// so the shared advance below lands on the end.
					p = "\x00"
					break
				} else if len(p) >= 3 && p[1] == '-' {
					lo, hi, c := p[0], p[2], s[0]
					if lo > hi {
						lo, hi = hi, lo
					}
					if nocase {
						lo, hi, c = lower(lo), lower(hi), lower(c)
					}
					p = p[2:]
					if c >= lo && c <= hi {
						matched = true
					}
				} else if equalByte(p[0], s[0], nocase) {
					matched = true
				}
				p = p[1:]
			}
			if not {
				matched = !matched
			}
			if !matched {
				return false
			}
			s = s[1:]
		case '\\':
			if len(p) >= 2 {
				p = p[1:]
			}
			fallthrough
		default:
			if !equalByte(p[0], s[0], nocase) {
				return false
			}
			s = s[1:]
		}
		p = p[1:]
		if len(s) == 0 {
			for len(p) > 0 && p[0] == '*' {
				p = p[1:]
			}
			break
		}
	}
	return len(p) == 0 && len(s) == 0
}

func equalByte(a, b byte, nocase bool) bool {
	if nocase {
		return lower(a) == lower(b)
	}
	return a == b
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
