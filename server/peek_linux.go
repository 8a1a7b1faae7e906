package server

import (
	"net"

	"golang.org/x/sys/unix"
)

// peerClosed reports whether the client at the other end of nc has hung
// up, without consuming anything it sent. poll's POLLRDHUP reports the
// peer's FIN even when unread bytes precede it, such as a pipelined
// command or a TLS close_notify alert, which a MSG_PEEK read could not see
// past. A connection closed on our side (CLIENT KILL) counts as closed.
func peerClosed(nc net.Conn) bool {
	raw, err := rawSocket(nc)
	if err != nil {
		return err != errNoSocket
	}
	closed := false
	err = raw.Control(func(fd uintptr) {
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLRDHUP}}
		for {
			n, perr := unix.Poll(fds, 0)
			if perr == unix.EINTR {
				continue
			}
			closed = perr != nil || (n > 0 && fds[0].Revents&(unix.POLLRDHUP|unix.POLLHUP|unix.POLLERR|unix.POLLNVAL) != 0)
			return
		}
	})
	return closed || err != nil
}
