package commandmeta

import "github.com/cairn-db/cairn/protocol"

// The writers below encode an entry exactly as Redis 7.0's
// addReplyCommandDocs, addReplyCommandArgList and addReplyCommandKeySpecs
// do: same fields, same order, same RESP3 types (maps, sets; RESP2 gets
// flat arrays from the Writer).

// DocFields is the number of fields WriteDocs writes (group always).
func (e *Entry) DocFields() int {
	if e == nil {
		return 1
	}
	n := 1
	for _, s := range []string{e.Summary, e.Since, e.Complexity, e.DeprecatedSince, e.ReplacedBy} {
		if s != "" {
			n++
		}
	}
	for _, l := range []int{len(e.DocFlags), len(e.History), len(e.Arguments)} {
		if l > 0 {
			n++
		}
	}
	return n
}

// WriteDocs writes the fields of e's COMMAND DOCS map, without the map's
// header and the subcommands, which the caller adds from its command
// table. group names the group of a command that has no entry.
func (e *Entry) WriteDocs(w *protocol.Writer, group string) {
	if e == nil {
		w.BulkString("group")
		w.BulkString(group)
		return
	}
	field := func(name, v string) {
		if v != "" {
			w.BulkString(name)
			w.BulkString(v)
		}
	}
	field("summary", e.Summary)
	field("since", e.Since)
	w.BulkString("group")
	w.BulkString(e.Group)
	field("complexity", e.Complexity)
	if len(e.DocFlags) > 0 {
		w.BulkString("doc_flags")
		writeStatusSet(w, e.DocFlags)
	}
	field("deprecated_since", e.DeprecatedSince)
	field("replaced_by", e.ReplacedBy)
	if len(e.History) > 0 {
		w.BulkString("history")
		w.Set(len(e.History))
		for _, h := range e.History {
			w.Array(2)
			w.BulkString(h[0])
			w.BulkString(h[1])
		}
	}
	if len(e.Arguments) > 0 {
		w.BulkString("arguments")
		writeArgs(w, e.Arguments)
	}
}

func writeArgs(w *protocol.Writer, args []Arg) {
	w.Array(len(args))
	for i := range args {
		a := &args[i]
		n := 2
		if a.KeySpecIndex != nil {
			n++
		}
		if a.Token != nil {
			n++
		}
		for _, s := range []string{a.Summary, a.Since, a.DeprecatedSince} {
			if s != "" {
				n++
			}
		}
		if len(a.Flags) > 0 {
			n++
		}
		if a.Type == "oneof" || a.Type == "block" {
			n++
		}
		w.Map(n)
		w.BulkString("name")
		w.BulkString(a.Name)
		w.BulkString("type")
		w.BulkString(a.Type)
		if a.KeySpecIndex != nil {
			w.BulkString("key_spec_index")
			w.Int(int64(*a.KeySpecIndex))
		}
		if a.Token != nil {
			w.BulkString("token")
			w.BulkString(*a.Token)
		}
		for _, f := range [...]struct{ name, v string }{
			{"summary", a.Summary}, {"since", a.Since}, {"deprecated_since", a.DeprecatedSince},
		} {
			if f.v != "" {
				w.BulkString(f.name)
				w.BulkString(f.v)
			}
		}
		if len(a.Flags) > 0 {
			w.BulkString("flags")
			writeStatusSet(w, a.Flags)
		}
		if a.Type == "oneof" || a.Type == "block" {
			w.BulkString("arguments")
			writeArgs(w, a.Arguments)
		}
	}
}

// WriteTips writes COMMAND INFO's tips: a set of bulk strings.
func (e *Entry) WriteTips(w *protocol.Writer) {
	if e == nil {
		w.Set(0)
		return
	}
	w.Set(len(e.Tips))
	for _, t := range e.Tips {
		w.BulkString(t)
	}
}

// WriteKeySpecs writes COMMAND INFO's key specs: a set of maps (Redis 7.2
// sends an array).
func (e *Entry) WriteKeySpecs(w *protocol.Writer) {
	if e == nil {
		w.Set(0)
		return
	}
	w.Set(len(e.KeySpecs))
	for i := range e.KeySpecs {
		s := &e.KeySpecs[i]
		if s.Notes != "" {
			w.Map(4)
			w.BulkString("notes")
			w.BulkString(s.Notes)
		} else {
			w.Map(3)
		}
		w.BulkString("flags")
		writeStatusSet(w, s.Flags)
		w.BulkString("begin_search")
		w.Map(2)
		w.BulkString("type")
		w.BulkString(s.BeginSearch.Type)
		w.BulkString("spec")
		switch s.BeginSearch.Type {
		case "index":
			w.Map(1)
			w.BulkString("index")
			w.Int(int64(s.BeginSearch.Index))
		case "keyword":
			w.Map(2)
			w.BulkString("keyword")
			w.BulkString(s.BeginSearch.Keyword)
			w.BulkString("startfrom")
			w.Int(int64(s.BeginSearch.StartFrom))
		default:
			w.Map(0)
		}
		w.BulkString("find_keys")
		w.Map(2)
		w.BulkString("type")
		w.BulkString(s.FindKeys.Type)
		w.BulkString("spec")
		switch s.FindKeys.Type {
		case "range":
			w.Map(3)
			w.BulkString("lastkey")
			w.Int(int64(s.FindKeys.LastKey))
			w.BulkString("keystep")
			w.Int(int64(s.FindKeys.KeyStep))
			w.BulkString("limit")
			w.Int(int64(s.FindKeys.Limit))
		case "keynum":
			w.Map(3)
			w.BulkString("keynumidx")
			w.Int(int64(s.FindKeys.KeyNumIdx))
			w.BulkString("firstkey")
			w.Int(int64(s.FindKeys.FirstKey))
			w.BulkString("keystep")
			w.Int(int64(s.FindKeys.KeyStep))
		default:
			w.Map(0)
		}
	}
}

// writeStatusSet writes flags as Redis does: a set of simple strings.
func writeStatusSet(w *protocol.Writer, flags []string) {
	w.Set(len(flags))
	for _, f := range flags {
		w.Status(f)
	}
}
