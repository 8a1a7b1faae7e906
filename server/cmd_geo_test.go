package server

import (
	"reflect"
	"testing"
)

func TestGeoradiusKeys(t *testing.T) {
	split := func(s ...string) [][]byte {
		out := make([][]byte, len(s))
		for i := range s {
			out[i] = []byte(s[i])
		}
		return out
	}
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"georadius", "src", "1", "2", "3", "km"}, []string{"src"}},
		{[]string{"georadius", "src", "1", "2", "3", "km", "STORE", "dst"}, []string{"src", "dst"}},
		// Both destinations, as Redis's key specs find them (COMMAND
		// GETKEYS, ACL checks), though the command stores at the last.
		{[]string{"georadius", "src", "1", "2", "3", "km", "store", "a", "STOREDIST", "b"}, []string{"src", "a", "b"}},
		{[]string{"georadiusbymember", "src", "m", "3", "km", "storedist", "d"}, []string{"src", "d"}},
		{[]string{"georadius", "src", "1", "2", "3", "km", "STORE"}, []string{"src"}},
	}
	for _, tc := range tests {
		got := georadiusKeys(split(tc.args...))
		if !reflect.DeepEqual(got, split(tc.want...)) {
			t.Errorf("georadiusKeys(%v) = %q, want %q", tc.args, got, tc.want)
		}
	}
}
