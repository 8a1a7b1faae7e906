package server_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	. "github.com/cairn-db/cairn/server/servertest"
)

// TestClientMemoryAddsUpAndIsGivenBack: mem_clients_normal is the sum of
// the clients' tot-mem while they hold subscriptions, a MULTI queue,
// watched keys and a partial request, each showing its own; once they
// leave, only the remaining client counts.
func TestClientMemoryAddsUpAndIsGivenBack(t *testing.T) {
	srv := Start(t)
	ctl := Dial(t, srv.Addr())
	ctl.Do("CLIENT", "SETNAME", "ctl")
	named := func(name string) *Conn {
		c := Dial(t, srv.Addr())
		c.Do("CLIENT", "SETNAME", name)
		return c
	}
	named("idle")
	// Many small pieces of state, in requests that fit the read buffer an
	// idle client has, so only the state tells them apart.
	names := func(prefix string, from, n int) []string {
		var out []string
		for i := from; i < from+n; i++ {
			out = append(out, fmt.Sprintf("%s%046d", prefix, i))
		}
		return out
	}
	sub := named("sub")
	for i := 0; i < 100; i += 10 {
		sub.Send(append([]string{"SUBSCRIBE"}, names("ch", i, 10)...)...)
		for range 10 {
			sub.Read()
		}
	}
	multi := named("multi")
	multi.Do("MULTI")
	for range 10 {
		multi.Do("SET", "k", strings.Repeat("v", 5000))
	}
	watch := named("watch")
	for i := 0; i < 200; i += 10 {
		watch.Do(append([]string{"WATCH"}, names("wk", i, 10)...)...)
	}
	partial := named("partial")
	partial.Write("*2\r\n$200000\r\n" + strings.Repeat("p", 100000))

	// The clients' figures and the total, from one CLIENT LIST and the
	// INFO after it; ctl's own figure may change between the two.
	figures := func() (map[string]int64, int64) {
		mem := map[string]int64{}
		for _, line := range strings.Split(strings.TrimSpace(bulkBody(ctl.Do("CLIENT", "LIST"))), "\n") {
			f := map[string]string{}
			for _, kv := range strings.Fields(line) {
				k, v, _ := strings.Cut(kv, "=")
				f[k] = v
			}
			mem[f["name"]], _ = strconv.ParseInt(f["tot-mem"], 10, 64)
		}
		var total int64
		for _, l := range strings.Split(ctl.Do("INFO", "memory"), "\r\n") {
			if v, ok := strings.CutPrefix(l, "mem_clients_normal:"); ok {
				total, _ = strconv.ParseInt(v, 10, 64)
			}
		}
		return mem, total
	}
	sum := func(mem map[string]int64) (n int64) {
		for _, m := range mem {
			n += m
		}
		return n
	}
	var mem map[string]int64
	var total int64
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		mem, total = figures()
		if mem["partial"] >= 200000 && sum(mem) == total {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("tot-mem %v sums to %d, mem_clients_normal %d", mem, sum(mem), total)
		}
	}
	for name, least := range map[string]int64{"sub": 100 * 48, "multi": 10 * 5000, "watch": 200 * 48} {
		// Each holds its state beyond what an idle client has.
		if mem[name] < mem["idle"]+least {
			t.Errorf("%s's tot-mem %d, an idle client's %d: its %d bytes of state are not counted", name, mem[name], mem["idle"], least)
		}
	}
	for _, c := range []*Conn{sub, multi, watch, partial} {
		c.Close()
	}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		mem, total = figures()
		if len(mem) == 2 && total == mem["ctl"]+mem["idle"] {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the others left: tot-mem %v, mem_clients_normal %d", mem, total)
		}
	}
}

// bulkBody is the payload of a bulk string reply.
func bulkBody(reply string) string {
	_, body, _ := strings.Cut(reply, "\r\n")
	return strings.TrimSuffix(body, "\r\n")
}
