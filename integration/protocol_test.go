package integration

import (
	"io"
	"net"
	"testing"
	"time"

	"github.com/cairn-db/cairn/server/servertest"
)

// TestMalformedRequestsLikeRedis sends malformed RESP to a real Redis and
// to Cairn on fresh connections and compares everything each sends back,
// up to the close. The server must stay up for other clients.
func TestMalformedRequestsLikeRedis(t *testing.T) {
	redis := requireRedis(t)
	cairn := servertest.Start(t)
	cases := []string{
		"*0\r\nPING\r\n",
		"*-1\r\nPING\r\n",
		"*1\r\n$99999999999999999999\r\n",
		"*1\r\n$9223372036854775807\r\n",
		"*1\r\n$600000000\r\n",
		"*1\r\n$-1\r\n",
		"*1\r\n$04\r\nPING\r\n",
		"*2\r\n$4\r\nPING\r\nx\r\n",
		"*99999999999\r\n",
		"*abc\r\n",
		"*+1\r\n$4\r\nPING\r\n",
		"SET a \"b\r\n",
		"PING\r\n*1\r\n$-1\r\n",
		"*1\r\n$4\r\nPING\r\n*3\r\n$3\r\nGET\r\n$x\r\n",
		"*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n:1\r\n",
		"\r\n\r\nPING\r\n",
		"*1\r\n$4\r\nPINGxx\r\n",
		"*2\r\n$4\r\nECHO\r\n$0\r\n\r\n",
		"PING\r\nECHO hello\r\nECHO \"a b\" c\r\n",
		"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\nabc\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n",
	}
	for _, in := range cases {
		want := exchange(t, redis.addr, in)
		got := exchange(t, cairn.Addr(), in)
		if want != got {
			t.Errorf("request %q\n redis: %q\n cairn: %q", in, want, got)
		}
	}
	if got := servertest.Dial(t, cairn.Addr()).Do("PING"); got != "+PONG\r\n" {
		t.Fatalf("server unusable after malformed input: %q", got)
	}
}

// exchange sends raw on a new connection and returns what comes back
// within a short time, with "<closed>" appended if the server closed it.
func exchange(t *testing.T, addr, raw string) string {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte(raw))
	var out []byte
	buf := make([]byte, 4096)
	c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	for {
		n, err := c.Read(buf)
		out = append(out, buf[:n]...)
		if err == io.EOF {
			return string(out) + "<closed>"
		}
		if err != nil {
			return string(out)
		}
	}
}

// TestHugeBulkRejectedEarly: a declared 600 MB argument is refused as soon
// as its header arrives, without the server buffering anything.
func TestHugeBulkRejectedEarly(t *testing.T) {
	srv := servertest.Start(t)
	c := servertest.Dial(t, srv.Addr())
	c.Write("*2\r\n$3\r\nGET\r\n$600000000\r\n")
	got, err := c.ReadErr(2 * time.Second)
	if got != "-ERR Protocol error: invalid bulk length\r\n" {
		t.Fatalf("reply = %q, %v", got, err)
	}
	if _, err := c.ReadErr(2 * time.Second); err == nil {
		t.Fatal("connection still open after protocol error")
	}
}
