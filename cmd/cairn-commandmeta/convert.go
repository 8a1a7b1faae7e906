package main

import (
	"fmt"
	"strconv"

	"github.com/cairn-db/cairn/server/commandmeta"
)

// The conversion from Redis's replies to entries is strict: an unknown
// field, an unexpected type, an empty field or fields in an order other
// than the one server/commandmeta writes them in is an error, so that
// whatever the tool keeps, Cairn replays byte for byte.

// badReply is the panic of a conversion that met something unexpected.
type badReply struct{ msg string }

func fail(format string, args ...any) { panic(badReply{fmt.Sprintf(format, args...)}) }

// converting runs f, turning its badReply panic into an error about name.
func converting(name string, f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			b, ok := r.(badReply)
			if !ok {
				panic(r)
			}
			err = fmt.Errorf("%s: %s (update server/commandmeta and this tool)", name, b.msg)
		}
	}()
	f()
	return nil
}

// fields walks a map's pairs, checking that the keys come in the order
// of order (each at most once).
func fields(v value, order []string, f func(key string, val value)) {
	want(v, '%')
	next := 0
	for i := 0; i+1 < len(v.items); i += 2 {
		key := str(v.items[i])
		j := next
		for j < len(order) && order[j] != key {
			j++
		}
		if j == len(order) {
			fail("field %q unknown or out of order", key)
		}
		next = j + 1
		f(key, v.items[i+1])
	}
}

func want(v value, kind byte) {
	if v.kind != kind {
		fail("reply type %q, want %q", v.kind, kind)
	}
}

// str is a bulk string's text; empty is an error (Redis omits empty
// fields, and so does Cairn).
func str(v value) string {
	want(v, '$')
	if v.str == "" {
		fail("empty string")
	}
	return v.str
}

func integer(v value) int {
	want(v, ':')
	n, err := strconv.Atoi(v.str)
	if err != nil {
		fail("integer %q", v.str)
	}
	return n
}

// statusSet is a set of simple strings (flags).
func statusSet(v value, allowEmpty bool) []string {
	want(v, '~')
	if len(v.items) == 0 && !allowEmpty {
		fail("empty flags")
	}
	out := []string{}
	for _, it := range v.items {
		want(it, '+')
		out = append(out, it.str)
	}
	return out
}

func nonEmpty(v value, kind byte) []value {
	want(v, kind)
	if len(v.items) == 0 {
		fail("empty aggregate")
	}
	return v.items
}

var docOrder = []string{"summary", "since", "group", "complexity", "doc_flags",
	"deprecated_since", "replaced_by", "history", "arguments", "subcommands"}

// addDocs adds an entry per command and subcommand of COMMAND DOCS.
func addDocs(entries map[string]*commandmeta.Entry, docs value) error {
	want(docs, '%')
	for i := 0; i+1 < len(docs.items); i += 2 {
		name := docs.items[i].str
		if err := converting(name, func() { addDoc(entries, name, docs.items[i+1]) }); err != nil {
			return err
		}
	}
	return nil
}

func addDoc(entries map[string]*commandmeta.Entry, name string, doc value) {
	e := &commandmeta.Entry{}
	fields(doc, docOrder, func(key string, v value) {
		switch key {
		case "summary":
			e.Summary = str(v)
		case "since":
			e.Since = str(v)
		case "group":
			e.Group = str(v)
		case "complexity":
			e.Complexity = str(v)
		case "doc_flags":
			e.DocFlags = statusSet(v, false)
		case "deprecated_since":
			e.DeprecatedSince = str(v)
		case "replaced_by":
			e.ReplacedBy = str(v)
		case "history":
			for _, h := range nonEmpty(v, '~') {
				if want(h, '*'); len(h.items) != 2 {
					fail("history entry of %d items", len(h.items))
				}
				e.History = append(e.History, [2]string{str(h.items[0]), str(h.items[1])})
			}
		case "arguments":
			e.Arguments = args(v)
		case "subcommands":
			subs := nonEmpty(v, '%')
			for j := 0; j+1 < len(subs); j += 2 {
				addDoc(entries, subs[j].str, subs[j+1])
			}
		}
	})
	if e.Group == "" {
		fail("no group")
	}
	entries[name] = e
}

var argOrder = []string{"name", "type", "key_spec_index", "token", "summary",
	"since", "deprecated_since", "flags", "arguments"}

func args(v value) []commandmeta.Arg {
	var out []commandmeta.Arg
	for _, it := range nonEmpty(v, '*') {
		var a commandmeta.Arg
		hasArgs := false
		fields(it, argOrder, func(key string, v value) {
			switch key {
			case "name":
				a.Name = str(v)
			case "type":
				a.Type = str(v)
			case "key_spec_index":
				n := integer(v)
				a.KeySpecIndex = &n
			case "token":
				want(v, '$') // may be empty: MIGRATE's ""
				a.Token = &v.str
			case "summary":
				a.Summary = str(v)
			case "since":
				a.Since = str(v)
			case "deprecated_since":
				a.DeprecatedSince = str(v)
			case "flags":
				a.Flags = statusSet(v, false)
			case "arguments":
				a.Arguments = args(v)
				hasArgs = true
			}
		})
		if a.Name == "" || a.Type == "" {
			fail("argument without name or type")
		}
		if hasArgs != (a.Type == "oneof" || a.Type == "block") {
			fail("argument %s of type %s with(out) arguments", a.Name, a.Type)
		}
		out = append(out, a)
	}
	return out
}

// addInfo adds COMMAND's tips and key specs to the entries of COMMAND
// DOCS, subcommands included.
func addInfo(entries map[string]*commandmeta.Entry, info value) error {
	want(info, '*')
	for _, cmd := range info.items {
		if len(cmd.items) != 10 {
			return fmt.Errorf("COMMAND entry of %d items", len(cmd.items))
		}
		name := cmd.items[0].str
		e := entries[name]
		if e == nil {
			return fmt.Errorf("%s: in COMMAND but not in COMMAND DOCS", name)
		}
		err := converting(name, func() {
			want(cmd.items[7], '~')
			for _, t := range cmd.items[7].items {
				e.Tips = append(e.Tips, str(t))
			}
			want(cmd.items[8], '~')
			for _, s := range cmd.items[8].items {
				e.KeySpecs = append(e.KeySpecs, keySpec(s))
			}
		})
		if err != nil {
			return err
		}
		if subs := cmd.items[9]; subs.kind == '*' {
			if err := addInfo(entries, subs); err != nil {
				return err
			}
		} else if subs.kind != '~' || len(subs.items) != 0 {
			return fmt.Errorf("%s: subcommands of type %q", name, subs.kind)
		}
	}
	return nil
}

func keySpec(v value) commandmeta.KeySpec {
	var s commandmeta.KeySpec
	fields(v, []string{"notes", "flags", "begin_search", "find_keys"}, func(key string, v value) {
		switch key {
		case "notes":
			s.Notes = str(v)
		case "flags":
			s.Flags = statusSet(v, true)
		case "begin_search":
			s.BeginSearch.Type, v = typedSpec(v)
			switch s.BeginSearch.Type {
			case "index":
				exactFields(v, "index")
				s.BeginSearch.Index = integer(v.field("index"))
			case "keyword":
				exactFields(v, "keyword", "startfrom")
				s.BeginSearch.Keyword = str(v.field("keyword"))
				s.BeginSearch.StartFrom = integer(v.field("startfrom"))
			case "unknown":
				exactFields(v)
			default:
				fail("begin_search type %q", s.BeginSearch.Type)
			}
		case "find_keys":
			s.FindKeys.Type, v = typedSpec(v)
			switch s.FindKeys.Type {
			case "range":
				exactFields(v, "lastkey", "keystep", "limit")
				s.FindKeys.LastKey = integer(v.field("lastkey"))
				s.FindKeys.KeyStep = integer(v.field("keystep"))
				s.FindKeys.Limit = integer(v.field("limit"))
			case "keynum":
				exactFields(v, "keynumidx", "firstkey", "keystep")
				s.FindKeys.KeyNumIdx = integer(v.field("keynumidx"))
				s.FindKeys.FirstKey = integer(v.field("firstkey"))
				s.FindKeys.KeyStep = integer(v.field("keystep"))
			case "unknown":
				exactFields(v)
			default:
				fail("find_keys type %q", s.FindKeys.Type)
			}
		}
	})
	if s.Flags == nil || s.BeginSearch.Type == "" || s.FindKeys.Type == "" {
		fail("incomplete key spec")
	}
	return s
}

// typedSpec splits {type: t, spec: {…}}.
func typedSpec(v value) (string, value) {
	exactFields(v, "type", "spec")
	return str(v.field("type")), v.field("spec")
}

// exactFields checks that map v has exactly these keys, in this order.
func exactFields(v value, keys ...string) {
	want(v, '%')
	if len(v.items) != 2*len(keys) {
		fail("map of %d fields, want %v", len(v.items)/2, keys)
	}
	for i, k := range keys {
		if v.items[2*i].str != k {
			fail("field %q, want %q", v.items[2*i].str, k)
		}
	}
}
