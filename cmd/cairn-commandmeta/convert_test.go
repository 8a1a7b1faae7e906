package main

import (
	"bufio"
	"strings"
	"testing"

	"github.com/cairn-db/cairn/server/commandmeta"
)

func parse(t *testing.T, raw string) value {
	t.Helper()
	v, err := readValue(bufio.NewReader(strings.NewReader(raw)))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestAddDocsStrict: what the writers in server/commandmeta could not
// replay exactly is an error, not silently dropped.
func TestAddDocsStrict(t *testing.T) {
	ok := "%1\r\n$3\r\nget\r\n%2\r\n$7\r\nsummary\r\n$1\r\nx\r\n$5\r\ngroup\r\n$6\r\nstring\r\n"
	entries := map[string]*commandmeta.Entry{}
	if err := addDocs(entries, parse(t, ok)); err != nil || entries["get"].Summary != "x" {
		t.Fatalf("%v %+v", err, entries["get"])
	}
	for name, raw := range map[string]string{
		"unknown field": "%1\r\n$3\r\nget\r\n%2\r\n$5\r\ngroup\r\n$6\r\nstring\r\n$6\r\nmodule\r\n$1\r\nm\r\n",
		"out of order":  "%1\r\n$3\r\nget\r\n%2\r\n$5\r\ngroup\r\n$6\r\nstring\r\n$7\r\nsummary\r\n$1\r\nx\r\n",
		"empty string":  "%1\r\n$3\r\nget\r\n%2\r\n$7\r\nsummary\r\n$0\r\n\r\n$5\r\ngroup\r\n$6\r\nstring\r\n",
		"no group":      "%1\r\n$3\r\nget\r\n%1\r\n$7\r\nsummary\r\n$1\r\nx\r\n",
		"wrong type":    "%1\r\n$3\r\nget\r\n%1\r\n$5\r\ngroup\r\n:1\r\n",
	} {
		if err := addDocs(map[string]*commandmeta.Entry{}, parse(t, raw)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
