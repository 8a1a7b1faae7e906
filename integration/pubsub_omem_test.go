package integration

import (
	"strconv"
	"strings"
	"testing"

	"github.com/cairn-db/cairn/server/servertest"
)

// TestClientListShowsSlowSubscriberOmem: a subscriber that stops reading
// shows the messages queued for it as CLIENT LIST's omem (and tot-mem),
// which is what operators look at to find it; a client that keeps up
// shows 0.
func TestClientListShowsSlowSubscriberOmem(t *testing.T) {
	srv := servertest.Start(t)
	sub := servertest.Dial(t, srv.Addr())
	sub.Send("SUBSCRIBE", "ch")
	sub.Read()
	rdb := newClient(t, srv.Addr())
	msg := strings.Repeat("x", 64<<10)
	for range 300 { // 19 MB: more than loopback's socket buffers hold, under the 32 MB limit
		rdb.Publish(ctx, "ch", msg)
	}
	list := rdb.ClientList(ctx).Val()
	omem := map[string]int64{}
	for _, line := range strings.Split(strings.TrimSpace(list), "\n") {
		f := map[string]string{}
		for _, kv := range strings.Fields(line) {
			k, v, _ := strings.Cut(kv, "=")
			f[k] = v
		}
		n, _ := strconv.ParseInt(f["omem"], 10, 64)
		if tot, _ := strconv.ParseInt(f["tot-mem"], 10, 64); tot < n {
			t.Errorf("tot-mem %s, less than omem %s", f["tot-mem"], f["omem"])
		}
		omem[f["cmd"]] = n
	}
	if omem["subscribe"] < 1<<20 {
		t.Errorf("slow subscriber's omem %d, want its queued messages (MBs)\n%s", omem["subscribe"], list)
	}
	if omem["client|list"] != 0 {
		t.Errorf("CLIENT LIST's own client omem %d", omem["client|list"])
	}
}
