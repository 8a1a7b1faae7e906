//go:build !linux

package server

// eventLoops is empty where there is no epoll: every client has a
// goroutine of its own.
type eventLoops struct{ loops []struct{} }

func (s *Server) startEventLoops(n int) {}

func (ls *eventLoops) add(c *Client) bool { return false }

func (ls *eventLoops) rejoin(c *Client) bool { return false }

func (ls *eventLoops) close() {}

func (ls *eventLoops) shrinkIdle() {}
