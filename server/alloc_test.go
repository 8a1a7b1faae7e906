package server

import (
	"testing"
)

// TestHotPathAllocations locks in that GET and SET allocate nothing in the
// dispatcher and store beyond the value copy SET must make (redcon's own
// per-command allocations happen before execute and are not counted), and
// that the list pushes and pops and XADD allocate nothing per command
// (only a new list chunk or stream node now and then, which the average
// over a thousand calls rounds away).
func TestHotPathAllocations(t *testing.T) {
	s, c, out := startFake(t)
	set := [][]byte{[]byte("SET"), []byte("key:000001"), []byte("value-of-some-length")}
	get := [][]byte{[]byte("GET"), []byte("key:000001")}
	s.execute(c, set)
	args := func(a ...string) [][]byte {
		out := make([][]byte, len(a))
		for i, x := range a {
			out[i] = []byte(x)
		}
		return out
	}
	for range 2000 {
		s.execute(c, args("RPUSH", "list", "element"))
	}
	for _, tc := range []struct {
		args [][]byte
		max  float64
	}{
		{get, 0}, {set, 0},
		{args("LPUSH", "list", "element"), 0}, {args("RPUSH", "list", "element"), 0},
		{args("LPOP", "list"), 0}, {args("RPOP", "list"), 0},
		{args("XADD", "stream", "*", "field", "value"), 0},
	} {
		n := testing.AllocsPerRun(1000, func() {
			out.Reset()
			s.execute(c, tc.args)
			c.out.Flush()
		})
		if n > tc.max {
			t.Errorf("%s: %.1f allocations per call, want at most %.0f", tc.args[0], n, tc.max)
		}
	}
}
