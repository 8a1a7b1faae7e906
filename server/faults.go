package server

import (
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cairn-db/cairn/protocol"
	"github.com/cairn-db/cairn/store"
)

// Fault is a failure to inject into the commands clients send, for
// testing how a client handles errors, slow replies and dropped
// connections. Install it with Server.InjectFault.
//
// A command matches when Command, Key and Writes all match. The first Skip
// matching calls run normally; the following Times calls (every later
// call when Times is 0) are faulted: the fault waits Delay, then closes
// the connection (Drop), or answers Err instead of running the command,
// or — with neither — runs the command late.
//
// Faults are checked by the dispatcher once the command is resolved (a
// command unknown, of the wrong arity or refused by ACL answers that
// error and is not counted), for network clients and Sessions alike, not
// for the commands a script calls. Inside MULTI the fault strikes when
// the command is queued: an Err is the queueing error, as for an unknown
// command, so EXEC then aborts with EXECABORT; an EXEC that is itself
// faulted discards the transaction. A faulted Err counts in the
// command's rejected_calls and in errorstats.
type Fault struct {
	// Command is the command the fault applies to, case-insensitive:
	// "get", "client" (every CLIENT subcommand) or "client|kill" (one
	// subcommand); "" for every command.
	Command string
	// Key is a glob (as KEYS) that one of the command's key arguments
	// must match; "" for any command, with keys or not.
	Key string
	// Writes limits the fault to commands flagged write (SET, DEL,
	// EXPIRE…; COMMAND INFO's "write"): with a READONLY Err, the server
	// turns into a read-only replica for the client.
	Writes bool
	// Err is the error reply, with its code: "LOADING Redis is loading
	// the dataset in memory", "READONLY You can't write against a read
	// only replica.", "MOVED 3999 127.0.0.1:6381", "BUSY …", "OOM …".
	// "" for no error.
	Err string
	// Delay is how long the command waits (in real time) before the
	// rest of the fault applies.
	Delay time.Duration
	// Skip is how many matching calls run normally before the fault
	// strikes; Times is how many calls it then strikes (0: all).
	Skip, Times int
	// Drop closes the client's connection instead of replying; replies
	// to the commands before it still leave. A Session's Do then returns
	// ErrSessionClosed.
	Drop bool
}

// faultSet is the server's installed faults. The dispatcher's only cost
// while none is installed is list's one atomic load.
type faultSet struct {
	list   atomic.Pointer[[]*installedFault] // nil when empty; replaced, never changed
	delays atomic.Int32                      // installed faults with a Delay (event loops hand off)
	mu     sync.Mutex                        // serialises changes to list
}

// installedFault is a Fault with its parsed match and its call counter.
type installedFault struct {
	f      Fault
	cmd    string // lower-cased Command, without a subcommand
	sub    string // lower-cased subcommand, or ""
	reply  protocol.Error
	calls  atomic.Int64 // matching calls so far
	active atomic.Bool  // false once removed: a racing dispatcher lets it go
}

// InjectFault installs f and returns the function that removes it
// (removing twice is harmless). It panics when f.Command names no
// command. Faults are tried in the order they were
// installed; the first that strikes applies, and a fault counts only the
// calls that reach it. Safe to call while clients run.
func (s *Server) InjectFault(f Fault) (remove func()) {
	inf := &installedFault{f: f}
	name := strings.ToLower(f.Command)
	inf.cmd, inf.sub, _ = strings.Cut(name, "|")
	if inf.cmd != "" {
		// A misspelt name would silently never strike.
		c := s.table.lookup([]byte(inf.cmd))
		if c == nil || (inf.sub != "" && c.subcommand([]byte(inf.sub)) == nil) {
			panic("server: InjectFault: unknown command " + strconv.Quote(f.Command))
		}
	}
	// An error reply is one line.
	msg := strings.TrimPrefix(strings.NewReplacer("\r", " ", "\n", " ").Replace(f.Err), "-")
	inf.reply = protocol.Error(msg)
	inf.active.Store(true)
	fs := &s.faults
	fs.mu.Lock()
	var next []*installedFault
	if cur := fs.list.Load(); cur != nil {
		next = append(next, *cur...)
	}
	next = append(next, inf)
	fs.list.Store(&next)
	if f.Delay > 0 {
		fs.delays.Add(1)
	}
	fs.mu.Unlock()
	return func() { s.removeFault(inf) }
}

func (s *Server) removeFault(inf *installedFault) {
	fs := &s.faults
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if !inf.active.Swap(false) {
		return
	}
	var next []*installedFault
	for _, g := range *fs.list.Load() {
		if g != inf {
			next = append(next, g)
		}
	}
	if len(next) == 0 {
		fs.list.Store(nil)
	} else {
		fs.list.Store(&next)
	}
	if inf.f.Delay > 0 {
		fs.delays.Add(-1)
	}
}

// errDropped: a fault closed the client's connection; there is no reply.
var errDropped = protocol.Error("ERR connection dropped by an injected fault")

// applyFaults runs the first of list's faults that strikes c's command:
// it returns the error to answer (errDropped once the connection is
// closed), or nil to run the command.
func (s *Server) applyFaults(c *Client, cmd *Command, args [][]byte, list []*installedFault) error {
	for _, inf := range list {
		if !inf.active.Load() || !inf.matches(cmd, args) {
			continue
		}
		n := inf.calls.Add(1)
		if n <= int64(inf.f.Skip) || (inf.f.Times > 0 && n > int64(inf.f.Skip)+int64(inf.f.Times)) {
			continue
		}
		if d := inf.f.Delay; d > 0 {
			c.releaseLoop()
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-s.ctx.Done():
				t.Stop()
			}
		}
		switch {
		case inf.f.Drop:
			c.quitting = true
			c.conn.ReadPipeline()
			c.closeAfterReplies()
			return errDropped
		case inf.f.Err != "":
			return inf.reply
		}
		return nil
	}
	return nil
}

// matches reports whether the command line args of cmd is one inf covers.
func (inf *installedFault) matches(cmd *Command, args [][]byte) bool {
	if inf.f.Writes && cmd.Flags&FlagWrite == 0 {
		return false
	}
	if inf.cmd != "" {
		name, sub := cmd.Name, ""
		if cmd.parent != nil {
			name, sub = cmd.parent.Name, cmd.Name
		}
		if name != inf.cmd || (inf.sub != "" && sub != inf.sub) {
			return false
		}
	}
	if inf.f.Key == "" {
		return true
	}
	for _, k := range commandKeys(cmd, args) {
		if store.Match(inf.f.Key, string(k), false) {
			return true
		}
	}
	return false
}
