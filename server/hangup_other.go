//go:build !linux

package server

import "net"

// watchHangup has no edge-triggered check here; a blocked client's hang-up
// is found by polling peerClosed.
func watchHangup(nc net.Conn) (gone <-chan struct{}, stop func()) { return nil, func() {} }
