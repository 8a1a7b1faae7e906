package integration

import (
	"context"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/cairn-db/cairn/server/servertest"
)

// infoHeaders lists the "# Section" lines of a server's INFO reply.
func infoHeaders(t *testing.T, rdb *redis.Client, args ...any) []string {
	t.Helper()
	text, err := rdb.Do(context.Background(), append([]any{"info"}, args...)...).Text()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, line := range strings.Split(text, "\r\n") {
		if strings.HasPrefix(line, "# ") {
			out = append(out, line)
		}
	}
	return out
}

// TestInfoSectionsMatchRedis checks that INFO's sections, their order and
// their titles are redis-server's: monitoring tools split INFO on them.
func TestInfoSectionsMatchRedis(t *testing.T) {
	r := requireRedis(t)
	cairn := redis.NewClient(&redis.Options{Addr: servertest.Start(t).Addr(), Protocol: 2})
	defer cairn.Close()
	real := redis.NewClient(&redis.Options{Addr: r.addr, Protocol: 2})
	defer real.Close()
	for _, args := range [][]any{nil, {"default"}, {"everything"}, {"all"}, {"cpu", "cluster", "latencystats"}} {
		ours, theirs := infoHeaders(t, cairn, args...), infoHeaders(t, real, args...)
		if strings.Join(ours, "|") != strings.Join(theirs, "|") {
			t.Errorf("INFO %v sections:\n cairn %q\n redis %q", args, ours, theirs)
		}
	}
}
