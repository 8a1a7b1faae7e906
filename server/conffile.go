package server

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// ParseArgs applies a daemon's arguments to cfg, as redis-server takes
// them: an optional config file first (redis.conf syntax), then
// "--name value…" options, which override the file.
func ParseArgs(cfg *Config, args []string) error {
	cfg.setDefaults()
	if len(args) > 0 && !strings.HasPrefix(args[0], "--") {
		data, err := os.ReadFile(args[0])
		if err != nil {
			return err
		}
		cfg.ConfigFile = args[0]
		if err := cfg.applyText(string(data), args[0]); err != nil {
			return err
		}
		args = args[1:]
	}
	var lines []string
	for _, a := range args {
		if strings.HasPrefix(a, "--") {
			lines = append(lines, strings.TrimPrefix(a, "--"))
			continue
		}
		if len(lines) == 0 {
			return fmt.Errorf("unexpected argument %q: options look like --port 6380", a)
		}
		lines[len(lines)-1] += " " + quoteArg(a)
	}
	return cfg.applyText(strings.Join(lines, "\n"), "command line")
}

// applyText applies redis.conf-syntax directives, one per line.
func (cfg *Config) applyText(text, source string) error {
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		words, err := splitArgs(line)
		if err != nil {
			return fmt.Errorf("%s line %d: %v", source, i+1, err)
		}
		if len(words) == 0 {
			continue
		}
		if _, ok := lookupDirective(words[0]); !ok {
			return fmt.Errorf("%s line %d: unknown directive '%s'", source, i+1, words[0])
		}
		if err := cfg.Set(words[0], strings.Join(words[1:], " ")); err != nil {
			return fmt.Errorf("%s line %d: bad value for '%s': %v", source, i+1, words[0], err)
		}
	}
	return nil
}

// quoteArg quotes a command-line value that holds spaces, so splitArgs
// reads it back as one word.
func quoteArg(a string) string {
	if a == "" || strings.ContainsAny(a, " \t\"'") {
		return strconv.Quote(a)
	}
	return a
}

// splitArgs splits a config line into words with Redis's sdssplitargs
// rules: "double quotes" with \n \r \t \b \a \\ \" \xHH escapes,
// 'single quotes' with \' only, and a closing quote must be followed by
// a space or the end of the line.
func splitArgs(line string) ([]string, error) {
	var words []string
	i := 0
	for {
		for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
			i++
		}
		if i >= len(line) {
			return words, nil
		}
		var w strings.Builder
		switch line[i] {
		case '"':
			i++
			for {
				if i >= len(line) {
					return nil, fmt.Errorf("unbalanced quotes")
				}
				c := line[i]
				if c == '\\' && i+3 < len(line) && line[i+1] == 'x' && isHex(line[i+2]) && isHex(line[i+3]) {
					v, _ := strconv.ParseUint(line[i+2:i+4], 16, 8)
					w.WriteByte(byte(v))
					i += 4
					continue
				}
				if c == '\\' && i+1 < len(line) {
					w.WriteByte(unescape(line[i+1]))
					i += 2
					continue
				}
				if c == '"' {
					i++
					break
				}
				w.WriteByte(c)
				i++
			}
		case '\'':
			i++
			for {
				if i >= len(line) {
					return nil, fmt.Errorf("unbalanced quotes")
				}
				c := line[i]
				if c == '\\' && i+1 < len(line) && line[i+1] == '\'' {
					w.WriteByte('\'')
					i += 2
					continue
				}
				if c == '\'' {
					i++
					break
				}
				w.WriteByte(c)
				i++
			}
		default:
			for i < len(line) && line[i] != ' ' && line[i] != '\t' {
				w.WriteByte(line[i])
				i++
			}
			words = append(words, w.String())
			continue
		}
		if i < len(line) && line[i] != ' ' && line[i] != '\t' {
			return nil, fmt.Errorf("closing quote must be followed by a space")
		}
		words = append(words, w.String())
	}
}

func isHex(c byte) bool {
	return ('0' <= c && c <= '9') || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F')
}

func unescape(c byte) byte {
	switch c {
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	case 't':
		return '\t'
	case 'b':
		return '\b'
	case 'a':
		return '\a'
	}
	return c
}
