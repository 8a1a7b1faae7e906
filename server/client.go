package server

import (
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cairn-db/cairn/protocol"
	"github.com/cairn-db/cairn/store"
)

// Client is one connection's state. The connection's own goroutine runs
// its commands; other goroutines (CLIENT LIST, CLIENT KILL, INFO) read it
// through the atomics and the mutex.
type Client struct {
	ID      int64
	srv     *Server
	conn    *conn
	netConn net.Conn
	out     *protocol.Writer
	ctx     Context
	addr    string
	laddr   string
	fd      int
	created time.Time
	// unixSocket: connected through the unixsocket (CLIENT LIST's U).
	unixSocket bool

	// Touched only by the connection's goroutine.
	authenticated bool
	noTouch       bool
	replyMode     replyMode
	quitting      bool
	batch         *store.Tx     // the pipeline transaction commands run in, if any (pipeline.go)
	keyScratch    [][]byte      // the keys of a pipeline's commands (pipeline.go)
	cmdName       [24]byte      // the last command name looked up, and its command:
	cmdNameLen    int           // a pipeline repeats one command, and the cache
	cmdCached     *Command      // saves lower-casing and hashing its name each time
	clockMark     time.Duration // monotonic() end of the batch's last command; 0 between batches
	needFlush     bool          // wrote since the last durability barrier (see ackDurable)
	loopTurn      chan struct{} // closed when the event loop that handed c over may go on (releaseLoop)
	ranWaiting    bool          // the batch had a command that may wait (serveConn's rejoin)
	softSince     int64         // unix s when the output first passed the soft limit
	multi         *multiState   // non-nil between MULTI and EXEC/DISCARD
	inExec        bool          // EXEC is running the queued commands
	watched       []watchKey    // keys this client WATCHes
	subs          subscriptions
	outbox        *outbox               // set once the client subscribes or tracks: all output is queued
	trackPrefixes []string              // BCAST prefixes (tracking.go); changed under tracking.mu
	trackPending  []pendingInvalidation // its own invalidations, sent after its reply
	caller        *Client               // a script's client: the client running the script
	callerCmd     *Command              // and the EVAL or FCALL it runs, whose declared keys
	callerArgs    [][]byte              // a read in the script makes the caller track
	rdbOnly       rdbRequest            // what REPLCONF rdb-only / rdb-filter-only asked SYNC for (cmd_sync.go)
	memOwn        int64                 // the part of mem noteMem last counted (clientmem.go)
	omemOwn       int64                 // and the omem it last published
	held          int64                 // bytes of watched keys, subscriptions and tracking prefixes

	// dirty is set (under the keyspace lock, by any goroutine) when a
	// watched key changes: EXEC then fails.
	dirty atomic.Bool

	// Read by other goroutines.
	db              atomic.Int32
	wantBox         atomic.Bool  // a redirect target: start an outbox at its next command
	earlyMu         sync.Mutex   // guards early, and the switch to the outbox of a wantBox client
	early           []byte       // invalidations for a wantBox client before its outbox started
	lastInteraction atomic.Int64 // unix ms
	lastCmd         atomic.Pointer[Command]
	noEvict         atomic.Bool
	// multiShown is the client's MULTI queue for CLIENT LIST: the
	// number of queued commands plus one (0: not in MULTI), and
	// multiArgBytes their arguments' memory as Redis counts it.
	multiShown, multiArgBytes atomic.Int64
	// blockedArgv is the argument bytes of the command the client is
	// blocked in (CLIENT LIST's argv-mem), 0 when it is not blocked.
	blockedArgv    atomic.Int64
	aclUser        atomic.Pointer[aclUser]
	monitor        atomic.Bool            // detached into MONITOR mode (monitor.go)
	resp           atomic.Int32           // the protocol out encodes, for CLIENT LIST and pub/sub messages
	box            atomic.Pointer[outbox] // outbox, for goroutines that queue invalidations
	trackFlags     atomic.Uint32          // CLIENT TRACKING options (trackFlags)
	trackRedir     atomic.Int64           // CLIENT TRACKING REDIRECT's client ID, 0 for none
	qbuf, qbufFree atomic.Int64           // the query buffer, as noteQueryBuf last saw it
	mem            atomic.Int64           // the client's memory (clientmem.go); -1 once no longer counted
	omem           atomic.Int64           // its replies not sent, beyond the reply buffer (noteMem)

	mu      sync.Mutex
	name    string
	libName string
	libVer  string
}

type replyMode uint8

const (
	replyOn replyMode = iota
	replyOff
	replySkip
)

// socketFD returns the connection's file descriptor, for CLIENT LIST.
func socketFD(nc net.Conn) int {
	raw, err := rawSocket(nc)
	if err != nil {
		return -1
	}
	fd := -1
	raw.Control(func(f uintptr) { fd = int(f) })
	return fd
}

// lookup finds the command named name, through the client's one-entry
// cache.
func (c *Client) lookup(name []byte) *Command {
	if c.cmdCached != nil && len(name) == c.cmdNameLen && string(name) == string(c.cmdName[:c.cmdNameLen]) {
		return c.cmdCached
	}
	cmd := c.srv.table.lookup(name)
	if cmd != nil && len(name) <= len(c.cmdName) {
		c.cmdNameLen = copy(c.cmdName[:], name)
		c.cmdCached = cmd
	}
	return cmd
}

// DB returns the client's selected database.
func (c *Client) DB() int { return int(c.db.Load()) }

// userName is the ACL user the client is authenticated as.
func (c *Client) userName() string {
	if u := c.aclUser.Load(); u != nil {
		return u.name
	}
	return "default"
}

// Name returns the name set with CLIENT SETNAME.
func (c *Client) Name() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.name
}

func (c *Client) setName(n string) {
	c.mu.Lock()
	c.name = n
	c.mu.Unlock()
}

// setProto switches the connection to RESP2 or RESP3 (HELLO, RESET).
func (c *Client) setProto(p int) {
	c.out.SetProto(p)
	c.ctx.Out.SetProto(p) // a CLIENT REPLY OFF writer too
	c.resp.Store(int32(p))
}

// kill closes the connection from any goroutine. Closing the socket (not
// the conn, which would flush from the wrong goroutine) makes the
// connection's goroutine see an error and clean up. An event loop's
// client is shut down instead: the loop must see the end of its stream
// and close it itself, or the descriptor would leave the loop's epoll
// set unnoticed.
func (c *Client) kill() {
	if c.conn.inLoop() {
		c.conn.sock.shutdown()
		return
	}
	c.netConn.Close()
}

// clients is the registry of connected clients.
type clients struct {
	mu     sync.Mutex
	byID   map[int64]*Client
	nextID atomic.Int64
	total  atomic.Int64 // connections accepted since start
}

func (cs *clients) add(c *Client) {
	cs.mu.Lock()
	cs.byID[c.ID] = c
	cs.mu.Unlock()
}

func (cs *clients) remove(c *Client) {
	cs.mu.Lock()
	delete(cs.byID, c.ID)
	cs.mu.Unlock()
}

func (cs *clients) get(id int64) *Client {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return cs.byID[id]
}

// each calls f for every client.
func (cs *clients) each(f func(*Client)) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	for _, c := range cs.byID {
		f(c)
	}
}

func (cs *clients) count() int {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return len(cs.byID)
}

// snapshot returns the clients ordered by ID, but for those being freed
// (evicted, or killed over an output limit), which Redis frees before
// another client can see them.
func (cs *clients) snapshot() []*Client {
	cs.mu.Lock()
	out := make([]*Client, 0, len(cs.byID))
	for _, c := range cs.byID {
		if c.mem.Load() >= 0 {
			out = append(out, c)
		}
	}
	cs.mu.Unlock()
	sortClients(out)
	return out
}

// noteQueryBuf publishes the connection's query buffer figures for CLIENT
// LIST (qbuf, qbuf-free), and the client's memory; running is true while
// a batch it read runs. Only the goroutine or loop that reads the
// connection calls it.
func (c *Client) noteQueryBuf(running bool) {
	used, free := c.conn.rd.QueryBuf(running)
	c.qbuf.Store(int64(used))
	c.qbufFree.Store(int64(free))
	c.noteMem()
}
