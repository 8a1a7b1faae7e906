package integration

import (
	"crypto/tls"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cairn-db/cairn/server"
	"github.com/cairn-db/cairn/server/servertest"
)

// waitBlocked waits until the server reports n blocked clients.
func waitBlocked(t *testing.T, srv *server.Server, n int) {
	t.Helper()
	c := servertest.Dial(t, srv.Addr())
	defer c.Close()
	want := fmt.Sprintf("blocked_clients:%d\r\n", n)
	deadline := time.Now().Add(5 * time.Second)
	for {
		info := c.Do("INFO", "clients")
		if strings.Contains(info, want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("never reached %d blocked clients:\n%s", n, info)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// blpopAsync runs BLPOP on its own connection and delivers the result.
func blpopAsync(rdb *redis.Client, timeout time.Duration, keys ...string) <-chan []string {
	ch := make(chan []string, 1)
	go func() {
		v, err := rdb.BLPop(ctx, timeout, keys...).Result()
		if err != nil {
			v = []string{"error", err.Error()}
		}
		ch <- v
	}()
	return ch
}

func recv(t *testing.T, ch <-chan []string) []string {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(5 * time.Second):
		t.Fatal("blocked client was not served")
		return nil
	}
}

// Clients blocked on a key are served in the order they blocked, one
// element each: a push of two elements serves two of three waiters.
func TestBlockingFIFO(t *testing.T) {
	srv := servertest.Start(t)
	rdb := newClient(t, srv.Addr())
	var chans []<-chan []string
	for i := 0; i < 3; i++ {
		chans = append(chans, blpopAsync(newClient(t, srv.Addr()), 0, "q"))
		waitBlocked(t, srv, i+1)
	}
	if n := rdb.RPush(ctx, "q", "a", "b").Val(); n != 2 {
		t.Fatalf("RPUSH = %d, want 2 (the length before serving)", n)
	}
	for i, want := range []string{"a", "b"} {
		if got := recv(t, chans[i]); got[1] != want {
			t.Fatalf("client %d got %v, want %s", i, got, want)
		}
	}
	waitBlocked(t, srv, 1)
	select {
	case v := <-chans[2]:
		t.Fatalf("third client served with %v", v)
	default:
	}
	rdb.LPush(ctx, "q", "c")
	if got := recv(t, chans[2]); got[1] != "c" {
		t.Fatalf("third client got %v", got)
	}
	if n := rdb.Exists(ctx, "q").Val(); n != 0 {
		t.Fatal("q should be gone")
	}
}

// Several keys: the first non-empty one in argument order serves, at
// once or when data arrives.
func TestBlockingMultiKey(t *testing.T) {
	srv := servertest.Start(t)
	rdb := newClient(t, srv.Addr())
	rdb.RPush(ctx, "low", "l1")
	rdb.RPush(ctx, "high", "h1")
	if v := rdb.BRPop(ctx, 0, "high", "low").Val(); v[0] != "high" {
		t.Fatalf("BRPOP = %v, want high first", v)
	}
	if v := rdb.BRPop(ctx, 0, "high", "low").Val(); v[0] != "low" {
		t.Fatalf("BRPOP = %v", v)
	}
	ch := blpopAsync(newClient(t, srv.Addr()), 0, "k1", "k2", "k3")
	waitBlocked(t, srv, 1)
	rdb.RPush(ctx, "k3", "x")
	if got := recv(t, ch); got[0] != "k3" || got[1] != "x" {
		t.Fatalf("got %v", got)
	}
}

// Timeouts follow the server's clock.
func TestBlockingTimeoutManualClock(t *testing.T) {
	clock := servertest.NewClock()
	srv := servertest.Start(t, servertest.WithClock(clock))
	ch := blpopAsync(newClient(t, srv.Addr()), 5*time.Second, "q")
	waitBlocked(t, srv, 1)
	if info := newClient(t, srv.Addr()).Info(ctx, "clients").Val(); !strings.Contains(info, "clients_in_timeout_table:1\r\n") {
		t.Fatalf("INFO clients:\n%s", info)
	}
	clock.FastForward(4 * time.Second)
	time.Sleep(20 * time.Millisecond)
	select {
	case v := <-ch:
		t.Fatalf("returned before its timeout: %v", v)
	default:
	}
	clock.FastForward(time.Second)
	if got := recv(t, ch); got[0] != "error" || got[1] != redis.Nil.Error() {
		t.Fatalf("got %v, want nil", got)
	}
	waitBlocked(t, srv, 0)
}

// WAIT, with no replicas to acknowledge anything, blocks until its
// timeout on the server's clock and answers 0, as redis-server without
// replicas does.
func TestWaitWithoutReplicas(t *testing.T) {
	clock := servertest.NewClock()
	srv := servertest.Start(t, servertest.WithClock(clock))
	c := servertest.Dial(t, srv.Addr())
	c.Send("WAIT", "1", "5000")
	waitBlocked(t, srv, 1)
	clock.FastForward(4 * time.Second)
	if got, err := c.ReadErr(50 * time.Millisecond); err == nil {
		t.Fatalf("WAIT answered %q before its timeout", got)
	}
	clock.FastForward(time.Second)
	if got := c.Read(); got != servertest.Int(0) {
		t.Fatalf("WAIT = %q, want :0", got)
	}
	waitBlocked(t, srv, 0)
}

// BRPOP with timeout 1 on an empty list returns nil after about a second.
func TestBlockingTimeoutRealClock(t *testing.T) {
	srv := servertest.Start(t)
	rdb := newClient(t, srv.Addr())
	start := time.Now()
	_, err := rdb.BRPop(ctx, time.Second, "empty").Result()
	if d := time.Since(start); err != redis.Nil || d < 900*time.Millisecond || d > 3*time.Second {
		t.Fatalf("BRPOP took %v, err %v", d, err)
	}
}

// A client that disconnects while blocked is removed: the next push stays
// in the list, even when it comes before the server's periodic check.
func TestBlockingDisconnectLosesNothing(t *testing.T) {
	srv := servertest.Start(t)
	rdb := newClient(t, srv.Addr())
	for _, pause := range []time.Duration{5 * time.Millisecond, 200 * time.Millisecond} {
		c := servertest.Dial(t, srv.Addr())
		c.Send("BLPOP", "q", "0")
		waitBlocked(t, srv, 1)
		c.Close()
		time.Sleep(pause)
		rdb.RPush(ctx, "q", "job")
		if n := rdb.LLen(ctx, "q").Val(); n != 1 {
			t.Fatalf("after a disconnect (pause %v) LLEN = %d, want 1", pause, n)
		}
		waitBlocked(t, srv, 0)
		rdb.Del(ctx, "q")
	}
}

// Replies to commands pipelined before a blocking one arrive before it
// waits.
func TestBlockingFlushesPipeline(t *testing.T) {
	srv := servertest.Start(t)
	c := servertest.Dial(t, srv.Addr())
	c.Write(servertest.EncodeCommand("SET", "a", "1") + servertest.EncodeCommand("BLPOP", "q", "0"))
	if got, err := c.ReadErr(time.Second); err != nil || got != servertest.OK {
		t.Fatalf("pipelined SET reply: %q, %v", got, err)
	}
	newClient(t, srv.Addr()).RPush(ctx, "q", "v")
	if got := c.Read(); got != servertest.Bulks("q", "v") {
		t.Fatalf("BLPOP = %q", got)
	}
}

func TestClientUnblock(t *testing.T) {
	srv := servertest.Start(t)
	rdb := newClient(t, srv.Addr())
	for _, tc := range []struct {
		mode     string
		cmd      []string
		timedOut string // the reply to a TIMEOUT unblock
	}{
		{"TIMEOUT", []string{"BLMOVE", "q", "d", "LEFT", "LEFT", "0"}, servertest.NilArray},
		{"ERROR", []string{"BLMOVE", "q", "d", "LEFT", "LEFT", "0"}, ""},
		{"TIMEOUT", []string{"WAIT", "1", "0"}, servertest.Int(0)},
		{"ERROR", []string{"WAIT", "1", "0"}, ""},
	} {
		mode := tc.mode
		c := servertest.Dial(t, srv.Addr())
		id := strings.TrimSpace(strings.TrimPrefix(c.Do("CLIENT", "ID"), ":"))
		c.Send(tc.cmd...)
		waitBlocked(t, srv, 1)
		if n := rdb.Do(ctx, "CLIENT", "UNBLOCK", id, mode).Val(); n != int64(1) {
			t.Fatalf("CLIENT UNBLOCK = %v", n)
		}
		want := tc.timedOut
		if mode == "ERROR" {
			want = servertest.Err("UNBLOCKED client unblocked via CLIENT UNBLOCK")
		}
		if got := c.Read(); got != want {
			t.Fatalf("%s %s: got %q, want %q", tc.cmd[0], mode, got, want)
		}
		if n := rdb.Do(ctx, "CLIENT", "UNBLOCK", id).Val(); n != int64(0) {
			t.Fatalf("second CLIENT UNBLOCK = %v", n)
		}
		if got := c.Do("PING"); got != servertest.Status("PONG") {
			t.Fatalf("connection unusable after unblock: %q", got)
		}
	}
}

// Close releases every blocked client promptly.
func TestBlockingServerClose(t *testing.T) {
	srv := servertest.Start(t)
	ch := blpopAsync(newClient(t, srv.Addr()), 0, "q")
	waitBlocked(t, srv, 1)
	start := time.Now()
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("Close took %v", d)
	}
	if got := recv(t, ch); got[0] != "error" {
		t.Fatalf("blocked client got %v after Close", got)
	}
}

// Pushes made by LMOVE serve waiters, and a BLMOVE that is served pushes
// on to the next waiter, inside the same command.
func TestBlockingChainedMoves(t *testing.T) {
	srv := servertest.Start(t)
	rdb := newClient(t, srv.Addr())
	mover := newClient(t, srv.Addr())
	moved := make(chan string, 1)
	go func() { moved <- mover.BLMove(ctx, "a", "b", "LEFT", "RIGHT", 0).Val() }()
	waitBlocked(t, srv, 1)
	final := blpopAsync(newClient(t, srv.Addr()), 0, "b")
	waitBlocked(t, srv, 2)
	rdb.RPush(ctx, "src", "job")
	rdb.LMove(ctx, "src", "a", "LEFT", "LEFT")
	if v := <-moved; v != "job" {
		t.Fatalf("BLMOVE got %q", v)
	}
	if got := recv(t, final); got[1] != "job" {
		t.Fatalf("BLPOP got %v", got)
	}
	if n := rdb.DBSize(ctx).Val(); n != 0 {
		t.Fatalf("%d keys left", n)
	}
}

// SWAPDB rechecks the keys clients wait on.
func TestBlockingSwapDB(t *testing.T) {
	srv := servertest.Start(t)
	ch := blpopAsync(newClient(t, srv.Addr()), 0, "q")
	waitBlocked(t, srv, 1)
	c := servertest.Dial(t, srv.Addr())
	c.Do("SELECT", "1")
	c.Do("RPUSH", "q", "from-db1")
	c.Do("SWAPDB", "0", "1")
	if got := recv(t, ch); got[1] != "from-db1" {
		t.Fatalf("got %v", got)
	}
}

// Over TLS the client's close_notify alert arrives before its FIN; the
// hang-up is still seen and the next push is not lost.
func TestBlockingDisconnectTLS(t *testing.T) {
	pki := newTestPKI(t)
	srv := servertest.Start(t, servertest.WithConfig(func(c *server.Config) {
		c.TLSCertFile, c.TLSKeyFile, c.TLSCACertFile = pki.certFile, pki.keyFile, pki.caFile
		c.TLSAuthClients = "no"
	}))
	conn, err := tls.Dial("tcp", srv.TLSAddr(), &tls.Config{RootCAs: pki.pool, ServerName: "localhost"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Write([]byte(servertest.EncodeCommand("BLPOP", "q", "0"))); err != nil {
		t.Fatal(err)
	}
	waitBlocked(t, srv, 1)
	conn.Close()
	time.Sleep(5 * time.Millisecond)
	rdb := newClient(t, srv.Addr())
	rdb.RPush(ctx, "q", "job")
	if n := rdb.LLen(ctx, "q").Val(); n != 1 {
		t.Fatalf("LLEN = %d after a TLS client hung up, want 1", n)
	}
	waitBlocked(t, srv, 0)
}

// BLMPOP with COUNT takes up to COUNT elements; the next waiter gets what
// is left; BRPOPLPUSH waiters are served by a push too.
func TestBlockingBLMPopAndBRPopLPush(t *testing.T) {
	srv := servertest.Start(t)
	a := servertest.Dial(t, srv.Addr())
	b := servertest.Dial(t, srv.Addr())
	a.Send("BLMPOP", "0", "2", "x", "q", "LEFT", "COUNT", "2")
	waitBlocked(t, srv, 1)
	b.Send("BLMPOP", "0", "1", "q", "RIGHT", "COUNT", "5")
	waitBlocked(t, srv, 2)
	c := servertest.Dial(t, srv.Addr())
	if got := c.Do("RPUSH", "q", "1", "2", "3"); got != servertest.Int(3) {
		t.Fatalf("RPUSH = %q", got)
	}
	if got := a.Read(); got != servertest.Array(servertest.Bulk("q"), servertest.Bulks("1", "2")) {
		t.Fatalf("first BLMPOP = %q", got)
	}
	if got := b.Read(); got != servertest.Array(servertest.Bulk("q"), servertest.Bulks("3")) {
		t.Fatalf("second BLMPOP = %q", got)
	}
	a.Send("BRPOPLPUSH", "src", "dst", "0")
	waitBlocked(t, srv, 1)
	c.Do("LPUSH", "src", "job")
	if got := a.Read(); got != servertest.Bulk("job") {
		t.Fatalf("BRPOPLPUSH = %q", got)
	}
	if got := c.Do("LRANGE", "dst", "0", "-1"); got != servertest.Bulks("job") {
		t.Fatalf("dst = %q", got)
	}
}

// CLIENT KILL of a blocked client removes its wait; nothing is popped.
func TestBlockingClientKill(t *testing.T) {
	srv := servertest.Start(t)
	c := servertest.Dial(t, srv.Addr())
	id := strings.TrimSpace(strings.TrimPrefix(c.Do("CLIENT", "ID"), ":"))
	c.Send("BRPOP", "q", "0")
	waitBlocked(t, srv, 1)
	rdb := newClient(t, srv.Addr())
	if n := rdb.ClientKillByFilter(ctx, "ID", id).Val(); n != 1 {
		t.Fatalf("CLIENT KILL = %d", n)
	}
	waitBlocked(t, srv, 0)
	rdb.RPush(ctx, "q", "job")
	if n := rdb.LLen(ctx, "q").Val(); n != 1 {
		t.Fatalf("LLEN = %d", n)
	}
}

// A push inside MULTI/EXEC serves a blocked client when EXEC runs.
func TestBlockingServedByExec(t *testing.T) {
	srv := servertest.Start(t)
	ch := blpopAsync(newClient(t, srv.Addr()), 0, "q")
	waitBlocked(t, srv, 1)
	rdb := newClient(t, srv.Addr())
	_, err := rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.RPush(ctx, "q", "a", "b")
		p.LLen(ctx, "q")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := recv(t, ch); got[1] != "a" {
		t.Fatalf("got %v", got)
	}
	if n := rdb.LLen(ctx, "q").Val(); n != 1 {
		t.Fatalf("LLEN = %d, want 1", n)
	}
}

// Blocking commands block in the order they arrive, also when the push
// that serves them arrives in the same instant: the first blocked client
// is offered the element first (and here fails, its target being a
// string), then the next, as in Redis — even for clients that earlier
// blocked and went back to the event loop. (Before, each waited on a
// goroutine of its own and the second could block first, leaving the
// first blocked for ever.)
func TestBlockingOrderFollowsArrival(t *testing.T) {
	srv := servertest.Start(t)
	r := servertest.Dial(t, srv.Addr())
	defer r.Close()
	for i := range 30 {
		rd1, rd2 := servertest.Dial(t, srv.Addr()), servertest.Dial(t, srv.Addr())
		rd1.Do("PING")
		rd2.Do("PING")
		r.Do("DEL", "src", "t1", "t2")
		r.Do("SET", "t1", "string")
		rd1.Send("BRPOPLPUSH", "src", "t1", "0")
		rd2.Send("BRPOPLPUSH", "src", "t2", "0")
		r.Send("LPUSH", "src", "job")
		if got, err := rd1.ReadErr(5 * time.Second); err != nil || !strings.HasPrefix(got, "-WRONGTYPE") {
			t.Fatalf("round %d: first blocked client got %q, %v; want WRONGTYPE", i, got, err)
		}
		if got, err := rd2.ReadErr(5 * time.Second); err != nil || got != servertest.Bulk("job") {
			t.Fatalf("round %d: second blocked client got %q, %v; want the job", i, got, err)
		}
		if got := r.Read(); got != ":1\r\n" {
			t.Fatalf("round %d: LPUSH = %q", i, got)
		}
		rd1.Close()
		rd2.Close()
	}
}
