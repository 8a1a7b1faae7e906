package protocol

import (
	"bytes"
	"io"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/tidwall/redcon"
)

// pipeConn feeds a fixed input to the Guard in chunks and records what the
// Guard writes back (its protocol error reply).
type pipeConn struct {
	net.Conn
	in     []byte
	chunk  int
	output bytes.Buffer
}

func (c *pipeConn) Read(p []byte) (int, error) {
	if len(c.in) == 0 {
		return 0, io.EOF
	}
	n := min(len(p), c.chunk, len(c.in))
	copy(p, c.in[:n])
	c.in = c.in[n:]
	return n, nil
}
func (c *pipeConn) Write(p []byte) (int, error)     { return c.output.Write(p) }
func (c *pipeConn) SetReadDeadline(time.Time) error { return nil }
func (c *pipeConn) Close() error                    { return nil }

// frameAll runs input through a Guard in chunks of the given size and
// returns what redcon would read and what the client would get back.
func frameAll(input string, chunk int) (framed, reply string) {
	pc := &pipeConn{in: []byte(input), chunk: chunk}
	g := NewGuard(pc, func() int64 { return 1 << 20 }, nil)
	out, _ := io.ReadAll(g)
	return string(out), pc.output.String()
}

func TestGuardFraming(t *testing.T) {
	cases := []struct {
		in, framed, reply string
	}{
		{"*1\r\n$4\r\nPING\r\n", "*1\r\n$4\r\nPING\r\n", ""},
		{"*0\r\n*-1\r\n*1\r\n$4\r\nPING\r\n", "*1\r\n$4\r\nPING\r\n", ""},
		{"*1\r\n$4\r\nPINGxx\r\n", "*1\r\n$4\r\nPING\r\n\r\n", ""},
		{"PING\r\n", "PING\r\n", ""},
		{"*1\r\n$4\r\nPING\r\n*1\r\n$2000000\r\n", "*1\r\n$4\r\nPING\r\n*1\r\n", "-ERR Protocol error: invalid bulk length\r\n"},
		{"*1\r\n$99999999999999999999999\r\n", "", "-ERR Protocol error: invalid bulk length\r\n"},
		{"*3000000000\r\n", "", "-ERR Protocol error: invalid multibulk length\r\n"},
		{"*1\r\n:4\r\n", "", "-ERR Protocol error: expected '$', got ':'\r\n"},
		{"*" + strings.Repeat("1", 70000), "", "-ERR Protocol error: too big mbulk count string\r\n"},
		{strings.Repeat("x", 70000), strings.Repeat("x", 64*1024+16*1024)[:0], "-ERR Protocol error: too big inline request\r\n"},
	}
	for _, c := range cases {
		for _, chunk := range []int{1, 3, 4096} {
			framed, reply := frameAll(c.in, chunk)
			if c.framed != "" || c.reply == "" {
				if framed != c.framed {
					t.Errorf("%.40q (chunk %d): framed %.80q, want %.80q", c.in, chunk, framed, c.framed)
				}
			}
			if reply != c.reply {
				t.Errorf("%.40q (chunk %d): reply %q, want %q", c.in, chunk, reply, c.reply)
			}
		}
	}
}

// FuzzGuard: whatever a client sends, the Guard and redcon's parser after
// it never panic, and what the Guard passes on is well-framed.
func FuzzGuard(f *testing.F) {
	for _, s := range []string{"*1\r\n$4\r\nPING\r\n", "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n", "PING\r\n",
		"*0\r\n", "*1\r\n$-1\r\n", "SET a \"b c\"\r\n", "*1\r\n$9999999999999999999\r\n", "*2\r\n$1\r\na\r\n"} {
		f.Add(s, 7)
	}
	f.Fuzz(func(t *testing.T, in string, chunk int) {
		chunk = 1 + (chunk&0xffff)%4096
		framed, _ := frameAll(in, chunk)
		rd := redcon.NewReader(strings.NewReader(framed))
		var want []string
		for {
			cmds, err := rd.ReadCommands()
			if err != nil {
				break
			}
			for _, c := range cmds {
				want = append(want, string(c.Raw))
			}
		}
		// redcon reading through the Guard itself, which hands over whole
		// requests where it can, sees the same requests; it may see more
		// before a malformed one, because redcon drops the requests parsed
		// in the same read as an error.
		rd = redcon.NewReader(NewGuard(&pipeConn{in: []byte(in), chunk: chunk}, func() int64 { return 1 << 20 }, nil))
		var got []string
		for {
			cmds, err := rd.ReadCommands()
			if err != nil {
				break
			}
			for _, c := range cmds {
				got = append(got, string(c.Raw))
			}
		}
		if len(got) < len(want) || strings.Join(got[:len(want)], "|") != strings.Join(want, "|") {
			t.Fatalf("through the Guard redcon read %q, want %q first", got, want)
		}
	})
}

// TestGuardKeepsRedconBufferSmall: a client streaming large pipelined
// requests (the seeding workload's MSETs) must not make redcon's read
// buffer grow to the size of the stream. The Guard hands over whole
// requests, so redcon drains and resets its buffer after each one.
func TestGuardKeepsRedconBufferSmall(t *testing.T) {
	var in bytes.Buffer
	val := strings.Repeat("v", 40)
	for range 300 {
		in.WriteString("*1001\r\n$4\r\nMSET\r\n")
		for range 500 {
			in.WriteString("$16\r\nrate:10000:10000\r\n$40\r\n" + val + "\r\n")
		}
	}
	stream := in.Bytes()
	before := liveHeap()
	g := NewGuard(&pipeConn{in: stream, chunk: 16 * 1024}, func() int64 { return 1 << 20 }, nil)
	rd := redcon.NewReader(g)
	n := 0
	for {
		cmds, err := rd.ReadCommands()
		if err != nil {
			break
		}
		n += len(cmds)
	}
	retained := liveHeap() - before
	runtime.KeepAlive(rd)
	if n != 300 {
		t.Fatalf("read %d requests, want 300", n)
	}
	if retained > 1<<20 {
		t.Fatalf("the reader retains %d bytes after a %d-byte stream; want its buffer near one request", retained, len(stream))
	}
}

func liveHeap() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}
