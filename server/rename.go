package server

import "strings"

// applyRenames applies rename-command: each pair renames a command, or
// disables it when the new name is empty, as redis.conf's rename-command.
// Renaming happens before the server accepts clients; the Command keeps
// its Redis name for errors, INFO and metrics.
func (t *Table) applyRenames(pairs [][2]string) {
	for _, p := range pairs {
		from, to := strings.ToLower(p[0]), strings.ToLower(p[1])
		c := t.cmds[from]
		if c == nil {
			continue
		}
		delete(t.cmds, from)
		if to != "" {
			t.cmds[to] = c
		}
	}
}
