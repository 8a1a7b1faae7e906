//go:build !unix

package server

import (
	"net"
	"sync/atomic"
)

// socket exists only where event loops do; see socket_unix.go.
type socket struct {
	net.Conn
	inLoop atomic.Bool
}

func newSocket(nc net.Conn) *socket { return nil }

func (s *socket) shutdown() {}

// unsentLen is 0: without a loop, writes block until sent.
func (s *socket) unsentLen() int { return 0 }
