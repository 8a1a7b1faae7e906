package integration

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/cairn-db/cairn/server/servertest"
)

// commandFields reads name -> render(entry) for every command and
// subcommand a server's COMMAND reply lists.
func commandFields(t *testing.T, rdb *redis.Client, render func(info []any) string) map[string]string {
	t.Helper()
	res, err := rdb.Do(context.Background(), "command").Slice()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	var walk func(entries []any)
	walk = func(entries []any) {
		for _, e := range entries {
			info, ok := e.([]any)
			if !ok || len(info) < 7 {
				continue
			}
			out[strings.ToLower(fmt.Sprint(info[0]))] = render(info)
			if len(info) >= 10 {
				if subs, ok := info[9].([]any); ok {
					walk(subs)
				}
			}
		}
	}
	walk(res)
	return out
}

// sortedWords renders a COMMAND array field (flags, categories) sorted.
func sortedWords(field any) string {
	var words []string
	for _, w := range field.([]any) {
		words = append(words, fmt.Sprint(w))
	}
	sort.Strings(words)
	return strings.Join(words, " ")
}

// compareCommands checks render's field of every command Cairn has
// against redis-server's, but for the exceptions (name -> why).
func compareCommands(t *testing.T, what string, render func(info []any) string, exceptions map[string]string) {
	r := requireRedis(t)
	srv := servertest.Start(t)
	cairn := redis.NewClient(&redis.Options{Addr: srv.Addr(), Protocol: 2})
	defer cairn.Close()
	real := redis.NewClient(&redis.Options{Addr: r.addr, Protocol: 2})
	defer real.Close()
	ours, theirs := commandFields(t, cairn, render), commandFields(t, real, render)
	var names []string
	for n := range ours {
		names = append(names, n)
	}
	sort.Strings(names)
	checked := 0
	for _, n := range names {
		want, ok := theirs[n]
		if !ok || exceptions[n] != "" {
			continue // a Cairn-only command, or a known difference
		}
		checked++
		if ours[n] != want {
			t.Errorf("%s: %s %q, redis-server has %q", n, what, ours[n], want)
		}
	}
	if checked < 20 {
		t.Fatalf("only %d commands compared", checked)
	}
}

// TestACLCategoriesMatchRedis checks the ACL categories of every command
// Cairn has against redis-server's COMMAND INFO. Categories are derived
// from a command's group and flags (server/acl_categories.go), so this
// catches a new command whose registration implies the wrong ones: fix
// its flags, or add it to categoryExceptions.
func TestACLCategoriesMatchRedis(t *testing.T) {
	compareCommands(t, "categories", func(info []any) string { return sortedWords(info[6]) }, nil)
}

// TestCommandFlagsMatchRedis checks every command's flags, arity and key
// positions in COMMAND against redis-server's: clients read them (the
// loading and noscript flags also decide what Cairn runs while loading
// and in scripts), so a new command registered with the wrong ones fails
// here.
func TestCommandFlagsMatchRedis(t *testing.T) {
	compareCommands(t, "flags, arity and keys", func(info []any) string {
		return fmt.Sprintf("[%s] arity %v keys %v,%v,%v", sortedWords(info[2]), info[1], info[3], info[4], info[5])
	}, map[string]string{
		"client": "a container: Cairn's carries flags its subcommands share, Redis's none",
		"object": "a container: Cairn's carries flags its subcommands share, Redis's none",
	})
}
