package server

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// ParseArgs applies a daemon's arguments to cfg, as redis-server takes
// them: an optional config file first (redis.conf syntax), then
// "--name value…" options, which override the file. A "-" as the first or
// last argument reads more config-file text from standard input, applied
// after the file and before the options.
func ParseArgs(cfg *Config, args []string) error {
	return parseArgs(cfg, args, os.Stdin)
}

func parseArgs(cfg *Config, args []string, stdin io.Reader) error {
	cfg.setDefaults()
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		data, err := os.ReadFile(args[0])
		if err != nil {
			return err
		}
		cfg.ConfigFile = args[0]
		if err := cfg.applyText(string(data)); err != nil {
			return err
		}
		args = args[1:]
	}
	fromStdin := false
	if n := len(args); n > 0 && args[0] == "-" {
		fromStdin, args = true, args[1:]
	} else if n > 0 && args[n-1] == "-" {
		fromStdin, args = true, args[:n-1]
	}
	if fromStdin {
		data, err := io.ReadAll(stdin)
		if err != nil {
			return err
		}
		if err := cfg.applyText(string(data)); err != nil {
			return err
		}
	}
	return cfg.applyText(commandLineOptions(args))
}

// commandLineOptions turns options into config-file lines as Redis's
// main does: "--name" starts a line once the line before has a value
// (else it is a value itself, so "--port --bla" sets port to "--bla");
// other arguments are values, quoted; "--name value" in one argument is
// a whole line; and a "--save" without a value means save "".
func commandLineOptions(args []string) string {
	var b strings.Builder
	valued := true // the current line has a value
	for j, a := range args {
		if !valued || !strings.HasPrefix(a, "--") {
			b.WriteString(reprString([]byte(a)) + " ")
			valued = true
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(a[2:] + " ")
		if words, _ := splitArgs(a); len(words) > 1 {
			continue // name and value in one argument
		}
		valued = false
		last := j == len(args)-1
		if strings.EqualFold(a, "--save") && (last || strings.HasPrefix(args[j+1], "--")) {
			b.WriteString(`""`)
			valued = true
		}
	}
	return b.String()
}

// multiArgDirectives take several words; the others exactly one, as in
// Redis (MULTI_ARG_CONFIG, and the file-only directives).
var multiArgDirectives = map[string]bool{
	"save": true, "bind": true, "client-output-buffer-limit": true, "oom-score-adj-values": true,
	"latency-tracking-info-percentiles": true, "replicaof": true, "slaveof": true,
	"shutdown-on-sigint": true, "shutdown-on-sigterm": true,
	"user": true, "rename-command": true, "metrics-queue-keys": true,
}

// applyText applies redis.conf-syntax directives, one per line. An error
// is reported as redis-server reports it, naming the line.
func (cfg *Config) applyText(text string) error {
	for i, line := range strings.Split(text, "\n") {
		line = strings.Trim(line, " \t\r")
		if line == "" || line[0] == '#' {
			continue
		}
		fail := func(why string) error {
			return fmt.Errorf("\n*** FATAL CONFIG FILE ERROR (Redis %s) ***\nReading the configuration file, at line %d\n>>> '%s'\n%s",
				Version, i+1, line, why)
		}
		words, err := splitArgs(line)
		if err != nil {
			return fail("Unbalanced quotes in configuration line")
		}
		if len(words) == 0 {
			continue
		}
		name := strings.ToLower(words[0])
		if _, ok := lookupDirective(name); !ok {
			return fail("Bad directive or wrong number of arguments")
		}
		if len(words) != 2 && !multiArgDirectives[name] {
			return fail("wrong number of arguments") // a multi-word one checks its own
		}
		value := strings.Join(words[1:], " ")
		if name == "save" {
			value = cfg.appendSavePoints(value)
		}
		if err := cfg.Set(name, value); err != nil {
			return fail(err.Error())
		}
	}
	return nil
}

// appendSavePoints is save's rule in configuration text: the first save
// line replaces the default save points, later ones add to them, and
// save "" clears them.
func (cfg *Config) appendSavePoints(value string) string {
	first := !cfg.saveLoaded
	cfg.saveLoaded = true
	if first || value == "" || cfg.tuning["save"] == "" {
		return value
	}
	return cfg.tuning["save"] + " " + value
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
