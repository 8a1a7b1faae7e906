package server_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	. "github.com/cairn-db/cairn/server/servertest"
)

// TestPipelineMixedCommands sends one pipeline that mixes data commands
// (run in a shared transaction) with commands that end a run (SELECT,
// PING, CLIENT, CONFIG) and an error: every reply comes back in order and
// each command sees the effects of the ones before it.
func TestPipelineMixedCommands(t *testing.T) {
	srv := Start(t)
	c := Dial(t, srv.Addr())
	steps := []step{
		{"SET a 1", OK},
		{"INCR a", Int(2)},
		{"GET a", Bulk("2")},
		{"NOSUCH x", Err("ERR unknown command 'NOSUCH', with args beginning with: 'x' ")},
		{"INCR a", Int(3)},
		{"SELECT 1", OK},
		{"GET a", Nil},
		{"SET a other", OK},
		{"PING", "+PONG\r\n"},
		{"CONFIG SET maxmemory-policy allkeys-lru", OK},
		{"GET a", Bulk("other")},
		{"SELECT 0", OK},
		{"GET a", Bulk("3")},
		{"SET a x", OK},
		{"INCR a", Err("ERR value is not an integer or out of range")},
		{"DEL a", Int(1)},
		{"EXISTS a", Int(0)},
	}
	var raw strings.Builder
	for _, s := range steps {
		raw.WriteString(EncodeCommand(strings.Fields(s.args)...))
	}
	c.Write(raw.String())
	for _, s := range steps {
		if got := c.Read(); got != s.want {
			t.Errorf("%s\n got %q\nwant %q", s.args, got, s.want)
		}
	}
}

// TestPipelineQuitStopsTheRest: commands pipelined after QUIT do not run.
func TestPipelineQuitStopsTheRest(t *testing.T) {
	srv := Start(t)
	c := Dial(t, srv.Addr())
	c.Write(EncodeCommand("GET", "k") + EncodeCommand("SET", "k", "1") + EncodeCommand("QUIT") + EncodeCommand("SET", "k", "2"))
	c.Read()
	c.Read()
	if got := c.Read(); got != OK {
		t.Fatalf("QUIT = %q", got)
	}
	c2 := Dial(t, srv.Addr())
	if got := c2.Do("GET", "k"); got != Bulk("1") {
		t.Fatalf("GET k = %q: a command after QUIT ran", got)
	}
}

// TestPipelinesConcurrentIncr: concurrent pipelines of INCR lose no
// update, so each run is still atomic per command.
func TestPipelinesConcurrentIncr(t *testing.T) {
	srv := Start(t)
	const clients, depth, rounds = 8, 50, 20
	var wg sync.WaitGroup
	for range clients {
		c := Dial(t, srv.Addr())
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range rounds {
				c.Write(strings.Repeat(EncodeCommand("INCR", "n"), depth))
				for range depth {
					c.Read()
				}
			}
		}()
	}
	wg.Wait()
	c := Dial(t, srv.Addr())
	if got, want := c.Do("GET", "n"), Bulk(fmt.Sprint(clients*depth*rounds)); got != want {
		t.Fatalf("GET n = %q, want %q", got, want)
	}
}
