package store

import "testing"

func TestMatch(t *testing.T) {
	cases := []struct {
		pattern, s string
		nocase     bool
		want       bool
	}{
		{"*", "", false, false}, // as stringmatchlen; KEYS and SCAN special-case a lone *
		{"*", "anything", false, true},
		{"", "", false, true},
		{"", "a", false, false},
		{"h?llo", "hello", false, true},
		{"h?llo", "hllo", false, false},
		{"h*llo", "heeeello", false, true},
		{"h[ae]llo", "hallo", false, true},
		{"h[ae]llo", "hillo", false, false},
		{"h[^e]llo", "hallo", false, true},
		{"h[^e]llo", "hello", false, false},
		{"h[a-b]llo", "hbllo", false, true},
		{"h[b-a]llo", "hbllo", false, true},
		{"h[a-b]llo", "hcllo", false, false},
		{"a\\*b", "a*b", false, true},
		{"a\\*b", "axb", false, false},
		{"[\\]]", "]", false, true},
		{"[x", "x", false, true},
		{"*[", "a[", false, false},
		{"HELLO", "hello", true, true},
		{"HELLO", "hello", false, false},
		{"h[A-Z]llo", "hello", true, true},
		{"a*a*a*a*a*a*a*a*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false, false},
		{"foo*bar", "foobar", false, true},
		{"foo*bar", "foo-x-bar", false, true},
		{"foo*bar", "foo-x-baz", false, false},
	}
	for _, c := range cases {
		if got := Match(c.pattern, c.s, c.nocase); got != c.want {
			t.Errorf("Match(%q, %q, %v) = %v, want %v", c.pattern, c.s, c.nocase, got, c.want)
		}
	}
}
