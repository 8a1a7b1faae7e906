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
	rd       *protocol.RequestReader
	wr       *redcon.Writer
	pending  [][][]byte // the batch's requests not yet run
	closed   bool       // Close was called: the loop ends after this request
	detached bool       // MONITOR took the socket over
}

func newConn(nc net.Conn, wr *redcon.Writer, maxBulkLen func() int64) *conn {
	return &conn{nc: nc, rd: protocol.NewRequestReader(nc, maxBulkLen), wr: wr}
}

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
	return &detachedConn{conn: c}
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

// serveListener accepts connections on ln until it closes, then closes
// every client, so Close can wait for their goroutines. The clean-up runs
// in this goroutine, after its last accept, so no client slips past it.
func (s *Server) serveListener(ln net.Listener) {
	defer s.clients.each(func(c *Client) { c.kill() })
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
		c := s.accept(nc)
		if c == nil {
			continue
		}
		go s.serveConn(c)
	}
}

// serveConn is a connection's goroutine: it runs the client's requests
// until the client leaves, is killed, or breaks the protocol.
func (s *Server) serveConn(c *Client) {
	cn := c.conn
	defer func() {
		if !cn.detached {
			cn.nc.Close()
			s.disconnected(c)
		}
	}()
	for {
		cmds, err := cn.rd.ReadBatch()
		cn.pending = cmds
		for len(cn.pending) > 0 && !cn.closed && !cn.detached {
			args := cn.pending[0]
			cn.pending = cn.pending[1:]
			s.serveRESP(c, args)
		}
		c.clockMark = 0 // the wait for the next batch is not the next command's
		if cn.closed || cn.detached {
			return
		}
		var fault *protocol.ProtocolError
		if errors.As(err, &fault) {
			cn.wr.WriteRaw(fault.Reply())
		}
		if cn.wr.Flush() != nil || err != nil {
			if err != nil && err != io.EOF && fault == nil && !errors.Is(err, net.ErrClosed) {
				s.log.Debug("connection ended", "client", c.addr, "err", err)
			}
			return
		}
	}
}
