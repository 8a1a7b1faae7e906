package commandmeta

import (
	"bytes"
	"testing"
)

// TestEmbeddedData checks the generated file: it parses, it is in the
// form the tool writes (so a hand edit shows), and every argument's key
// spec index points at a key spec.
func TestEmbeddedData(t *testing.T) {
	m, err := Decode(commandsJSON)
	if err != nil {
		t.Fatal(err)
	}
	if len(m) < 250 {
		t.Fatalf("only %d entries", len(m))
	}
	again, err := Encode(m)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, commandsJSON) {
		t.Error("commands.json is not as cairn-commandmeta writes it: regenerate it, do not edit it")
	}
	var check func(name string, e *Entry, args []Arg)
	check = func(name string, e *Entry, args []Arg) {
		for _, a := range args {
			if a.KeySpecIndex != nil && *a.KeySpecIndex >= len(e.KeySpecs) {
				t.Errorf("%s: argument %s has key spec %d of %d", name, a.Name, *a.KeySpecIndex, len(e.KeySpecs))
			}
			check(name, e, a.Arguments)
		}
	}
	for name, e := range m {
		if e.Group == "" {
			t.Errorf("%s: no group", name)
		}
		check(name, e, e.Arguments)
	}
}

func TestDecodeRejectsUnknownFields(t *testing.T) {
	if _, err := Decode([]byte(`{"get":{"group":"string","value":"x"}}`)); err == nil {
		t.Error("an unknown field was accepted")
	}
}

func TestLookup(t *testing.T) {
	if e := Lookup("client|list"); e == nil || e.Group != "connection" {
		t.Errorf("client|list: %+v", e)
	}
	if Lookup("nosuch") != nil {
		t.Error("nosuch has an entry")
	}
}

// BenchmarkDecode is what the first COMMAND DOCS, COMMAND INFO or COMMAND
// GETKEYS of a process pays, once.
func BenchmarkDecode(b *testing.B) {
	for b.Loop() {
		if _, err := Decode(commandsJSON); err != nil {
			b.Fatal(err)
		}
	}
}
