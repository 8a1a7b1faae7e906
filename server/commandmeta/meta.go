package commandmeta

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"sort"
	"sync"
)

// Entry is one command's (or subcommand's) documentation, tips and key
// specs. Empty fields are absent from Redis's replies too.
type Entry struct {
	Summary         string      `json:"summary,omitempty"`
	Since           string      `json:"since,omitempty"`
	Group           string      `json:"group"`
	Complexity      string      `json:"complexity,omitempty"`
	DocFlags        []string    `json:"doc_flags,omitempty"`
	DeprecatedSince string      `json:"deprecated_since,omitempty"`
	ReplacedBy      string      `json:"replaced_by,omitempty"`
	History         [][2]string `json:"history,omitempty"`
	Arguments       []Arg       `json:"arguments,omitempty"`
	Tips            []string    `json:"tips,omitempty"`
	KeySpecs        []KeySpec   `json:"key_specs,omitempty"`
}

// Arg is one argument of a command's documentation; a oneof or block
// argument has arguments of its own.
type Arg struct {
	Name string `json:"name"`
	Type string `json:"type"`
	// KeySpecIndex is the key spec that finds this key argument.
	KeySpecIndex *int `json:"key_spec_index,omitempty"`
	// Token is the keyword before the argument; MIGRATE's empty-string
	// key placeholder has an empty one.
	Token           *string  `json:"token,omitempty"`
	Summary         string   `json:"summary,omitempty"`
	Since           string   `json:"since,omitempty"`
	DeprecatedSince string   `json:"deprecated_since,omitempty"`
	Flags           []string `json:"flags,omitempty"`
	Arguments       []Arg    `json:"arguments,omitempty"`
}

// KeySpec says where a command's keys are and how it uses them, as Redis 7
// key specifications: BeginSearch finds where the keys start, FindKeys
// how many follow.
type KeySpec struct {
	Notes string `json:"notes,omitempty"`
	// Flags in Redis's order: RO, RW, OW, RM, access, update, insert,
	// delete, not_key, incomplete, variable_flags.
	Flags       []string    `json:"flags"`
	BeginSearch BeginSearch `json:"begin_search"`
	FindKeys    FindKeys    `json:"find_keys"`
}

// BeginSearch is a key spec's start: at a fixed index ("index"), after a
// keyword searched from StartFrom ("keyword", negative: from the end,
// backwards), or "unknown".
type BeginSearch struct {
	Type      string `json:"type"`
	Index     int    `json:"index,omitempty"`
	Keyword   string `json:"keyword,omitempty"`
	StartFrom int    `json:"startfrom,omitempty"`
}

// FindKeys is how many keys follow a key spec's start: a range up to
// LastKey (relative to the start; negative: from the end, or with Limit a
// 1/Limit share of what remains) by KeyStep ("range"), a count at
// KeyNumIdx with the first key at FirstKey ("keynum"), or "unknown".
type FindKeys struct {
	Type      string `json:"type"`
	LastKey   int    `json:"lastkey,omitempty"`
	KeyStep   int    `json:"keystep,omitempty"`
	Limit     int    `json:"limit,omitempty"`
	KeyNumIdx int    `json:"keynumidx,omitempty"`
	FirstKey  int    `json:"firstkey,omitempty"`
}

// HasFlag reports whether the key spec has flag f ("not_key"…).
func (s *KeySpec) HasFlag(f string) bool {
	for _, g := range s.Flags {
		if g == f {
			return true
		}
	}
	return false
}

//go:embed commands.json
var commandsJSON []byte

// all parses the embedded data once, on first use.
var all = sync.OnceValue(func() map[string]*Entry {
	m, err := Decode(commandsJSON)
	if err != nil {
		panic("commandmeta: embedded commands.json: " + err.Error())
	}
	return m
})

// Lookup returns the entry of a command by full lower-case name ("get",
// "client|list"), or nil when there is none.
func Lookup(name string) *Entry { return all()[name] }

// Decode parses a commands file; a field it does not know is an error, so
// a change in Redis's replies cannot be dropped silently.
func Decode(data []byte) (map[string]*Entry, error) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.DisallowUnknownFields()
	var m map[string]*Entry
	if err := d.Decode(&m); err != nil {
		return nil, err
	}
	for name, e := range m {
		if e == nil {
			return nil, fmt.Errorf("%s: null entry", name)
		}
	}
	return m, nil
}

// Encode writes entries as a commands file: one JSON object, one entry per
// line, in name order.
func Encode(entries map[string]*Entry) ([]byte, error) {
	names := make([]string, 0, len(entries))
	for n := range entries {
		names = append(names, n)
	}
	sort.Strings(names)
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // keep "<" and "&" of the texts readable
	b.WriteString("{\n")
	for i, n := range names {
		if err := enc.Encode(n); err != nil {
			return nil, err
		}
		b.Truncate(b.Len() - 1) // Encode's newline
		b.WriteByte(':')
		if err := enc.Encode(entries[n]); err != nil {
			return nil, err
		}
		if i < len(names)-1 {
			b.Truncate(b.Len() - 1)
			b.WriteString(",\n")
		}
	}
	b.WriteString("}\n")
	return b.Bytes(), nil
}
