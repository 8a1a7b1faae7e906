package server

import (
	"bytes"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/tidwall/redcon"
)

// newFakeClient returns a client of s whose replies go to out; its
// socket is one end of a pipe nobody reads.
func newFakeClient(t testing.TB, s *Server, out *bytes.Buffer) *Client {
	a, b := net.Pipe()
	t.Cleanup(func() { a.Close(); b.Close() })
	c := s.newClient(a, nil)
	c.conn.wr = redcon.NewWriter(out)
	c.out.Retarget(c.conn.wr)
	return c
}

// startFake starts a server for tb and returns it with a fake client
// whose replies go to out.
func startFake(tb testing.TB) (s *Server, c *Client, out *bytes.Buffer) {
	s, err := Start(Config{Dir: tb.TempDir()}) // SAVE writes there
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	out = &bytes.Buffer{}
	return s, newFakeClient(tb, s, out), out
}

// FuzzDispatch sends random argument vectors through the dispatcher: no
// input may panic. Arguments are separated by NUL; a one-byte first
// argument picks a real command by index, and a one-byte second argument
// a real subcommand, so the fuzzer reaches the handlers quickly. The
// corpus lives in testdata/fuzz/FuzzDispatch.
func FuzzDispatch(f *testing.F) {
	for _, seed := range []string{
		"set\x00k\x00v\x00EX\x0010", "get\x00k", "incrbyfloat\x00k\x001e308", "lcs\x00a\x00b\x00IDX",
		"scan\x00-1\x00COUNT\x001", "client\x00kill\x00ID\x001", "config\x00set\x00hz\x00100",
		"getrange\x00k\x00-9223372036854775808\x009223372036854775807", "setrange\x00k\x00536870911\x00x",
		"expire\x00k\x00-9223372036854775808", "object\x00freq\x00k", "copy\x00k\x00k\x00DB\x001",
		"setbit\x00k\x008388607\x001", "bitcount\x00k\x00-9223372036854775808\x009223372036854775807\x00BIT",
		"bitpos\x00k\x000\x00-9223372036854775808\x00-1\x00BIT", "bitop\x00NOT\x00d\x00k",
		"bitfield\x00k\x00incrby\x00i64\x00#131071\x00-9223372036854775808\x00get\x00u63\x00#-1",
	} {
		f.Add([]byte(seed))
	}
	// The smallest proto-max-bulk-len keeps SETRANGE/APPEND from building
	// 512 MB strings under the fuzzer.
	s, err := Start(Config{ProtoMaxBulkLen: 1 << 20, Dir: f.TempDir()}) // SAVE writes there
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { s.Close() })
	cmds := s.table.sorted()
	var out bytes.Buffer
	c := newFakeClient(f, s, &out)
	// Blocking commands answer as inside EXEC: BLPOP k 0 would otherwise
	// wait forever for a push the fuzzer may never send.
	c.ctx.noBlock = true
	f.Fuzz(func(t *testing.T, data []byte) {
		args := bytes.Split(data, []byte{0})
		if len(args) > 32 {
			args = args[:32]
		}
		if len(args[0]) == 1 {
			cmd := cmds[int(args[0][0])%len(cmds)]
			args[0] = []byte(cmd.Name)
			if len(args) > 1 && len(args[1]) == 1 && cmd.Subcommands != nil {
				subs := cmd.subs()
				args[1] = []byte(subs[int(args[1][0])%len(subs)].Name)
			}
		}
		for _, a := range args { // anywhere: MULTI/EXEC and scripts run them too
			if fuzzSkipped[strings.ToLower(string(a))] {
				return
			}
		}
		out.Reset()
		s.execute(c, args)
		c.out.Flush()
		if out.Len() == 0 && c.replyMode == replyOn && !c.quitting {
			t.Fatalf("no reply to %q", args)
		}
		c.quitting = false
		c.replyMode = replyOn
	})
}

// fuzzSkipped are the commands FuzzDispatch leaves out: those that close
// the server (SHUTDOWN), send later replies through the socket instead of
// out (the subscribes, MONITOR, SYNC), hold the fuzzer's next commands
// (CLIENT PAUSE), dial another host (MIGRATE) or run for most of a
// second whatever the input (PFSELFTEST's ten million additions).
var fuzzSkipped = map[string]bool{
	"shutdown": true, "subscribe": true, "psubscribe": true, "ssubscribe": true,
	"monitor": true, "sync": true, "psync": true, "pause": true, "migrate": true,
	"pfselftest": true,
}

// A client that connects while a script is busy is not put in an event
// loop, which may be stuck behind the script: it must be able to send
// SCRIPT KILL.
func TestNoEventLoopWhileScriptBusy(t *testing.T) {
	s, err := Start(Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	inLoop := func() bool {
		nc, err := net.Dial("tcp", s.Addr())
		if err != nil {
			t.Fatal(err)
		}
		defer nc.Close()
		// No command: one would wait for the script. The accept loop
		// registers the client, then picks its loop or goroutine.
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
			var c *Client
			s.clients.each(func(cl *Client) {
				if cl.addr == nc.LocalAddr().String() {
					c = cl
				}
			})
			if c != nil {
				time.Sleep(20 * time.Millisecond) // past the choice
				return c.conn.inLoop()
			}
		}
		t.Fatal("client not registered")
		return false
	}
	if !inLoop() {
		t.Fatal("a client connecting with no script running is not in an event loop")
	}
	r := &scriptRun{done: make(chan struct{}), busy: make(chan struct{})}
	s.scripts.running.Store(r)
	defer s.scripts.running.Store(nil)
	if !inLoop() {
		t.Fatal("a client connecting while a script runs, not yet busy, is not in an event loop")
	}
	close(r.busy)
	if inLoop() {
		t.Fatal("a client connecting while a script is busy was put in an event loop")
	}
}
