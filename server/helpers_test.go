package server_test

import (
	"strings"
	"testing"

	. "github.com/cairn-db/cairn/server/servertest"
)

// step is one command and the exact reply it must get.
type step struct {
	args string // space-separated; use "" for an empty argument
	want string
}

// runSteps runs steps in order on one connection to a fresh server.
func runSteps(t *testing.T, steps []step, opts ...Option) *Conn {
	t.Helper()
	srv := Start(t, opts...)
	c := Dial(t, srv.Addr())
	for _, s := range steps {
		args := strings.Fields(s.args)
		for i, a := range args {
			if a == `""` {
				args[i] = ""
			}
		}
		if got := c.Do(args...); got != s.want {
			t.Errorf("%s\n got %q\nwant %q", s.args, got, s.want)
		}
	}
	return c
}
