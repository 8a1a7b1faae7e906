package server_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	. "github.com/cairn-db/cairn/server/servertest"
)

// push is the RESP3 invalidation push for keys.
func push(keys ...string) string {
	s := ">2\r\n$10\r\ninvalidate\r\n*" + strconv.Itoa(len(keys)) + "\r\n"
	for _, k := range keys {
		s += "$" + strconv.Itoa(len(k)) + "\r\n" + k + "\r\n"
	}
	return s
}

// redirected is the RESP2 message a redirect target subscribed to
// __redis__:invalidate receives for keys.
func redirected(keys ...string) string {
	s := "*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n*" + strconv.Itoa(len(keys)) + "\r\n"
	for _, k := range keys {
		s += "$" + strconv.Itoa(len(k)) + "\r\n" + k + "\r\n"
	}
	return s
}

// resp3 dials a connection that speaks RESP3.
func resp3(t *testing.T, addr string) *Conn {
	t.Helper()
	c := Dial(t, addr)
	if got := c.Do("HELLO", "3"); !strings.HasPrefix(got, "%") {
		t.Fatalf("HELLO 3: %q", got)
	}
	return c
}

func expect(t *testing.T, what, got, want string) {
	t.Helper()
	if got != want {
		t.Fatalf("%s: got %q, want %q", what, got, want)
	}
}

// silent checks that c has nothing more to read: a PING answers next.
func silent(t *testing.T, c *Conn) {
	t.Helper()
	expect(t, "nothing before PING", c.Do("PING"), "+PONG\r\n")
}

func TestTrackingDefaultMode(t *testing.T) {
	srv := Start(t)
	c := resp3(t, srv.Addr())
	other := Dial(t, srv.Addr())
	expect(t, "TRACKING ON", c.Do("CLIENT", "TRACKING", "ON"), "+OK\r\n")
	other.Do("SET", "a", "1")
	expect(t, "GET a", c.Do("GET", "a"), "$1\r\n1\r\n")
	c.Do("MGET", "b", "c")
	other.Do("SET", "unread", "1") // never read: no message
	other.Do("SET", "a", "2")
	expect(t, "invalidation", c.Read(), push("a"))
	// Sent once: the key is forgotten until read again.
	other.Do("SET", "a", "3")
	other.Do("MSET", "b", "1", "c", "2")
	expect(t, "b", c.Read(), push("b"))
	expect(t, "c", c.Read(), push("c"))
	silent(t, c)

	// Its own write: the invalidation follows the reply.
	c.Do("GET", "a")
	c.Send("SET", "a", "4")
	expect(t, "SET reply", c.Read(), "+OK\r\n")
	expect(t, "own invalidation", c.Read(), push("a"))

	// Inside MULTI, after EXEC's reply.
	c.Do("GET", "a")
	c.Do("MULTI")
	c.Do("GET", "a")
	c.Do("SET", "a", "5")
	expect(t, "EXEC", c.Do("EXEC"), "*2\r\n$1\r\n4\r\n+OK\r\n")
	expect(t, "after EXEC", c.Read(), push("a"))

	// A pipeline: each write's invalidation follows its own reply.
	c.Do("GET", "p")
	c.Write(EncodeCommand("SET", "p", "1") + EncodeCommand("GET", "p") + EncodeCommand("SET", "p", "2"))
	expect(t, "pipelined SET", c.Read(), "+OK\r\n")
	expect(t, "pipelined invalidation", c.Read(), push("p"))
	expect(t, "pipelined GET", c.Read(), "$1\r\n1\r\n")
	expect(t, "pipelined SET 2", c.Read(), "+OK\r\n")
	expect(t, "pipelined invalidation 2", c.Read(), push("p"))

	// A script's reads are its caller's.
	c.Do("EVAL", "return redis.call('get', KEYS[1])", "1", "s")
	other.Do("SET", "s", "1")
	expect(t, "script read", c.Read(), push("s"))

	// Off: nothing more is remembered.
	expect(t, "TRACKING OFF", c.Do("CLIENT", "TRACKING", "OFF"), "+OK\r\n")
	c.Do("GET", "z")
	other.Do("SET", "z", "1")
	silent(t, c)
}

func TestTrackingFlushAndExpiry(t *testing.T) {
	clock := NewClock()
	srv := Start(t, WithClock(clock))
	c := resp3(t, srv.Addr())
	other := Dial(t, srv.Addr())
	c.Do("CLIENT", "TRACKING", "ON")
	c.Do("GET", "a")
	other.Do("FLUSHALL")
	expect(t, "FLUSHALL", c.Read(), ">2\r\n$10\r\ninvalidate\r\n_\r\n")
	expect(t, "own FLUSHDB", c.Do("FLUSHDB"), "+OK\r\n")
	expect(t, "own FLUSHDB null", c.Read(), ">2\r\n$10\r\ninvalidate\r\n_\r\n")

	other.Do("SET", "e", "1", "PX", "100")
	c.Do("GET", "e")
	clock.FastForward(200 * time.Millisecond) // the active cycle reclaims it
	expect(t, "expired", c.Read(), push("e"))
}

func TestTrackingBcast(t *testing.T) {
	srv := Start(t)
	c := resp3(t, srv.Addr())
	other := Dial(t, srv.Addr())
	expect(t, "BCAST", c.Do("CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "x", "PREFIX", "y"), "+OK\r\n")
	other.Do("MSET", "xb", "1", "xa", "2", "z", "3")
	// One message per prefix, its keys sorted; z matches no prefix.
	expect(t, "x keys", c.Read(), push("xa", "xb"))
	other.Do("SET", "yy", "1")
	expect(t, "y key", c.Read(), push("yy"))
	// Every change is sent, read or not.
	other.Do("SET", "yy", "2")
	expect(t, "again", c.Read(), push("yy"))
	expect(t, "CLIENT INFO flags", fieldOf(c.Do("CLIENT", "INFO"), "flags"), "tB")
	expect(t, "INFO", infoField(c.Do("INFO", "stats"), "tracking_total_prefixes"), "2")

	// NOLOOP: not told about its own changes.
	n := resp3(t, srv.Addr())
	n.Do("CLIENT", "TRACKING", "ON", "BCAST", "NOLOOP")
	n.Do("MSET", "k1", "1", "k2", "2")
	other.Do("MSET", "k2", "1", "k3", "2")
	expect(t, "NOLOOP", n.Read(), push("k2", "k3"))
}

func TestTrackingOptInOptOut(t *testing.T) {
	srv := Start(t)
	c := resp3(t, srv.Addr())
	other := Dial(t, srv.Addr())
	c.Do("CLIENT", "TRACKING", "ON", "OPTIN")
	c.Do("GET", "o1") // not tracked: no CACHING YES
	expect(t, "CACHING YES", c.Do("CLIENT", "CACHING", "YES"), "+OK\r\n")
	c.Do("GET", "o2")
	c.Do("GET", "o3") // the grant lasted one command
	c.Do("CLIENT", "CACHING", "YES")
	c.Do("MGET", "o4", "o5")
	other.Do("MSET", "o1", "1", "o2", "2", "o3", "3", "o4", "4", "o5", "5")
	expect(t, "o2", c.Read(), push("o2"))
	expect(t, "o4", c.Read(), push("o4"))
	expect(t, "o5", c.Read(), push("o5"))
	silent(t, c)

	c.Do("CLIENT", "TRACKING", "OFF")
	c.Do("CLIENT", "TRACKING", "ON", "OPTOUT")
	expect(t, "CACHING NO", c.Do("CLIENT", "CACHING", "NO"), "+OK\r\n")
	c.Do("GET", "o1") // not tracked
	c.Do("GET", "o2")
	other.Do("MSET", "o1", "1", "o2", "2")
	expect(t, "optout", c.Read(), push("o2"))
	silent(t, c)
}

func TestTrackingNoloop(t *testing.T) {
	srv := Start(t)
	c := resp3(t, srv.Addr())
	other := Dial(t, srv.Addr())
	c.Do("CLIENT", "TRACKING", "ON", "NOLOOP")
	c.Do("GET", "a")
	c.Do("SET", "a", "1") // its own write: nothing, and the key is forgotten
	silent(t, c)
	other.Do("SET", "a", "2")
	silent(t, c)
	c.Do("GET", "a")
	other.Do("SET", "a", "3")
	expect(t, "other's write", c.Read(), push("a"))
}

func TestTrackingRedirectRESP2(t *testing.T) {
	srv := Start(t)
	sub := Dial(t, srv.Addr())
	id := strings.TrimSuffix(strings.TrimPrefix(sub.Do("CLIENT", "ID"), ":"), "\r\n")
	sub.Do("SUBSCRIBE", "__redis__:invalidate")
	c := Dial(t, srv.Addr())
	other := Dial(t, srv.Addr())
	expect(t, "REDIRECT", c.Do("CLIENT", "TRACKING", "ON", "REDIRECT", id), "+OK\r\n")
	expect(t, "GETREDIR", c.Do("CLIENT", "GETREDIR"), ":"+id+"\r\n")
	c.Do("GET", "a")
	other.Do("SET", "a", "1")
	expect(t, "message", sub.Read(), redirected("a"))
	other.Do("FLUSHALL")
	expect(t, "flush message", sub.Read(), "*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n$-1\r\n")
	line := c.Do("CLIENT", "INFO")
	expect(t, "flags", fieldOf(line, "flags"), "t")
	expect(t, "redir", fieldOf(line, "redir"), id)

	// The target goes: a RESP3 tracking client is told, and flagged R.
	c3 := resp3(t, srv.Addr())
	c3.Do("CLIENT", "TRACKING", "ON", "REDIRECT", id)
	c3.Do("GET", "z")
	sub.Do("QUIT")
	waitGone(t, other, id)
	other.Do("SET", "z", "1")
	expect(t, "broken", c3.Read(), ">2\r\n$21\r\ntracking-redir-broken\r\n:"+id+"\r\n")
	expect(t, "TRACKINGINFO", c3.Do("CLIENT", "TRACKINGINFO"),
		"%3\r\n$5\r\nflags\r\n~2\r\n$2\r\non\r\n$15\r\nbroken_redirect\r\n$8\r\nredirect\r\n:"+id+"\r\n$8\r\nprefixes\r\n*0\r\n")
	expect(t, "flags tR", fieldOf(c3.Do("CLIENT", "INFO"), "flags"), "tR")
}

// waitGone waits until client id has left CLIENT LIST.
func waitGone(t *testing.T, c *Conn, id string) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if !strings.Contains(c.Do("CLIENT", "LIST"), "id="+id+" ") {
			return
		}
	}
	t.Fatalf("client %s still listed", id)
}

func TestTrackingErrors(t *testing.T) {
	srv := Start(t)
	c := Dial(t, srv.Addr())
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"CLIENT", "TRACKING", "ON", "PREFIX", "a"}, "-ERR PREFIX option requires BCAST mode to be enabled\r\n"},
		{[]string{"CLIENT", "TRACKING", "ON", "BCAST", "OPTIN"}, "-ERR OPTIN and OPTOUT are not compatible with BCAST\r\n"},
		{[]string{"CLIENT", "TRACKING", "ON", "OPTIN", "OPTOUT"}, "-ERR You can't specify both OPTIN mode and OPTOUT mode\r\n"},
		{[]string{"CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "a", "PREFIX", "ab"}, "-ERR Prefix 'a' overlaps with another provided prefix 'ab'. Prefixes for a single client must not overlap.\r\n"},
		{[]string{"CLIENT", "TRACKING", "ON", "REDIRECT", "999"}, "-ERR The client ID you want redirect to does not exist\r\n"},
		{[]string{"CLIENT", "TRACKING", "ON", "REDIRECT", "0"}, "-ERR The client ID you want redirect to does not exist\r\n"},
		{[]string{"CLIENT", "TRACKING", "ON", "REDIRECT", "x"}, "-ERR value is not an integer or out of range\r\n"},
		{[]string{"CLIENT", "TRACKING", "ON", "REDIRECT"}, "-ERR syntax error\r\n"},
		{[]string{"CLIENT", "TRACKING", "ON", "FOO"}, "-ERR syntax error\r\n"},
		{[]string{"CLIENT", "TRACKING", "MAYBE"}, "-ERR syntax error\r\n"},
		{[]string{"CLIENT", "TRACKING"}, "-ERR wrong number of arguments for 'client|tracking' command\r\n"},
		{[]string{"CLIENT", "CACHING", "YES"}, "-ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled\r\n"},
		{[]string{"CLIENT", "GETREDIR"}, ":-1\r\n"},
		{[]string{"CLIENT", "TRACKINGINFO"}, "*6\r\n$5\r\nflags\r\n*1\r\n$3\r\noff\r\n$8\r\nredirect\r\n:-1\r\n$8\r\nprefixes\r\n*0\r\n"},
		{[]string{"CLIENT", "TRACKING", "ON"}, "+OK\r\n"},
		{[]string{"CLIENT", "CACHING", "YES"}, "-ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.\r\n"},
		{[]string{"CLIENT", "CACHING", "NO"}, "-ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.\r\n"},
		{[]string{"CLIENT", "TRACKING", "ON", "BCAST"}, "-ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.\r\n"},
		{[]string{"CLIENT", "TRACKING", "ON", "OPTIN"}, "+OK\r\n"},
		{[]string{"CLIENT", "TRACKING", "ON", "OPTOUT"}, "-ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.\r\n"},
		{[]string{"CLIENT", "CACHING", "MAYBE"}, "-ERR syntax error\r\n"},
		{[]string{"CLIENT", "GETREDIR"}, ":0\r\n"},
		{[]string{"CLIENT", "TRACKING", "OFF"}, "+OK\r\n"},
		{[]string{"CLIENT", "TRACKING", "ON", "BCAST"}, "+OK\r\n"},
		{[]string{"CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "x"}, "-ERR Prefix 'x' overlaps with an existing prefix ''. Prefixes for a single client must not overlap.\r\n"},
		{[]string{"CLIENT", "TRACKING", "OFF", "BCAST"}, "+OK\r\n"},
		{[]string{"CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "ab"}, "+OK\r\n"},
		{[]string{"CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "c", "NOLOOP"}, "+OK\r\n"},
		{[]string{"CLIENT", "TRACKINGINFO"}, "*6\r\n$5\r\nflags\r\n*3\r\n$2\r\non\r\n$5\r\nbcast\r\n$6\r\nnoloop\r\n$8\r\nredirect\r\n:0\r\n$8\r\nprefixes\r\n*2\r\n$2\r\nab\r\n$1\r\nc\r\n"},
	} {
		if got := c.Do(tc.args...); got != tc.want {
			t.Errorf("%v: got %q, want %q", tc.args, got, tc.want)
		}
	}
}

func TestTrackingTableLimitAndInfo(t *testing.T) {
	srv := Start(t)
	c := resp3(t, srv.Addr())
	admin := Dial(t, srv.Addr())
	expect(t, "CONFIG SET", admin.Do("CONFIG", "SET", "tracking-table-max-keys", "2"), "+OK\r\n")
	c.Do("CLIENT", "TRACKING", "ON")
	c.Do("MGET", "a", "b")
	info := admin.Do("INFO")
	expect(t, "tracking_clients", infoField(info, "tracking_clients"), "1")
	expect(t, "tracking_total_keys", infoField(info, "tracking_total_keys"), "2")
	expect(t, "tracking_total_items", infoField(info, "tracking_total_items"), "2")
	// A third key pushes a random one out (c itself maybe, as Redis's
	// random walk may pick it): its client hears of it as if it changed.
	c.Send("GET", "c")
	expect(t, "GET c", c.Read(), "_\r\n")
	if got := c.Read(); got != push("a") && got != push("b") && got != push("c") {
		t.Fatalf("evicted: %q", got)
	}
	expect(t, "after eviction", infoField(admin.Do("INFO", "stats"), "tracking_total_keys"), "2")
	c.Do("CLIENT", "TRACKING", "OFF")
	expect(t, "off", infoField(admin.Do("INFO", "clients"), "tracking_clients"), "0")
	// Nobody tracks: the keys left behind are dropped.
	expect(t, "keys dropped", infoField(admin.Do("INFO", "stats"), "tracking_total_keys"), "0")

	// RESET turns tracking off; so does disconnecting.
	c.Do("CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "p")
	c.Do("RESET")
	expect(t, "after RESET", fieldOf(c.Do("CLIENT", "INFO"), "flags"), "N")
	c.Do("CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "p")
	expect(t, "prefixes", infoField(admin.Do("INFO", "stats"), "tracking_total_prefixes"), "1")
	c.Close()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		info := admin.Do("INFO")
		if infoField(info, "tracking_clients") == "0" && infoField(info, "tracking_total_prefixes") == "0" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("tracking state left after disconnect:\n%s", info)
		}
	}
}

// fieldOf returns field k of a CLIENT INFO line (a verbatim string or
// bulk in either protocol).
func fieldOf(reply, k string) string {
	for _, f := range strings.Fields(reply) {
		if v, ok := strings.CutPrefix(f, k+"="); ok {
			return v
		}
	}
	return ""
}

// infoField returns field k of an INFO reply.
func infoField(reply, k string) string {
	for _, l := range strings.Split(reply, "\r\n") {
		if v, ok := strings.CutPrefix(l, k+":"); ok {
			return v
		}
	}
	return ""
}

// A tracking client's output is queued like a subscriber's, but it is a
// normal client: the pubsub class's output limit does not apply to it.
func TestTrackingClientIsNormalClass(t *testing.T) {
	srv := Start(t)
	c := resp3(t, srv.Addr())
	expect(t, "limit", c.Do("CONFIG", "SET", "client-output-buffer-limit", "pubsub 1000 0 0"), "+OK\r\n")
	c.Do("CLIENT", "TRACKING", "ON")
	big := strings.Repeat("x", 100000)
	c.Do("SET", "big", big)
	if got := c.Do("GET", "big"); got != "$100000\r\n"+big+"\r\n" {
		t.Fatalf("GET big: %d bytes", len(got))
	}
	silent(t, c)
}

// Lowering tracking-table-max-keys forgets keys at once, telling their
// clients, even when no command reads afterwards.
func TestTrackingMaxKeysAppliedOnConfigSet(t *testing.T) {
	srv := Start(t)
	c := resp3(t, srv.Addr())
	admin := Dial(t, srv.Addr())
	expect(t, "TRACKING ON", c.Do("CLIENT", "TRACKING", "ON"), "+OK\r\n")
	admin.Do("MSET", "k1", "1", "k2", "2")
	c.Do("MGET", "k1", "k2")
	expect(t, "CONFIG SET", admin.Do("CONFIG", "SET", "tracking-table-max-keys", "1"), "+OK\r\n")
	if got := c.Read(); got != push("k1") && got != push("k2") {
		t.Fatalf("after lowering tracking-table-max-keys: %q", got)
	}
	silent(t, c)
}

// A client served by a push after blocking in BLMOVE gets its reply
// first, then the invalidation of the key its BLMOVE changed.
func TestTrackingUnblockedBLMOVEReplyFirst(t *testing.T) {
	srv := Start(t)
	c := resp3(t, srv.Addr())
	other := Dial(t, srv.Addr())
	other.Do("RPUSH", "list2", "a")
	expect(t, "TRACKING ON", c.Do("CLIENT", "TRACKING", "ON"), "+OK\r\n")
	c.Do("LRANGE", "list2", "0", "-1")
	c.Send("BLMOVE", "list1", "list2", "LEFT", "LEFT", "0")
	for other.Do("INFO", "clients") != "" && !strings.Contains(other.Do("INFO", "clients"), "blocked_clients:1") {
		time.Sleep(time.Millisecond)
	}
	other.Do("RPUSH", "list1", "foo")
	expect(t, "BLMOVE reply", c.Read(), "$3\r\nfoo\r\n")
	expect(t, "then the invalidation", c.Read(), push("list2"))
}

// Keys evicted before a command are invalidated before its reply.
func TestTrackingEvictionBeforeReply(t *testing.T) {
	srv := Start(t)
	c := resp3(t, srv.Addr())
	expect(t, "TRACKING ON", c.Do("CLIENT", "TRACKING", "ON"), "+OK\r\n")
	c.Do("SETEX", "volatile-key", "10000", "x")
	c.Do("GET", "volatile-key")
	c.Do("CONFIG", "SET", "maxmemory-policy", "volatile-random")
	c.Do("CONFIG", "SET", "maxmemory", "100000")
	c.Do("SETBIT", "big-key", "1600000", "0") // 200 KB: over maxmemory
	expect(t, "eviction's invalidation first", c.Do("GETBIT", "big-key", "0"), push("volatile-key"))
	expect(t, "then the reply", c.Read(), ":0\r\n")
}

// A RESP3 redirect target that neither tracks nor subscribes gets the
// invalidations once it has run a command after becoming a target, even
// with CLIENT REPLY OFF.
func TestTrackingRedirectToPlainRESP3Client(t *testing.T) {
	srv := Start(t)
	redir := resp3(t, srv.Addr())
	id := strings.TrimSuffix(strings.TrimPrefix(redir.Do("CLIENT", "ID"), ":"), "\r\n")
	c := Dial(t, srv.Addr())
	other := Dial(t, srv.Addr())
	expect(t, "TRACKING ON REDIRECT", c.Do("CLIENT", "TRACKING", "ON", "REDIRECT", id), "+OK\r\n")
	other.Do("SET", "foo", "bar")
	c.Do("GET", "foo")
	expect(t, "target's PING", redir.Do("PING"), "+PONG\r\n")
	redir.Send("CLIENT", "REPLY", "OFF")
	other.Do("SET", "foo", "bar2")
	expect(t, "invalidation", redir.Read(), push("foo"))
	redir.Send("CLIENT", "REPLY", "ON")
	expect(t, "REPLY ON", redir.Read(), "+OK\r\n")
	silent(t, redir)
}

// Invalidations for a redirect target that has not run a command since
// it became one wait for its next command, and come before its reply.
func TestTrackingRedirectTargetKeepsEarlyInvalidations(t *testing.T) {
	srv := Start(t)
	redir := resp3(t, srv.Addr())
	id := strings.TrimSuffix(strings.TrimPrefix(redir.Do("CLIENT", "ID"), ":"), "\r\n")
	c := Dial(t, srv.Addr())
	other := Dial(t, srv.Addr())
	expect(t, "TRACKING ON REDIRECT", c.Do("CLIENT", "TRACKING", "ON", "REDIRECT", id), "+OK\r\n")
	other.Do("SET", "foo", "bar")
	c.Do("GET", "foo")
	other.Do("SET", "foo", "bar2")
	expect(t, "kept invalidation", redir.Do("PING"), push("foo"))
	expect(t, "then PING's reply", redir.Read(), "+PONG\r\n")
}
