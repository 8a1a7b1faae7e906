package server

import "net"

// socketConn digs the TCP connection out of nc, through the Guard
// (Unwrap) and TLS (NetConn), so a blocked client's socket can be checked
// for a hang-up without reading from it.
func socketConn(nc net.Conn) net.Conn {
	for {
		if u, ok := nc.(interface{ Unwrap() net.Conn }); ok {
			nc = u.Unwrap()
		} else if t, ok := nc.(interface{ NetConn() net.Conn }); ok {
			nc = t.NetConn()
		} else {
			return nc
		}
	}
}
