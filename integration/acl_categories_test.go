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

// commandCategories reads name -> ACL categories for every command and
// subcommand a server's COMMAND reply lists.
func commandCategories(t *testing.T, rdb *redis.Client, args ...any) map[string]string {
	t.Helper()
	res, err := rdb.Do(context.Background(), args...).Slice()
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
			var cats []string
			for _, c := range info[6].([]any) {
				cats = append(cats, fmt.Sprint(c))
			}
			sort.Strings(cats)
			out[strings.ToLower(fmt.Sprint(info[0]))] = strings.Join(cats, " ")
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

// TestACLCategoriesMatchRedis checks the ACL categories of every command
// Cairn has against redis-server's COMMAND INFO. Categories are derived
// from a command's group and flags (server/acl_categories.go), so this
// catches a new command whose registration implies the wrong ones: fix
// its flags, or add it to categoryExceptions.
func TestACLCategoriesMatchRedis(t *testing.T) {
	r := requireRedis(t)
	srv := servertest.Start(t)
	cairn := redis.NewClient(&redis.Options{Addr: srv.Addr(), Protocol: 2})
	defer cairn.Close()
	real := redis.NewClient(&redis.Options{Addr: r.addr, Protocol: 2})
	defer real.Close()
	ours := commandCategories(t, cairn, "command")
	theirs := commandCategories(t, real, "command")
	var names []string
	for n := range ours {
		names = append(names, n)
	}
	sort.Strings(names)
	checked := 0
	for _, n := range names {
		want, ok := theirs[n]
		if !ok {
			continue // a Cairn-only command
		}
		checked++
		if ours[n] != want {
			t.Errorf("%s: categories %q, redis-server has %q", n, ours[n], want)
		}
	}
	if checked < 20 {
		t.Fatalf("only %d commands compared", checked)
	}
}
