package server

import (
	"errors"
	"net"
	"syscall"
)

// socketConn digs the TCP connection out of nc, through TLS (NetConn), so
// a blocked client's socket can be checked for a hang-up without reading
// from it, and CLIENT LIST can show its descriptor.
func socketConn(nc net.Conn) net.Conn {
	for {
		t, ok := nc.(interface{ NetConn() net.Conn })
		if !ok {
			return nc
		}
		nc = t.NetConn()
	}
}

// errNoSocket: the connection has no socket of its own (net.Pipe).
var errNoSocket = errors.New("not a socket")

// rawSocket returns the RawConn of the socket under nc (through TLS).
func rawSocket(nc net.Conn) (syscall.RawConn, error) {
	sc, ok := socketConn(nc).(syscall.Conn)
	if !ok {
		return nil, errNoSocket
	}
	return sc.SyscallConn()
}
