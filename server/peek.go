package server

import "net"

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
