// Package server is everything about clients: the command table, the
// dispatcher, per-connection state, the handlers (one file per command
// group, cmd_*.go), configuration, INFO, and the server's lifecycle.
//
// A command flows like this: an event loop (eventloop_linux.go) or, for
// TLS clients and clients whose commands may wait, a connection's own
// goroutine (conn.go) reads every request that has arrived, framed by
// protocol.RequestReader with Redis's rules, and runs them in order; the dispatcher looks the
// command up without allocating, checks its arity and the client's
// authentication, opens a store transaction when the command touches
// data, and calls the handler, which parses its arguments with protocol
// helpers, runs store operations and writes one reply. Errors a handler
// returns are mapped to Redis's texts in one place. The batch's replies
// leave in one write, encoded by redcon's Writer.
//
// Blocking commands (BLPOP, BLMOVE, BZPOPMIN, XREAD BLOCK…) try to serve
// at once and otherwise call Context.Block, which parks the client on its
// keys (blocking.go). Writers hand their elements to waiters inside their
// own transaction, through the store's Observer (observer.go), in the
// order the clients blocked.
//
// Lua runs in gopher-lua inside the caller's transaction: EVAL scripts
// (scripting.go, lua_*.go) in one VM, Redis 7 functions (functions*.go,
// cmd_functions.go, lua_functions.go) in another, whose libraries the
// store keeps as data. Both share the running-script state behind BUSY,
// SCRIPT KILL and FUNCTION KILL.
//
// Every command's duration goes to its HDR histogram (hdr.go,
// histogram.go), read by INFO commandstats and latencystats, LATENCY
// HISTOGRAM (latency_tracking.go) and the Prometheus metrics; operations
// over latency-monitor-threshold become LATENCY events (latency.go).
//
// The listeners follow bind and port, which CONFIG SET may change while
// clients stay connected (listen.go). Shutting down follows Redis 7
// (shutdown.go): SHUTDOWN and the daemon's SIGTERM and SIGINT save the
// memory engine's dataset first when save points are configured, and a
// failed save keeps the server running.
//
// Start runs a server; the daemon (cmd/cairn) and embedded tests
// (server/servertest) use the same code. For tests a Server also runs
// commands in process (Session, Do: a client without a socket, through
// the same dispatcher; embed.go), exposes the counters a test waits on
// (syncpoints.go), and injects faults into clients' commands (faults.go).
package server
