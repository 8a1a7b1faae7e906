package server

// Sync points: counters a test can poll instead of sleeping, the same
// numbers INFO reports.

// BlockedClients returns the number of clients waiting in a blocking
// command (BLPOP, XREAD BLOCK, WAIT…) or held by CLIENT PAUSE: INFO's
// blocked_clients. A client is counted once its wait is registered, so a
// write made after BlockedClients saw it is served to it.
func (s *Server) BlockedClients() int { return s.blockedClients() }

// ConnectedClients returns the number of client connections open now:
// INFO's connected_clients (Sessions are not counted).
func (s *Server) ConnectedClients() int { return s.clients.count() }

// CommandCount returns the number of commands processed since the server
// started, Sessions' included: INFO's total_commands_processed.
func (s *Server) CommandCount() int64 { return s.stats.commands.Load() }
