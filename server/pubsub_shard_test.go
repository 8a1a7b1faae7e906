package server_test

import (
	"bufio"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	. "github.com/cairn-db/cairn/server/servertest"
)

// subReply is a (un)subscribe confirmation in RESP2.
func subReply(kind, name string, count int64) string {
	n := Bulk(name)
	if name == "<nil>" {
		n = "$-1\r\n"
	}
	return "*3\r\n" + Bulk(kind) + n + Int(count)
}

const errSubscribedGet = "-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n"

// A client with only shard subscriptions is in RESP2 subscribed mode
// until the last one goes; (un)subscribe counts are per namespace: shard
// channels apart, channels and patterns together (Redis 7.0).
func TestShardSubscribedMode(t *testing.T) {
	runSteps(t, []step{
		{"SSUBSCRIBE a", subReply("ssubscribe", "a", 1)},
		{"GET k", errSubscribedGet},
		{"PING", "*2\r\n" + Bulk("pong") + Bulk("")},
		{"PUBSUB SHARDCHANNELS", "-ERR Can't execute 'pubsub|shardchannels': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n"},
		{"SUBSCRIBE x", subReply("subscribe", "x", 1)},
		{"PSUBSCRIBE p*", subReply("psubscribe", "p*", 2)},
		{"SSUBSCRIBE b", subReply("ssubscribe", "b", 2)},
		{"SSUBSCRIBE b", subReply("ssubscribe", "b", 2)},
		{"UNSUBSCRIBE", subReply("unsubscribe", "x", 1)},
		{"PUNSUBSCRIBE", subReply("punsubscribe", "p*", 0)},
		{"UNSUBSCRIBE", subReply("unsubscribe", "<nil>", 0)},
		{"GET k", errSubscribedGet},
		{"SUNSUBSCRIBE nope", subReply("sunsubscribe", "nope", 2)},
		{"SUNSUBSCRIBE a", subReply("sunsubscribe", "a", 1)},
		{"GET k", errSubscribedGet},
		{"SUNSUBSCRIBE", subReply("sunsubscribe", "b", 0)},
		{"SUNSUBSCRIBE", subReply("sunsubscribe", "<nil>", 0)},
		{"GET k", "$-1\r\n"},
		{"SSUBSCRIBE c", subReply("ssubscribe", "c", 1)},
		{"RESET", Status("RESET")},
		{"GET k", "$-1\r\n"},
		{"PUBSUB SHARDCHANNELS", "*0\r\n"},
	})
}

// SPUBLISH reaches shard subscribers only, PUBLISH the others only.
func TestShardNamespaces(t *testing.T) {
	srv := Start(t)
	shard, plain, pub := Dial(t, srv.Addr()), Dial(t, srv.Addr()), Dial(t, srv.Addr())
	shard.Do("SSUBSCRIBE", "ch")
	plain.Do("SUBSCRIBE", "ch")
	plain.Do("PSUBSCRIBE", "*")
	if got := pub.Do("SPUBLISH", "ch", "s"); got != Int(1) {
		t.Fatalf("SPUBLISH: %q", got)
	}
	if got := pub.Do("PUBLISH", "ch", "p"); got != Int(2) {
		t.Fatalf("PUBLISH: %q", got)
	}
	if got := shard.Read(); got != "*3\r\n"+Bulk("smessage")+Bulk("ch")+Bulk("s") {
		t.Fatalf("shard subscriber got %q", got)
	}
	if got := plain.Read(); got != "*3\r\n"+Bulk("message")+Bulk("ch")+Bulk("p") {
		t.Fatalf("channel subscriber got %q", got)
	}
	if got := pub.Do("PUBSUB", "SHARDNUMSUB", "ch", "x"); got != Array(Bulk("ch"), Int(1), Bulk("x"), Int(0)) {
		t.Fatalf("SHARDNUMSUB: %q", got)
	}
	if got := pub.Do("PUBSUB", "SHARDCHANNELS"); got != Bulks("ch") {
		t.Fatalf("SHARDCHANNELS: %q", got)
	}
	// RESP3: confirmations and messages are pushes.
	shard3 := Dial(t, srv.Addr())
	shard3.Do("HELLO", "3")
	if got := shard3.Do("SSUBSCRIBE", "ch"); got != ">3\r\n"+Bulk("ssubscribe")+Bulk("ch")+Int(1) {
		t.Fatalf("RESP3 SSUBSCRIBE: %q", got)
	}
	pub.Do("SPUBLISH", "ch", "3")
	if got := shard3.Read(); got != ">3\r\n"+Bulk("smessage")+Bulk("ch")+Bulk("3") {
		t.Fatalf("RESP3 shard message: %q", got)
	}
}

// CLIENT LIST shows shard subscriptions (ssub=, flag P), TYPE pubsub
// finds a shard-only subscriber and CLIENT KILL TYPE pubsub closes it;
// INFO counts shard channels.
func TestShardClientListAndInfo(t *testing.T) {
	srv := Start(t)
	sub, admin := Dial(t, srv.Addr()), Dial(t, srv.Addr())
	sub.Do("SSUBSCRIBE", "a", "b")
	sub.Read() // b's confirmation
	list := admin.Do("CLIENT", "LIST", "TYPE", "pubsub")
	if strings.Count(list, "id=") != 1 || !strings.Contains(list, " flags=P ") || !strings.Contains(list, " sub=0 psub=0 ssub=2 ") {
		t.Fatalf("CLIENT LIST TYPE pubsub = %q", list)
	}
	if normal := admin.Do("CLIENT", "LIST", "TYPE", "normal"); strings.Contains(normal, "ssub=2") {
		t.Fatalf("subscriber listed as normal: %q", normal)
	}
	if info := admin.Do("INFO", "stats"); !strings.Contains(info, "\r\npubsubshard_channels:2\r\n") {
		t.Fatalf("INFO stats: %q", info)
	}
	if got := admin.Do("CLIENT", "KILL", "TYPE", "pubsub"); got != Int(1) {
		t.Fatalf("CLIENT KILL TYPE pubsub = %q", got)
	}
	if got, err := sub.ReadErr(5 * time.Second); err == nil {
		t.Fatalf("killed subscriber still connected: read %q", got)
	}
	waitFor(t, admin, []string{"PUBSUB", "SHARDCHANNELS"}, "*0\r\n")
}

// waitFor polls cmd until it answers want: a closed client's
// subscriptions go when its goroutine has seen the close.
func waitFor(t *testing.T, c *Conn, cmd []string, want string) {
	t.Helper()
	got := ""
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if got = c.Do(cmd...); got == want {
			return
		}
	}
	t.Fatalf("%v = %q, want %q", cmd, got, want)
}

// ACL &patterns govern shard channels (the channel is not a key), denials
// are logged with the channel or key, and ACL SETUSER disconnects a subscriber whose channels
// its new rules deny, in every namespace.
func TestShardACL(t *testing.T) {
	srv := Start(t)
	admin := Dial(t, srv.Addr())
	if got := admin.Do("ACL", "SETUSER", "u", "on", "nopass", "+@all", "~k*", "resetchannels", "&news*"); got != Status("OK") {
		t.Fatalf("ACL SETUSER: %q", got)
	}
	const noperm = "-NOPERM this user has no permissions to access one of the channels used as arguments\r\n"
	for _, tc := range []struct{ args, want string }{
		{"ACL DRYRUN u SPUBLISH news1 m", Status("OK")},
		{"ACL DRYRUN u SPUBLISH other m", Bulk("This user has no permissions to access the 'other' channel")},
		{"ACL DRYRUN u SSUBSCRIBE news1 other", Bulk("This user has no permissions to access the 'other' channel")},
		{"ACL DRYRUN u SUNSUBSCRIBE other", Status("OK")},
		{"COMMAND GETKEYS SPUBLISH ch m", "-ERR The command has no key arguments\r\n"},
	} {
		if got := admin.Do(strings.Fields(tc.args)...); got != tc.want {
			t.Errorf("%s = %q, want %q", tc.args, got, tc.want)
		}
	}
	users := make([]*Conn, 4)
	for i := range users {
		users[i] = Dial(t, srv.Addr())
		users[i].Do("AUTH", "u", "x")
	}
	if got := users[0].Do("SPUBLISH", "other", "m"); got != noperm {
		t.Fatalf("SPUBLISH other: %q", got)
	}
	if got := users[0].Do("SSUBSCRIBE", "news1", "other"); got != noperm {
		t.Fatalf("SSUBSCRIBE news1 other: %q", got)
	}
	if log := admin.Do("ACL", "LOG", "1"); !strings.Contains(log, Bulk("reason")+Bulk("channel")) || !strings.Contains(log, Bulk("object")+Bulk("other")) {
		t.Fatalf("ACL LOG: %q", log)
	}
	// In a script the denial is logged in context lua.
	if got := users[0].Do("EVAL", "return redis.pcall('spublish', 'other', 'm')", "0"); got != "-ERR The user executing the script can't publish to the channel mentioned in the command\r\n" {
		t.Fatalf("SPUBLISH from a script: %q", got)
	}
	if log := admin.Do("ACL", "LOG", "1"); !strings.Contains(log, Bulk("context")+Bulk("lua")+Bulk("object")+Bulk("other")) {
		t.Fatalf("ACL LOG after a script's denial: %q", log)
	}
	// A key denial names the key, as Redis's log does.
	users[0].Do("GET", "nokey")
	if log := admin.Do("ACL", "LOG", "1"); !strings.Contains(log, Bulk("reason")+Bulk("key")) || !strings.Contains(log, Bulk("object")+Bulk("nokey")) {
		t.Fatalf("ACL LOG: %q", log)
	}
	users[0].Do("SSUBSCRIBE", "news1") // stays allowed
	users[1].Do("SSUBSCRIBE", "news2")
	users[2].Do("SUBSCRIBE", "news3")
	users[3].Do("PSUBSCRIBE", "news*")
	if got := admin.Do("ACL", "SETUSER", "u", "resetchannels", "&news1"); got != Status("OK") {
		t.Fatalf("ACL SETUSER: %q", got)
	}
	if got := users[0].Do("PING"); got != "*2\r\n"+Bulk("pong")+Bulk("") {
		t.Fatalf("allowed subscriber: PING = %q", got)
	}
	for i, c := range users[1:] {
		if got, err := c.ReadErr(5 * time.Second); err == nil {
			t.Errorf("denied subscriber %d still connected (read %q)", i+1, got)
		}
	}
	waitFor(t, admin, []string{"PUBSUB", "SHARDCHANNELS"}, Bulks("news1"))
}

// rawConn is a connection for goroutines, which may not call t.Fatal:
// it reports errors instead.
type rawConn struct {
	nc net.Conn
	r  *bufio.Reader
}

func dialRaw(addr string) (*rawConn, error) {
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	nc.SetDeadline(time.Now().Add(30 * time.Second))
	return &rawConn{nc, bufio.NewReader(nc)}, nil
}

func (c *rawConn) send(args ...string) error {
	_, err := c.nc.Write([]byte(EncodeCommand(args...)))
	return err
}

// readUntil reads replies until one starts with prefix, skipping
// messages published meanwhile.
func (c *rawConn) readUntil(prefix string) error {
	for {
		r, err := ReadReply(c.r)
		if err != nil || strings.HasPrefix(r, prefix) {
			return err
		}
	}
}

// Shard subscribers subscribing, unsubscribing, resetting and closing
// while others SPUBLISH, PUBLISH, list them and kill them: no data race
// (under -race), no lost reply, and the registry ends empty.
func TestShardPubSubConcurrent(t *testing.T) {
	srv := Start(t)
	addr := srv.Addr()
	rounds := 60
	if raceEnabled {
		rounds = 20
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range rounds {
				c, err := dialRaw(addr)
				if err != nil {
					t.Error(err)
					return
				}
				ch := "ch" + strconv.Itoa(i%3)
				c.send("SSUBSCRIBE", ch, "common")
				c.send("SUBSCRIBE", ch)
				c.send("SUNSUBSCRIBE", ch)
				err = c.readUntil("*3\r\n" + Bulk("sunsubscribe"))
				if err == nil && (g+i)%2 == 0 {
					c.send("RESET")
					err = c.readUntil("+RESET")
				}
				// A CLIENT KILL TYPE pubsub may have closed it: that is
				// an error here only when nothing killed it.
				if err != nil && !strings.Contains(err.Error(), "EOF") && !strings.Contains(err.Error(), "reset") {
					t.Errorf("subscriber %d round %d: %v", g, i, err)
				}
				c.nc.Close()
			}
		}()
	}
	var pubs sync.WaitGroup
	for g := range 3 {
		pubs.Add(1)
		go func() {
			defer pubs.Done()
			c, err := dialRaw(addr)
			if err != nil {
				t.Error(err)
				return
			}
			defer c.nc.Close()
			cmds := [][]string{
				{"SPUBLISH", "common", "m"}, {"PUBLISH", "ch1", "m"}, {"SPUBLISH", "ch2", "m"},
				{"PUBSUB", "SHARDNUMSUB", "common"}, {"PUBSUB", "SHARDCHANNELS"}, {"CLIENT", "LIST"},
			}
			if g == 0 {
				cmds = append(cmds, []string{"CLIENT", "KILL", "TYPE", "pubsub"})
			}
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if err := c.send(cmds[i%len(cmds)]...); err != nil {
					t.Error(err)
					return
				}
				if _, err := ReadReply(c.r); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	pubs.Wait()
	admin := Dial(t, addr)
	waitFor(t, admin, []string{"PUBSUB", "SHARDCHANNELS"}, "*0\r\n")
	waitFor(t, admin, []string{"PUBSUB", "CHANNELS"}, "*0\r\n")
}
