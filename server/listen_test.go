package server_test

import (
	"net"
	"strings"
	"testing"
	"time"

	. "github.com/cairn-db/cairn/server/servertest"
)

// refused reports whether nothing listens on addr.
func refused(addr string) bool {
	nc, err := net.DialTimeout("tcp", addr, time.Second)
	if err == nil {
		nc.Close()
	}
	return err != nil
}

// CONFIG SET port and bind move the listeners at run time, as in Redis;
// connected clients stay connected.
func TestConfigSetMovesListeners(t *testing.T) {
	srv := Start(t)
	old := srv.Addr()
	c := Dial(t, old)
	busy, err := net.Listen("tcp", "127.0.0.1:0") // a free port, freed for the move
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(busy.Addr().String())
	busy.Close()
	if got := c.Do("CONFIG", "SET", "port", port); got != OK {
		t.Fatalf("CONFIG SET port = %q", got)
	}
	moved := "127.0.0.1:" + port
	if srv.Addr() != moved || !refused(old) {
		t.Fatalf("after CONFIG SET port: Addr %s, old address refused: %v", srv.Addr(), refused(old))
	}
	if got := Dial(t, moved).Do("PING"); got != Status("PONG") {
		t.Fatalf("PING on the new port = %q", got)
	}
	if got := c.Do("PING"); got != Status("PONG") {
		t.Fatalf("PING on the connection made before the move = %q", got)
	}

	// An empty bind listens on no TCP address; clients already connected
	// stay. Binding again restores the port.
	if got := c.Do("CONFIG", "SET", "bind", ""); got != OK {
		t.Fatalf(`CONFIG SET bind "" = %q`, got)
	}
	if got := c.Do("CONFIG", "GET", "bind"); got != Bulks("bind", "") {
		t.Fatalf("CONFIG GET bind = %q", got)
	}
	if srv.Addr() != "" || !refused(moved) {
		t.Fatalf(`with bind "": Addr %q, refused: %v`, srv.Addr(), refused(moved))
	}
	if got := c.Do("CONFIG", "SET", "bind", "127.0.0.1 -203.0.113.77"); got != OK {
		t.Fatalf("CONFIG SET bind with an optional address the host lacks = %q", got)
	}
	if got := Dial(t, moved).Do("CONFIG", "GET", "bind"); got != Bulks("bind", "127.0.0.1 -203.0.113.77") {
		t.Fatalf("CONFIG GET bind = %q", got)
	}
	// The same port on every IPv4 address: the old listener must close
	// first, as in Redis's changeBindAddr.
	if got := c.Do("CONFIG", "SET", "bind", "*"); got != OK {
		t.Fatalf("CONFIG SET bind * = %q", got)
	}
	if got := Dial(t, moved).Do("PING"); got != Status("PONG") {
		t.Fatalf("PING with bind * = %q", got)
	}
	got := c.Do("CONFIG", "SET", "bind", "127.0.0.1 203.0.113.77")
	if got != Err("ERR CONFIG SET failed (possibly related to argument 'bind') - Failed to bind to specified addresses.") {
		t.Fatalf("CONFIG SET bind with an address the host lacks = %q", got)
	}
	if got := c.Do("CONFIG", "GET", "bind"); got != Bulks("bind", "*") {
		t.Fatalf("bind after the refused change = %q", got)
	}
	if got := Dial(t, moved).Do("PING"); got != Status("PONG") {
		t.Fatalf("PING after the refused bind (old listeners restored) = %q", got)
	}
	many := strings.TrimSpace(strings.Repeat("127.0.0.1 ", 17))
	if got := c.Do("CONFIG", "SET", "bind", many); got != Err("ERR CONFIG SET failed (possibly related to argument 'bind') - Too many bind addresses specified.") {
		t.Fatalf("CONFIG SET bind with 17 addresses = %q", got)
	}
}
