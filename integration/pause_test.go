package integration

import (
	"bufio"
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cairn-db/cairn/server/servertest"
)

// heldFor is how long a command must go unanswered to count as held by
// CLIENT PAUSE; an answered command replies in microseconds.
const heldFor = 300 * time.Millisecond

// pauseProbe sends one command line on its own connection and reports
// whether it was held (no reply within heldFor); the reply, once it
// comes, is read by wait.
type pauseProbe struct {
	conn net.Conn
	rd   *bufio.Reader
}

func probe(t *testing.T, addr string, cmds ...string) (*pauseProbe, bool) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	p := &pauseProbe{conn: conn, rd: bufio.NewReader(conn)}
	for _, c := range cmds {
		if _, err := conn.Write([]byte(respLine(c) + "\r\n")); err != nil {
			t.Fatal(err)
		}
	}
	conn.SetReadDeadline(time.Now().Add(heldFor))
	_, err = p.rd.Peek(1)
	conn.SetReadDeadline(time.Time{})
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		return p, true
	}
	if err != nil {
		t.Fatal(err)
	}
	return p, false
}

// line reads one reply line.
func (p *pauseProbe) line(t *testing.T) string {
	t.Helper()
	p.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	s, err := p.rd.ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimRight(s, "\r\n")
}

// TestClientPauseMatchesRedis runs the same CLIENT PAUSE scenarios against
// redis-server and Cairn: which commands a pause holds, and what they
// answer once it ends.
func TestClientPauseMatchesRedis(t *testing.T) {
	r := requireRedis(t)
	servers := map[string]string{"redis": r.addr, "cairn": servertest.Start(t).Addr()}
	for name, addr := range servers {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			rdb := redis.NewClient(&redis.Options{Addr: addr, Protocol: 2})
			defer rdb.Close()
			defer rdb.Do(ctx, "client", "unpause")
			if err := rdb.Do(ctx, "function", "load", "replace",
				"#!lua name=pauselib\nredis.register_function{function_name='ro', callback=function() return 'ro' end, flags={'no-writes'}}\nredis.register_function('rw', function() return 'rw' end)").Err(); err != nil {
				t.Fatal(err)
			}
			rdb.Set(ctx, "k", "v", 0)
			rdb.PFAdd(ctx, "hll", "a")

			// Under WRITE: what is held and what runs.
			cases := []struct {
				cmd  string
				held bool
			}{
				{"GET k", false}, {"PING", false}, {"EVAL_RO \"return 1\" 0", false},
				{"EVAL \"#!lua flags=no-writes\nreturn 1\" 0", false}, {"FCALL ro 0", false},
				{"FCALL_RO ro 0", false}, {"SUBSCRIBE ch", false}, {"SET k w", true},
				{"DEL k", true}, {"EXPIRE k 100", true}, {"PFCOUNT hll", true},
				{"PUBLISH ch m", true}, {"SPUBLISH ch m", true}, {"SSUBSCRIBE sch", false},
				{"EVAL \"return 1\" 0", true},
				{"EVAL \"#!lua\nreturn 1\" 0", true}, {"FCALL rw 0", true},
				{"SET k", false}, // arity errors answer at once
			}
			for _, c := range cases {
				rdb.Do(ctx, "client", "pause", "100000", "write")
				_, held := probe(t, addr, c.cmd)
				if held != c.held {
					t.Errorf("under PAUSE WRITE %q held=%v, want %v", c.cmd, held, c.held)
				}
				rdb.Do(ctx, "client", "unpause")
			}

			// A held write runs when the pause ends, and its client's
			// earlier pipelined replies are not held with it.
			rdb.Set(ctx, "k", "before", 0)
			rdb.Do(ctx, "client", "pause", "100000", "write")
			p, held := probe(t, addr, "GET k", "SET k after", "GET k")
			if held {
				t.Error("the GET pipelined before a held SET was held too")
			}
			if got := p.line(t) + p.line(t); got != "$6before" {
				t.Errorf("GET before the held SET: %q", got)
			}
			if n, _ := rdb.Info(ctx, "clients").Result(); !strings.Contains(n, "blocked_clients:1\r\n") {
				l, _ := rdb.ClientList(ctx).Result()
				t.Errorf("blocked_clients while a write is held: %q\n%s", n, l)
			}
			rdb.Do(ctx, "client", "unpause")
			if got := p.line(t); got != "+OK" {
				t.Errorf("held SET answered %q", got)
			}
			p.line(t)
			if got := p.line(t); got != "after" {
				t.Errorf("GET after the held SET: %q", got)
			}

			// MULTI: a read-only transaction runs, one that writes waits
			// at EXEC (queued before the pause) or at the write itself.
			rdb.Do(ctx, "client", "pause", "100000", "write")
			if _, held := probe(t, addr, "MULTI", "GET k", "EXEC"); held {
				t.Error("read-only MULTI held under PAUSE WRITE")
			}
			rdb.Do(ctx, "client", "unpause")
			w, _ := probe(t, addr, "MULTI", "SET k tx")
			w.line(t)
			w.line(t)
			rdb.Do(ctx, "client", "pause", "100000", "write")
			w.conn.Write([]byte("EXEC\r\n"))
			time.Sleep(heldFor)
			if got, _ := rdb.Get(ctx, "k").Result(); got != "after" {
				t.Errorf("EXEC ran under PAUSE WRITE: k=%q", got)
			}
			rdb.Do(ctx, "client", "unpause")
			w.line(t)
			if got := w.line(t); got != "+OK" {
				t.Errorf("EXEC's SET answered %q", got)
			}

			// ALL holds every command, CLIENT UNPAUSE too, until it ends.
			start := time.Now()
			rdb.Do(ctx, "client", "pause", "400", "all")
			g, held := probe(t, addr, "GET k")
			if !held {
				t.Error("GET not held under PAUSE ALL")
			}
			if got := g.line(t); got != "$2" {
				t.Errorf("GET after PAUSE ALL: %q", got)
			}
			if waited := time.Since(start); waited < 400*time.Millisecond {
				t.Errorf("PAUSE ALL 400 ended after %v", waited)
			}
			rdb.Do(ctx, "client", "pause", "1000", "all")
			if _, held := probe(t, addr, "CLIENT UNPAUSE"); !held {
				t.Error("CLIENT UNPAUSE not held under PAUSE ALL")
			}
		})
	}
}

// respLine encodes a redis-cli style line (double-quoted arguments may
// hold newlines) as one RESP request, for commands whose arguments
// contain line feeds.
func respLine(line string) string {
	var args []string
	for len(line) > 0 {
		line = strings.TrimLeft(line, " ")
		if line == "" {
			break
		}
		if line[0] == '"' {
			end := strings.IndexByte(line[1:], '"') + 1
			args = append(args, line[1:end])
			line = line[end+1:]
			continue
		}
		word, rest, _ := strings.Cut(line, " ")
		args = append(args, word)
		line = rest
	}
	var b strings.Builder
	b.WriteString("*" + itoa(len(args)) + "\r\n")
	for _, a := range args {
		b.WriteString("$" + itoa(len(a)) + "\r\n" + a + "\r\n")
	}
	return strings.TrimSuffix(b.String(), "\r\n")
}
