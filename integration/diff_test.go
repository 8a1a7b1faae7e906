package integration

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/cairn-db/cairn/server/servertest"
)

// TestDifferential runs every script in testdata/diff against a real
// redis-server and against Cairn and compares the replies byte for byte.
//
// A script is one command per line, in redis-cli syntax. A line may start
// with directives:
//
//	!sort    the reply is an array whose order is unspecified: compare sorted
//	!skip    send to both, do not compare (a value that legitimately differs)
//	!conn N  send on connection N (each script starts on connection 0)
//	!approx N  integers in the reply may differ by up to N (TTLs, idle times)
//
// Lines starting with # are comments. Each script starts with FLUSHALL.
func TestDifferential(t *testing.T) {
	redis := requireRedis(t)
	cairn := servertest.Start(t)
	files, err := filepath.Glob("testdata/diff/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scripts: %v", err)
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".txt"), func(t *testing.T) {
			runScript(t, f, redis.addr, cairn.Addr())
		})
	}
}

// scriptLine is one command of a script, with its directives.
type scriptLine struct {
	num        int
	args       []string
	sort, skip bool
	conn       int
	approx     int64
}

func runScript(t *testing.T, path, redisAddr, cairnAddr string) {
	lines := parseScript(t, path)
	conns := map[int][2]*servertest.Conn{}
	get := func(n int) [2]*servertest.Conn {
		if c, ok := conns[n]; ok {
			return c
		}
		c := [2]*servertest.Conn{servertest.Dial(t, redisAddr), servertest.Dial(t, cairnAddr)}
		conns[n] = c
		return c
	}
	for _, c := range get(0) {
		c.Do("FLUSHALL")
	}
	for _, l := range lines {
		c := get(l.conn)
		want := c[0].Do(l.args...)
		got := c[1].Do(l.args...)
		if l.skip {
			continue
		}
		if l.sort {
			want, got = sortedReply(want), sortedReply(got)
		}
		if l.approx > 0 && closeInts(want, got, l.approx) {
			continue
		}
		if want != got {
			t.Errorf("%s:%d: %s\n redis: %q\n cairn: %q", filepath.Base(path), l.num, strings.Join(l.args, " "), want, got)
		}
	}
}

func parseScript(t *testing.T, path string) []scriptLine {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []scriptLine
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || text[0] == '#' {
			continue
		}
		words, err := splitWords(text)
		if err != nil {
			t.Fatalf("%s:%d: %v", path, n, err)
		}
		l := scriptLine{num: n}
		for len(words) > 0 && strings.HasPrefix(words[0], "!") {
			switch words[0] {
			case "!sort":
				l.sort = true
			case "!skip":
				l.skip = true
			case "!conn":
				l.conn, _ = strconv.Atoi(words[1])
				words = words[1:]
			case "!approx":
				l.approx, _ = strconv.ParseInt(words[1], 10, 64)
				words = words[1:]
			default:
				t.Fatalf("%s:%d: unknown directive %s", path, n, words[0])
			}
			words = words[1:]
		}
		l.args = words
		out = append(out, l)
	}
	return out
}

// closeInts reports whether two replies are the same except for integers
// (at any depth) that differ by at most n: remaining TTLs, idle times.
func closeInts(a, b string, n int64) bool {
	la, lb := strings.Split(a, "\r\n"), strings.Split(b, "\r\n")
	if len(la) != len(lb) {
		return false
	}
	for i := range la {
		if la[i] == lb[i] {
			continue
		}
		if !strings.HasPrefix(la[i], ":") || !strings.HasPrefix(lb[i], ":") {
			return false
		}
		x, err1 := strconv.ParseInt(la[i][1:], 10, 64)
		y, err2 := strconv.ParseInt(lb[i][1:], 10, 64)
		if d := x - y; err1 != nil || err2 != nil || d > n || d < -n {
			return false
		}
	}
	return true
}

// splitWords splits a line like redis-cli: spaces separate words, "double
// quotes" allow spaces and \n \r \t \\ \" \xHH escapes.
func splitWords(s string) ([]string, error) {
	var out []string
	for i := 0; i < len(s); {
		for i < len(s) && s[i] == ' ' {
			i++
		}
		if i >= len(s) {
			break
		}
		var w strings.Builder
		if s[i] == '"' {
			i++
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) {
					i++
					switch s[i] {
					case 'n':
						w.WriteByte('\n')
					case 'r':
						w.WriteByte('\r')
					case 't':
						w.WriteByte('\t')
					case 'x':
						v, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
						if err != nil {
							return nil, err
						}
						w.WriteByte(byte(v))
						i += 2
					default:
						w.WriteByte(s[i])
					}
					continue
				}
				w.WriteByte(s[i])
			}
			if i >= len(s) {
				return nil, fmt.Errorf("unbalanced quotes")
			}
			i++
		} else {
			for ; i < len(s) && s[i] != ' '; i++ {
				w.WriteByte(s[i])
			}
		}
		out = append(out, w.String())
	}
	return out, nil
}

// sortedReply sorts the elements of every array in a reply, at any depth,
// for replies whose order Redis does not define (KEYS, SCAN, SMEMBERS…).
func sortedReply(raw string) string {
	out, rest, ok := sortReply(raw)
	if !ok || rest != "" {
		return raw
	}
	return out
}

// sortReply parses one reply from the front of raw and returns it with
// its arrays sorted, and what follows it.
func sortReply(raw string) (out, rest string, ok bool) {
	i := strings.Index(raw, "\r\n")
	if i < 1 {
		return "", "", false
	}
	head, rest := raw[:i+2], raw[i+2:]
	n, _ := strconv.Atoi(head[1:i])
	switch head[0] {
	case '*', '~':
		items := make([]string, 0, max(n, 0))
		for j := 0; j < n; j++ {
			var item string
			if item, rest, ok = sortReply(rest); !ok {
				return "", "", false
			}
			items = append(items, item)
		}
		sort.Strings(items)
		return head + strings.Join(items, ""), rest, true
	case '$':
		if n < 0 {
			return head, rest, true
		}
		if len(rest) < n+2 {
			return "", "", false
		}
		return head + rest[:n+2], rest[n+2:], true
	}
	return head, rest, true
}
