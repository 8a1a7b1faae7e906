//go:build unix && !linux

package server

import (
	"errors"
	"net"
	"syscall"
)

// peerClosed reports whether the client at the other end of nc has closed
// the connection, without consuming anything it sent: a non-blocking
// MSG_PEEK read returns 0 bytes at end of stream and EAGAIN while the
// connection is open and idle. A connection closed on our side (CLIENT
// KILL) counts as closed too.
func peerClosed(nc net.Conn) bool {
	raw, err := rawSocket(nc)
	if err != nil {
		return err != errNoSocket
	}
	closed := false
	var buf [1]byte
	err = raw.Read(func(fd uintptr) bool {
		n, _, rerr := syscall.Recvfrom(int(fd), buf[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		switch {
		case rerr == nil:
			closed = n == 0
		case errors.Is(rerr, syscall.EAGAIN), errors.Is(rerr, syscall.EINTR):
		default:
			closed = true
		}
		return true
	})
	return closed || err != nil
}
