package integration

import (
	"sort"
	"strconv"
	"strings"
)

// reply is one parsed RESP2 or RESP3 reply, kept as its raw pieces so it
// can be written back byte for byte.
type reply struct {
	head  string  // the first line, with its type byte and CRLF
	body  string  // a bulk or verbatim string's payload and CRLF
	items []reply // an aggregate's elements (a map's keys and values in turn)
}

// parseReply parses one reply from the front of raw and returns what
// follows it.
func parseReply(raw string) (r reply, rest string, ok bool) {
	i := strings.Index(raw, "\r\n")
	if i < 1 {
		return r, "", false
	}
	r.head, rest = raw[:i+2], raw[i+2:]
	n, _ := strconv.Atoi(r.head[1:i])
	switch r.head[0] {
	case '*', '~', '>', '%', '|':
		if r.head[0] == '%' || r.head[0] == '|' {
			n *= 2
		}
		for j := 0; j < n; j++ {
			var item reply
			if item, rest, ok = parseReply(rest); !ok {
				return r, "", false
			}
			r.items = append(r.items, item)
		}
	case '$', '=', '!':
		if n < 0 {
			break
		}
		if len(rest) < n+2 {
			return r, "", false
		}
		r.body, rest = rest[:n+2], rest[n+2:]
	}
	return r, rest, true
}

func (r reply) String() string {
	var b strings.Builder
	r.write(&b)
	return b.String()
}

func (r reply) write(b *strings.Builder) {
	b.WriteString(r.head)
	b.WriteString(r.body)
	for _, it := range r.items {
		it.write(b)
	}
}

// sorted sorts the elements of every array and set, and the pairs of
// every map, at any depth.
func (r reply) sorted() reply {
	for i := range r.items {
		r.items[i] = r.items[i].sorted()
	}
	switch r.head[0] {
	case '*', '~':
		sort.Slice(r.items, func(i, j int) bool { return r.items[i].String() < r.items[j].String() })
	case '%':
		pairs := make([]string, 0, len(r.items)/2)
		byKey := map[string][2]reply{}
		for i := 0; i+1 < len(r.items); i += 2 {
			k := r.items[i].String() + r.items[i+1].String()
			pairs = append(pairs, k)
			byKey[k] = [2]reply{r.items[i], r.items[i+1]}
		}
		sort.Strings(pairs)
		for i, k := range pairs {
			r.items[2*i], r.items[2*i+1] = byKey[k][0], byKey[k][1]
		}
	}
	return r
}

// shape drops every scalar's value and keeps the types and aggregate
// sizes; a verbatim string keeps its format ("txt").
func (r reply) shape() reply {
	switch r.head[0] {
	case '*', '~', '>', '%', '|':
		for i := range r.items {
			r.items[i] = r.items[i].shape()
		}
		return r
	case '=':
		if len(r.body) >= 4 {
			return reply{head: "=" + r.body[:4] + "\r\n"}
		}
	case '-':
		return r // errors are compared whole
	case '$':
		if r.head == "$-1\r\n" {
			return r
		}
	}
	return reply{head: r.head[:1] + "\r\n"}
}

// sortedReply is raw with its aggregates sorted (see reply.sorted), or raw
// itself when it does not parse.
func sortedReply(raw string) string {
	r, rest, ok := parseReply(raw)
	if !ok || rest != "" {
		return raw
	}
	return r.sorted().String()
}

// replyShape is raw reduced to its types and sizes (see reply.shape).
func replyShape(raw string) string {
	r, rest, ok := parseReply(raw)
	if !ok || rest != "" {
		return raw
	}
	return r.shape().String()
}
