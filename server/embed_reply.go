package server

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strconv"
)

// errBadReply means a Session's reply bytes did not parse: a bug.
var errBadReply = errors.New("server: malformed reply")

// decodeReply decodes the one reply of a Session's command, skipping the
// pushes (invalidations) that may precede it. See Session.Do for the Go
// types.
func decodeReply(b []byte) (any, error) {
	for {
		v, rest, err := parseReply(b)
		if err != nil {
			return nil, err
		}
		if len(b) > 0 && b[0] == '>' && len(rest) > 0 {
			b = rest // a push ahead of the reply
			continue
		}
		if e, ok := v.(ReplyError); ok {
			return nil, e
		}
		return v, nil
	}
}

// parseReply parses one RESP2 or RESP3 value from b and returns the rest.
func parseReply(b []byte) (any, []byte, error) {
	i := bytes.Index(b, []byte("\r\n"))
	if len(b) < 1 || i < 0 {
		return nil, nil, errBadReply
	}
	kind, line, rest := b[0], string(b[1:i]), b[i+2:]
	switch kind {
	case '+':
		return line, rest, nil
	case '-':
		return ReplyError(line), rest, nil
	case ':':
		n, err := strconv.ParseInt(line, 10, 64)
		return n, rest, err
	case ',':
		return parseDouble(line), rest, nil
	case '(':
		return line, rest, nil
	case '#':
		return line == "t", rest, nil
	case '_':
		return nil, rest, nil
	case '$', '=', '!':
		n, err := strconv.Atoi(line)
		if err != nil {
			return nil, nil, errBadReply
		}
		if n < 0 {
			return nil, rest, nil
		}
		if len(rest) < n+2 {
			return nil, nil, errBadReply
		}
		s := string(rest[:n])
		switch kind {
		case '=':
			if len(s) >= 4 && s[3] == ':' {
				s = s[4:] // the format, "txt:"
			}
		case '!':
			return ReplyError(s), rest[n+2:], nil
		}
		return s, rest[n+2:], nil
	case '*', '~', '>', '%', '|':
		n, err := strconv.Atoi(line)
		if err != nil {
			return nil, nil, errBadReply
		}
		if n < 0 {
			return nil, rest, nil
		}
		if kind == '%' || kind == '|' {
			m := make(map[string]any, n)
			for range n {
				var k, v any
				if k, rest, err = parseReply(rest); err != nil {
					return nil, nil, err
				}
				if v, rest, err = parseReply(rest); err != nil {
					return nil, nil, err
				}
				m[fmt.Sprint(k)] = v
			}
			if kind == '|' { // attributes annotate the value that follows
				return parseReply(rest)
			}
			return m, rest, nil
		}
		a := make([]any, n)
		for j := range a {
			if a[j], rest, err = parseReply(rest); err != nil {
				return nil, nil, err
			}
		}
		return a, rest, nil
	}
	return nil, nil, errBadReply
}

func parseDouble(s string) float64 {
	switch s {
	case "inf":
		return math.Inf(1)
	case "-inf":
		return math.Inf(-1)
	case "nan":
		return math.NaN()
	}
	f, _ := strconv.ParseFloat(s, 64)
	return f
}
