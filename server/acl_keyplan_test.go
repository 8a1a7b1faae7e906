package server

import (
	"fmt"
	"testing"

	"github.com/cairn-db/cairn/server/commandmeta"
)

// The fixed key plans find the same keys, with the same access, as
// commandmeta.Keys (Redis's getKeysFromCommandWithSpecs) for every
// command and argument count they apply to.
func TestACLKeyPlanMatchesKeySpecs(t *testing.T) {
	tb := newTable(commandGroups()...)
	checked := 0
	tb.forEachCommand(func(c *Command) {
		p := c.keyPlan()
		if !p.fixed {
			return
		}
		for argc := 1; argc <= 9; argc++ {
			if !c.arityOK(argc) || !p.fits(argc) {
				continue
			}
			args := make([][]byte, argc)
			args[0] = []byte(c.Name)
			for i := 1; i < argc; i++ {
				args[i] = fmt.Appendf(nil, "a%d", i)
			}
			if c.parent != nil {
				args[0], args[1] = []byte(c.parent.Name), []byte(c.Name)
			}
			var fast []string
			for _, sp := range p.specs {
				for j := sp.first; j <= sp.last(argc); j += sp.step {
					fast = append(fast, fmt.Sprint(j, sp.read, sp.write))
				}
			}
			var slow []string
			for _, r := range commandmeta.Keys(c.FullName(), args) {
				read, write := false, false
				for _, f := range r.Flags {
					switch f {
					case "access":
						read = true
					case "insert", "update", "delete":
						write = true
					}
				}
				slow = append(slow, fmt.Sprint(r.Pos, read, write))
			}
			if fmt.Sprint(fast) != fmt.Sprint(slow) {
				t.Errorf("%s with %d args: plan %v, key specs %v", c.FullName(), argc, fast, slow)
			}
			checked++
		}
	})
	if checked < 100 {
		t.Errorf("only %d command lines checked", checked)
	}
}
