package server

import "net"

// deniedProtected is Redis's reply to a non-loopback client in protected
// mode.
const deniedProtected = "-DENIED Redis is running in protected mode because protected mode is enabled, no bind address was specified, no authentication password is requested to clients. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Setup a bind address or an authentication password. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.\r\n"

// protectedDenied reports whether protected mode refuses a client from
// remote: protected-mode is on, the default user needs no password, and
// the client is not on a loopback address.
func (s *Server) protectedDenied(remote net.Addr) bool {
	if s.tuning("protected-mode") != "yes" || s.authRequired() {
		return false
	}
	return !isLoopback(remote)
}

func isLoopback(a net.Addr) bool {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return true // unix sockets and pipes are local
	}
	return tcp.IP.IsLoopback()
}
