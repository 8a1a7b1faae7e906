package server

import (
	"errors"
	"io"
	"net"
	"time"

	"github.com/tidwall/redcon"

	"github.com/cairn-db/cairn/protocol"
)

// conn is a client's socket: the request reader, the reply buffer, and
// the rest of the batch of requests being run. Its loop (serveConn) reads
// every request that has arrived, runs them in order, and sends their
// replies in one write, so a pipeline costs one read and one write.
type conn struct {
	nc       net.Conn
	sock     *socket // nc's I/O while an event loop serves it; nil for TLS
	rd       *protocol.RequestReader
	wr       *redcon.Writer
	pending  [][][]byte    // the batch's requests not yet run
	closed   bool          // Close was called: the loop ends after this request
	detached bool          // MONITOR took the socket over
	released chan struct{} // closed once the loop that detached it is done with it
}

// newConn wraps nc; with a socket, requests and replies go through it.
func newConn(nc net.Conn, sock *socket, maxBulkLen func() int64) *conn {
	var rw io.ReadWriter = nc
	if sock != nil {
		rw = sock
	}
	return &conn{nc: nc, sock: sock, rd: protocol.NewRequestReader(rw, maxBulkLen), wr: redcon.NewWriter(rw)}
}

// inLoop reports whether an event loop serves the connection: its replies
// then leave at the end of the loop's round.
func (c *conn) inLoop() bool { return c.sock != nil && c.sock.inLoop.Load() }

// Pipelined is the number of requests queued behind the running one.
func (c *conn) Pipelined() int { return len(c.pending) }

// ReadPipeline removes and returns the requests queued behind the running
// one.
func (c *conn) ReadPipeline() [][][]byte {
	p := c.pending
	c.pending = nil
	return p
}

// Close sends the buffered replies and closes the socket; the loop ends
// after the running request.
func (c *conn) Close() error {
	c.wr.Flush()
	c.closed = true
	return c.nc.Close()
}

// Detach hands the socket to the caller, which then owns reading, writing
// and closing it; the loop ends after the running request.
func (c *conn) Detach() *detachedConn {
	c.detached = true
	c.released = make(chan struct{})
	return &detachedConn{conn: c}
}

// letGo is called by the loop or goroutine that served the connection
// when it stops: a detached connection's new owner may then take over
// the rest of its state (RESET after MONITOR).
func (c *conn) letGo() {
	if c.detached {
		close(c.released)
	}
}

// detachedConn is a socket taken over from the loop (MONITOR).
type detachedConn struct {
	*conn
	queued [][][]byte
}

// ReadCommand returns the client's next request.
func (d *detachedConn) ReadCommand() ([][]byte, error) {
	for len(d.queued) == 0 {
		cmds, err := d.rd.ReadBatch()
		if err != nil {
			return nil, err
		}
		d.queued = append(d.queued[:0], cmds...)
	}
	args := d.queued[0]
	d.queued = d.queued[1:]
	return args, nil
}

// WriteRaw buffers bytes to send.
func (d *detachedConn) WriteRaw(b []byte) { d.wr.WriteRaw(b) }

// Flush sends what is buffered.
func (d *detachedConn) Flush() error { return d.wr.Flush() }

// Close closes the socket. (conn.Close's flag belongs to the loop, which
// has let go of the socket.)
func (d *detachedConn) Close() error { return d.nc.Close() }

// serveListener accepts connections on ln until it closes. Close waits
// for every accept loop to end before it closes the clients, so no client
// slips past it; a listener CONFIG SET bind or port replaced leaves its
// clients connected.
func (s *Server) serveListener(ln net.Listener, loops bool) {
	for {
		nc, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) || s.ctx.Err() != nil {
				return
			}
			s.log.Warn("accept failed", "err", err)
			time.Sleep(10 * time.Millisecond) // e.g. out of file descriptors
			continue
		}
		c := s.accept(nc, loops)
		if c == nil || s.loops.add(c) {
			continue
		}
		if c.conn.sock != nil {
			c.conn.sock.inLoop.Store(false) // no loop took it (closing): blocking I/O
		}
		go s.serveConn(c, nil, nil)
	}
}

// serveConn is a connection's goroutine: it runs the batch it is given
// (handed over by an event loop), then the client's requests until the
// client leaves, is killed, or breaks the protocol — or, for a client an
// event loop handed over, until it can go back to a loop (rejoin).
func (s *Server) serveConn(c *Client, cmds [][][]byte, err error) {
	cn := c.conn
	rejoined := false
	defer func() {
		if rejoined {
			return // the loop owns c now
		}
		if !cn.detached {
			s.disconnect(c)
		}
		cn.letGo()
	}()
	if cmds == nil && err == nil {
		cmds, err = cn.rd.ReadBatch()
	}
	c.ranWaiting = false
	more := s.runBatch(c, cmds, err)
	c.releaseLoop()
	for more && cn.wr.Flush() == nil {
		c.noteMem() // the replies sent
		// A client that keeps sending blocking commands (a queue worker)
		// keeps its goroutine; one that went on to other commands goes
		// back to a loop.
		if !c.ranWaiting {
			if rejoined = s.loops.rejoin(c); rejoined {
				return // the loop serves c now: touch nothing of it
			}
		}
		c.ranWaiting = false
		cmds, err = cn.rd.ReadBatch()
		more = s.runBatch(c, cmds, err)
	}
}

// releaseLoop lets the event loop that handed c over with its turn go on
// (eventLoop.handOff): c has run the batch, or is about to wait for
// something that may take long. Only c's goroutine calls it.
func (c *Client) releaseLoop() {
	if turn := c.loopTurn; turn != nil {
		c.loopTurn = nil
		close(turn)
	}
}

// runBatch runs a batch of requests ReadBatch returned with err. It
// reports whether the connection goes on (its replies are then still
// buffered); when it does not, what had to be sent is sent.
func (s *Server) runBatch(c *Client, cmds [][][]byte, err error) bool {
	cn := c.conn
	cn.pending = cmds
	c.noteQueryBuf(true)
	for len(cn.pending) > 0 && !cn.closed && !cn.detached {
		args := cn.pending[0]
		cn.pending = cn.pending[1:]
		s.serveRESP(c, args)
	}
	c.clockMark = 0 // the wait for the next batch is not the next command's
	if cn.closed || cn.detached {
		return false
	}
	c.noteQueryBuf(false)
	if err == nil {
		return true
	}
	var fault *protocol.ProtocolError
	if errors.As(err, &fault) {
		cn.wr.WriteRaw(fault.Reply())
	}
	if s.ackDurable(c) == nil {
		cn.wr.Flush()
	}
	if err != io.EOF && fault == nil && !errors.Is(err, net.ErrClosed) {
		s.log.Debug("connection ended", "client", c.addr, "err", err)
	}
	return false
}

// disconnect closes c's connection and forgets the client.
func (s *Server) disconnect(c *Client) {
	c.conn.nc.Close()
	s.disconnected(c)
}
