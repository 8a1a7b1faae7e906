package integration

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cairn-db/cairn/server/servertest"
)

// TestDifferential runs every script in testdata/diff against a real
// redis-server and against Cairn and compares the replies byte for byte,
// once with RESP2 connections and once with RESP3 ones (every connection
// of the resp3 run starts with HELLO 3), so a reply whose RESP3 type
// differs from Redis's fails as surely as a wrong value.
//
// A script is one command per line, in redis-cli syntax. A line may start
// with directives:
//
//	!sort    the reply is an array, set or map whose order is unspecified:
//	         compare sorted (a map's pairs stay together)
//	!skip    send to both, do not compare (a value that legitimately differs)
//	!shape   compare only the reply's types and aggregate sizes, not its
//	         scalars (INFO text, CLIENT LIST fields, ids)
//	!conn N  send on connection N (each script starts on connection 0)
//	!approx N  integers in the reply may differ by up to N (TTLs, idle times)
//	!replies N the command gets N replies (SUBSCRIBE a b c); compare them all
//	!read    send nothing, read the next reply (a published message)
//	!sleep MS  wait (a line of its own), e.g. for a TTL to pass
//	!resp2, !resp3  run the line only in that protocol's run
//
// Lines starting with # are comments, except a first line "#!resp2" or
// "#!resp3", which runs the whole script in that protocol only. Each
// script runs against its own fresh redis-server and Cairn.
func TestDifferential(t *testing.T) {
	requireRedis(t)
	files, err := filepath.Glob("testdata/diff/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scripts: %v", err)
	}
	for _, proto := range []int{2, 3} {
		t.Run("resp"+strconv.Itoa(proto), func(t *testing.T) {
			for _, f := range files {
				t.Run(strings.TrimSuffix(filepath.Base(f), ".txt"), func(t *testing.T) {
					// Fresh servers per script: a subscriber or blocked
					// client of the previous script may not be gone yet
					// (its close races the next script's PUBSUB NUMPAT,
					// CLIENT LIST …), nor its CONFIG SET if it failed.
					runScript(t, f, proto, ownRedis(t).addr, servertest.Start(t).Addr())
				})
			}
		})
	}
}

// scriptLine is one command of a script, with its directives.
type scriptLine struct {
	num               int
	args              []string
	sort, skip, shape bool
	conn              int
	approx            int64
	replies           int
	read              bool
	sleep             time.Duration
	proto             int // 0: both protocols
}

func runScript(t *testing.T, path string, proto int, redisAddr, cairnAddr string) {
	only, lines := parseScript(t, path)
	if only != 0 && only != proto {
		t.Skipf("script runs in RESP%d only", only)
	}
	conns := map[int][2]*servertest.Conn{}
	get := func(n int) [2]*servertest.Conn {
		if c, ok := conns[n]; ok {
			return c
		}
		c := [2]*servertest.Conn{servertest.Dial(t, redisAddr), servertest.Dial(t, cairnAddr)}
		if proto == 3 {
			for _, conn := range c {
				if r := conn.Do("HELLO", "3"); !strings.HasPrefix(r, "%7\r\n") {
					t.Fatalf("HELLO 3: %q", r)
				}
			}
		}
		conns[n] = c
		return c
	}
	for _, c := range get(0) {
		c.Do("FLUSHALL")
	}
	for _, l := range lines {
		if l.proto != 0 && l.proto != proto {
			continue
		}
		if l.sleep > 0 {
			time.Sleep(l.sleep)
			continue
		}
		c := get(l.conn)
		var want, got string
		if !l.read {
			c[0].Send(l.args...)
			c[1].Send(l.args...)
		}
		for i := 0; i < max(l.replies, 1); i++ {
			want += c[0].Read()
			got += c[1].Read()
		}
		if l.skip {
			continue
		}
		if l.sort {
			want, got = sortedReply(want), sortedReply(got)
		}
		if l.shape {
			want, got = replyShape(want), replyShape(got)
		}
		if l.approx > 0 && closeInts(want, got, l.approx) {
			continue
		}
		if want != got {
			t.Errorf("%s:%d: %s\n redis: %q\n cairn: %q", filepath.Base(path), l.num, strings.Join(l.args, " "), want, got)
		}
	}
}

// parseScript reads a script; only is the protocol a "#!respN" first
// line restricts it to (0 for both).
func parseScript(t *testing.T, path string) (only int, out []scriptLine) {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		text := strings.TrimSpace(sc.Text())
		if n == 1 && (text == "#!resp2" || text == "#!resp3") {
			only = int(text[6] - '0')
			continue
		}
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
			case "!shape":
				l.shape = true
			case "!resp2":
				l.proto = 2
			case "!resp3":
				l.proto = 3
			case "!conn":
				l.conn, _ = strconv.Atoi(words[1])
				words = words[1:]
			case "!replies":
				l.replies, _ = strconv.Atoi(words[1])
				words = words[1:]
			case "!sleep":
				ms, _ := strconv.Atoi(words[1])
				l.sleep = time.Duration(ms) * time.Millisecond
				words = words[1:]
			case "!read":
				l.read = true
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
	return only, out
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
