package integration

import (
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/cairn-db/cairn/server"
	"github.com/cairn-db/cairn/server/commandmeta"
	"github.com/cairn-db/cairn/server/servertest"
)

// TestCommandDocsAndInfoMatchRedis compares the whole COMMAND DOCS and
// COMMAND INFO replies of every command and subcommand Cairn shares with
// redis-server, in RESP2 and RESP3: documentation, tips and key specs
// come from server/commandmeta, so a reply that differs means the data
// or its writer is wrong. A container's subcommands are compared as the
// ones Cairn has, in name order (Redis lists them in hash order).
//
// It also fails for any Cairn command without an entry in commandmeta:
// after adding a command, run `go run ./cmd/cairn-commandmeta`.
func TestCommandDocsAndInfoMatchRedis(t *testing.T) {
	names := server.CommandNames()
	ours := map[string]bool{}
	for _, n := range names {
		ours[n] = true
		if commandmeta.Lookup(n) == nil {
			t.Errorf("%s has no documentation: run go run ./cmd/cairn-commandmeta", n)
		}
	}
	r := requireRedis(t)
	srv := servertest.Start(t)
	for _, proto := range []string{"2", "3"} {
		t.Run("resp"+proto, func(t *testing.T) {
			theirs, cairn := servertest.Dial(t, r.addr), servertest.Dial(t, srv.Addr())
			if proto == "3" {
				theirs.Do("HELLO", "3")
				cairn.Do("HELLO", "3")
			}
			shared := map[string]bool{}
			for _, n := range strings.Split(strings.TrimSpace(theirs.Do("EVAL",
				"return table.concat(redis.call('COMMAND', 'LIST'), ' ')", "0")), " ") {
				shared[n] = ours[n]
			}
			compared := 0
			for _, n := range names {
				if !shared[n] {
					continue // Cairn's own: nothing to compare with
				}
				compared++
				for _, sub := range []string{"DOCS", "INFO"} {
					want := normalizeMeta(t, theirs.Do("COMMAND", sub, n), sub, shared)
					got := normalizeMeta(t, cairn.Do("COMMAND", sub, n), sub, shared)
					if sub == "INFO" && infoFlagExceptions[n] {
						want, got = withoutFlags(want), withoutFlags(got)
					}
					if want != got {
						t.Errorf("COMMAND %s %s:\n redis: %q\n cairn: %q", sub, n, want, got)
					}
				}
			}
			if compared < 250 {
				t.Fatalf("only %d commands compared", compared)
			}
		})
	}
}

// infoFlagExceptions are TestCommandFlagsMatchRedis's known differences.
var infoFlagExceptions = map[string]bool{"client": true, "object": true}

// normalizeMeta keeps, of a COMMAND DOCS or COMMAND INFO reply about one
// command, the subcommands in keep, sorted by name.
func normalizeMeta(t *testing.T, raw, sub string, keep map[string]bool) string {
	t.Helper()
	r, rest, ok := parseReply(raw)
	if !ok || rest != "" || len(r.items) == 0 {
		return raw
	}
	switch sub {
	case "DOCS": // {name: {…, "subcommands": {name: {…}}}}
		doc := &r.items[1]
		for i := 0; i+1 < len(doc.items); i += 2 {
			if doc.items[i].body == "subcommands\r\n" {
				doc.items[i+1] = keepPairs(doc.items[i+1], keep)
			}
		}
	case "INFO": // [[name, …, [subcommand info…]]]
		if info := &r.items[0]; len(info.items) == 10 {
			info.items[9] = keepInfos(info.items[9], keep)
		}
	}
	return r.String()
}

// keepPairs filters and sorts a map (a flat array in RESP2) by key.
func keepPairs(m reply, keep map[string]bool) reply {
	var pairs [][2]reply
	for i := 0; i+1 < len(m.items); i += 2 {
		if keep[bulkText(m.items[i])] {
			pairs = append(pairs, [2]reply{m.items[i], m.items[i+1]})
		}
	}
	sort.Slice(pairs, func(i, j int) bool { return bulkText(pairs[i][0]) < bulkText(pairs[j][0]) })
	m.items = m.items[:0]
	for _, p := range pairs {
		m.items = append(m.items, p[0], p[1])
	}
	n := len(m.items)
	if m.head[0] == '%' {
		n /= 2
	}
	m.head = m.head[:1] + strconv.Itoa(n) + "\r\n"
	return m
}

// keepInfos filters and sorts an array of command infos by name.
func keepInfos(a reply, keep map[string]bool) reply {
	var items []reply
	for _, it := range a.items {
		if len(it.items) > 0 && keep[bulkText(it.items[0])] {
			items = append(items, it)
		}
	}
	sort.Slice(items, func(i, j int) bool { return bulkText(items[i].items[0]) < bulkText(items[j].items[0]) })
	a.items = items
	a.head = a.head[:1] + strconv.Itoa(len(items)) + "\r\n"
	return a
}

// withoutFlags drops the flags of a COMMAND INFO reply's command.
func withoutFlags(raw string) string {
	r, _, ok := parseReply(raw)
	if !ok || len(r.items) == 0 || len(r.items[0].items) < 3 {
		return raw
	}
	r.items[0].items[2] = reply{head: "*0\r\n"}
	return r.String()
}

func bulkText(r reply) string { return strings.TrimSuffix(r.body, "\r\n") }
