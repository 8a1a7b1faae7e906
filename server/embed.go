package server

import (
	"bytes"
	"errors"
	"net"
	"sync"
	"time"

	"github.com/cairn-db/cairn/protocol"
)

// In-process commands, for tests and programs that embed the server: a
// Session is a client without a socket. Its commands go through the
// dispatcher (execute) exactly as a network client's do — lookup, arity,
// AUTH and ACL, MULTI queueing, OOM, CLIENT PAUSE, injected faults,
// statistics — and its replies are written as RESP into a buffer, which Do
// decodes to Go values (embed_reply.go).
//
// Blocking commands never wait: as inside EXEC and scripts, BLPOP and
// friends answer at once as their non-blocking forms (a nil reply when
// there is nothing to pop). Commands that would turn the connection over
// to the server's pushes (SUBSCRIBE, PSUBSCRIBE, SSUBSCRIBE, MONITOR,
// CLIENT TRACKING) are refused: a Session has no connection to push to.

// ErrSessionClosed is returned by Do once the session has ended: Close,
// QUIT, CLIENT KILL or an injected Drop fault closed it, or the server
// closed.
var ErrSessionClosed = errors.New("server: session closed")

// ReplyError is an error reply of the server; its text is the reply's
// line, "WRONGTYPE Operation against a key holding the wrong kind of value"
// for instance. Do returns it as its error, and an error inside an array
// reply (EXEC's) is an element of this type.
type ReplyError = protocol.Error

// Session is an in-process client with its own state (selected database,
// authentication, MULTI, WATCH, RESP version), for running commands
// without a network connection. It is safe for concurrent use; its
// commands run one at a time, in the order Do is called.
type Session struct {
	mu     sync.Mutex
	s      *Server
	c      *Client
	nc     *sessionConn
	closed bool
}

// Session returns a new in-process client, in database 0 and speaking
// RESP2, authenticated as the default user unless the server requires a
// password (then send AUTH first, as a network client would). It is not
// listed by CLIENT LIST nor counted in connected_clients, as Redis's
// internal clients are not. Close it when done.
func (s *Server) Session() *Session {
	nc := &sessionConn{}
	c := s.newClient(nc, nil)
	// As EXEC and scripts: blocking commands answer at once.
	c.ctx.noBlock = true
	return &Session{s: s, c: c, nc: nc}
}

// Do runs one command in a fresh Session and returns its decoded reply
// (see Session.Do). Each call is a new client, in database 0: use a
// Session for SELECT, MULTI or AUTH to last from one command to the next.
func (s *Server) Do(args ...string) (any, error) {
	se := s.Session()
	defer se.Close()
	return se.Do(args...)
}

// Do runs one command and returns its reply decoded to Go values:
//
//	simple and bulk strings  string (a verbatim string without its "txt:")
//	integers                 int64
//	doubles (RESP3)          float64
//	booleans (RESP3)         bool
//	big numbers (RESP3)      string
//	null bulk, null array,   nil
//	RESP3 null
//	arrays, sets, pushes     []any
//	maps (RESP3)             map[string]any
//	error reply              nil and a ReplyError with the error's line
//
// Under RESP2, the default, a map reply (HGETALL, CONFIG GET) is the flat
// []any the wire carries; after HELLO 3 it is a map[string]any. An error
// inside an array (an EXEC slot) is a ReplyError element. The reply is
// returned once the writes it acknowledges are durable, as a network
// client would receive it.
func (se *Session) Do(args ...string) (any, error) {
	se.mu.Lock()
	defer se.mu.Unlock()
	c := se.c
	if se.closed || c.quitting || se.s.ctx.Err() != nil {
		return nil, ErrSessionClosed
	}
	if len(args) == 0 {
		return nil, protocol.Error("ERR empty command")
	}
	bargs := make([][]byte, len(args))
	for i, a := range args {
		bargs[i] = []byte(a)
	}
	if err := se.s.refuseInSession(c, bargs); err != nil {
		return nil, err
	}
	se.s.execute(c, bargs)
	if !c.quitting {
		c.out.Flush() // runs the durability barrier first (ackDurable)
	}
	out := se.nc.take()
	if len(out) == 0 {
		if c.quitting {
			se.closeLocked()
			return nil, ErrSessionClosed
		}
		// CLIENT REPLY OFF or SKIP: nothing was sent.
		return nil, nil
	}
	v, err := decodeReply(out)
	if c.quitting {
		se.closeLocked() // QUIT: its +OK came back, then the end
	}
	return v, err
}

// Close ends the session: its WATCHes are dropped and its MULTI
// discarded. Closing twice is harmless.
func (se *Session) Close() {
	se.mu.Lock()
	defer se.mu.Unlock()
	se.closeLocked()
}

func (se *Session) closeLocked() {
	if se.closed {
		return
	}
	se.closed = true
	se.c.quitting = true
	se.s.forget(se.c)
}

// refuseInSession refuses the commands that need a connection for the
// server to push to.
func (s *Server) refuseInSession(c *Client, args [][]byte) error {
	cmd := s.table.lookupArgs(args)
	if cmd == nil {
		return nil // the dispatcher answers the unknown command
	}
	switch cmd.FullName() {
	case "subscribe", "psubscribe", "ssubscribe", "monitor", "client|tracking":
		return protocol.Error("ERR " + cmd.FullName() + " needs a connection: it is not available to an in-process Session")
	}
	return nil
}

// sessionConn is a Session's stand-in for a socket: what the server writes
// is kept for Do to decode, and reads find nothing.
type sessionConn struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	closed bool
}

func (sc *sessionConn) Write(p []byte) (int, error) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if sc.closed {
		return 0, net.ErrClosed
	}
	return sc.buf.Write(p)
}

// take returns and clears what was written.
func (sc *sessionConn) take() []byte {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	out := bytes.Clone(sc.buf.Bytes())
	sc.buf.Reset()
	return out
}

func (sc *sessionConn) Read([]byte) (int, error) { return 0, net.ErrClosed }

func (sc *sessionConn) Close() error {
	sc.mu.Lock()
	sc.closed = true
	sc.mu.Unlock()
	return nil
}

func (sc *sessionConn) LocalAddr() net.Addr              { return sessionAddr{} }
func (sc *sessionConn) RemoteAddr() net.Addr             { return sessionAddr{} }
func (sc *sessionConn) SetDeadline(time.Time) error      { return nil }
func (sc *sessionConn) SetReadDeadline(time.Time) error  { return nil }
func (sc *sessionConn) SetWriteDeadline(time.Time) error { return nil }

// sessionAddr is a Session's address in logs and CLIENT INFO.
type sessionAddr struct{}

func (sessionAddr) Network() string { return "session" }
func (sessionAddr) String() string  { return "session:0" }
