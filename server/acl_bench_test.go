package server

import "testing"

// BenchmarkACLPermits measures the permission check of a user restricted
// to a key pattern, which finds the command's keys with their key-spec
// flags (commandmeta) on every command.
func BenchmarkACLPermits(b *testing.B) {
	t := newTable(commandGroups()...)
	a := newACL(t, "")
	if err := a.setUser(t, "app", []string{"on", "nopass", "+@all", "~cache:*", "%R~ro:*"}); err != nil {
		b.Fatal(err)
	}
	r := a.get("app").rules.Load()
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"get", []string{"GET", "cache:1"}},
		{"set", []string{"SET", "cache:1", "v"}},
		{"mset", []string{"MSET", "cache:1", "v", "cache:2", "v"}},
	} {
		args := make([][]byte, len(tc.args))
		for i, s := range tc.args {
			args[i] = []byte(s)
		}
		cmd := t.lookupArgs(args)
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := r.permits(cmd, args); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
