package server

import (
	"net"
	"time"

	"golang.org/x/sys/unix"
)

// watchHangup reports, on gone, the moment the client at the other end of
// nc hangs up, while its goroutine waits for something else (a blocked
// command). Redis's event loop reads the end of the stream at once; a
// blocked client noticed late would still count in blocked_clients, and
// could be handed an element it will never read. stop ends the watch and
// must be called before nc is read again.
func watchHangup(nc net.Conn) (gone <-chan struct{}, stop func()) {
	sc := socketConn(nc)
	raw, err := rawSocket(nc)
	if err != nil {
		return nil, func() {}
	}
	hungUp := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		// Go's netpoller wakes the callback on each readiness edge: bytes
		// the client pipelines while blocked (kept for later) or its FIN.
		// Returning false parks until the next edge.
		err := raw.Read(func(fd uintptr) bool {
			fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLRDHUP}}
			for {
				n, perr := unix.Poll(fds, 0)
				if perr == unix.EINTR {
					continue
				}
				return perr != nil || n > 0 && fds[0].Revents&(unix.POLLRDHUP|unix.POLLHUP|unix.POLLERR|unix.POLLNVAL) != 0
			}
		})
		if err == nil {
			close(hungUp)
		}
	}()
	return hungUp, func() {
		sc.SetReadDeadline(time.Unix(1, 0)) // wakes the parked watch
		<-done
		sc.SetReadDeadline(time.Time{})
	}
}
