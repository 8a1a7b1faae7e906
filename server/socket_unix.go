//go:build unix

package server

import (
	"io"
	"net"
	"sync/atomic"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/cairn-db/cairn/protocol"
)

// socket is the I/O of a connection an event loop serves (eventloop_linux.go).
// In the loop its reads and writes are non-blocking system calls on the
// descriptor: a read that finds nothing returns protocol.ErrWouldBlock,
// and a write the client is too slow to take keeps the rest as unsent.
// The calls go through the connection's RawConn, so a concurrent Close
// cannot free the descriptor under them. Once the loop hands the client
// to a goroutine (handOff), the socket is the net.Conn's blocking I/O.
type socket struct {
	nc     net.Conn
	raw    syscall.RawConn
	inLoop atomic.Bool // read by kill, from any goroutine
	unsent []byte      // reply bytes the client has not taken yet
	loopFD int32       // the descriptor the loop's epoll set knows it by

	// The RawConn callbacks are bound once, so a read or write does not
	// allocate a closure; they pass their operands through these fields.
	readFn, writeFn func(fd uintptr) bool
	p               []byte
	n               int
	err             error
}

// newSocket returns nc's socket for an event loop, or nil when nc has no
// descriptor to poll.
func newSocket(nc net.Conn) *socket {
	raw, err := rawSocket(nc)
	if err != nil {
		return nil
	}
	s := &socket{nc: nc, raw: raw}
	s.readFn, s.writeFn = s.readFD, s.writeFD
	s.inLoop.Store(true)
	return s
}

// Read reads what has arrived.
func (s *socket) Read(p []byte) (int, error) {
	if !s.inLoop.Load() {
		return s.nc.Read(p)
	}
	if len(p) == 0 {
		return 0, nil
	}
	s.p = p
	err := s.raw.Read(s.readFn)
	s.p = nil
	if err != nil {
		return 0, err
	}
	return s.n, s.err
}

func (s *socket) readFD(fd uintptr) bool {
	for {
		n, err := rawRead(int(fd), s.p)
		switch {
		case err == syscall.EINTR:
			continue
		case err == syscall.EAGAIN:
			s.n, s.err = 0, protocol.ErrWouldBlock
		case err != nil:
			s.n, s.err = 0, err
		case n == 0:
			s.n, s.err = 0, io.EOF
		default:
			s.n, s.err = n, nil
		}
		return true
	}
}

// Write sends p. In the loop it never waits: what the client does not
// take now is kept, and the loop hands the client to a goroutine, which
// sends it first.
func (s *socket) Write(p []byte) (int, error) {
	if !s.inLoop.Load() {
		if err := s.sendUnsent(); err != nil {
			return 0, err
		}
		return s.nc.Write(p)
	}
	if len(s.unsent) > 0 {
		s.unsent = append(s.unsent, p...)
		return len(p), nil
	}
	s.p = p
	err := s.raw.Write(s.writeFn)
	s.p = nil
	if err == nil {
		err = s.err
	}
	if err != nil {
		return s.n, err
	}
	if s.n < len(p) {
		s.unsent = append([]byte(nil), p[s.n:]...)
	}
	return len(p), nil
}

func (s *socket) writeFD(fd uintptr) bool {
	s.n, s.err = 0, nil
	for s.n < len(s.p) {
		n, err := rawWrite(int(fd), s.p[s.n:])
		switch {
		case err == syscall.EINTR:
			continue
		case err == syscall.EAGAIN:
			return true
		case err != nil:
			s.err = err
			return true
		}
		s.n += n
	}
	return true
}

// unsentLen is the reply bytes the client has not taken yet.
func (s *socket) unsentLen() int { return len(s.unsent) }

// stalled reports whether the client left replies unread: the loop must
// not wait for it.
func (s *socket) stalled() bool { return len(s.unsent) > 0 }

// sendUnsent sends, with blocking I/O, what the loop could not: the
// goroutine that takes the client over does it before reading again.
func (s *socket) sendUnsent() error {
	if len(s.unsent) == 0 {
		return nil
	}
	_, err := s.nc.Write(s.unsent)
	s.unsent = nil
	return err
}

// shutdown ends both directions of the connection without closing the
// descriptor, which the loop still polls: the loop then reads the end of
// the stream and closes the connection itself.
func (s *socket) shutdown() {
	s.raw.Control(func(fd uintptr) { unix.Shutdown(int(fd), unix.SHUT_RDWR) })
}

// rawRead and rawWrite are read(2) and write(2) without telling the Go
// scheduler: on a non-blocking socket they never block, and entering a
// system call the scheduler's way wakes its monitor thread whenever the
// process was idle — at -P 1, more kernel time than the read itself.
func rawRead(fd int, p []byte) (int, error) {
	n, _, e := syscall.RawSyscall(syscall.SYS_READ, uintptr(fd), uintptr(unsafe.Pointer(unsafe.SliceData(p))), uintptr(len(p)))
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}

func rawWrite(fd int, p []byte) (int, error) {
	n, _, e := syscall.RawSyscall(syscall.SYS_WRITE, uintptr(fd), uintptr(unsafe.Pointer(unsafe.SliceData(p))), uintptr(len(p)))
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}
