package server

import (
	"strconv"
	"sync"
	"time"

	"github.com/cairn-db/cairn/protocol"
)

// Redis's limits on what one slow log entry keeps of a command.
const (
	slowlogMaxArgs   = 32
	slowlogMaxString = 128
)

// slowEntry is one SLOWLOG GET entry.
type slowEntry struct {
	id   int64
	at   int64 // unix seconds
	usec int64
	args []string
	addr string
	name string
}

// slowlog keeps the newest commands that ran longer than
// slowlog-log-slower-than, up to slowlog-max-len, newest first.
type slowlog struct {
	mu      sync.Mutex
	entries []slowEntry // newest last
	nextID  int64
	maxLen  int
}

// add records a slow command. It copies and truncates args as Redis does,
// and hides the arguments of commands that carry secrets (AUTH…).
func (l *slowlog) add(c *Client, args [][]byte, now time.Time, usec int64) {
	n := min(len(args), slowlogMaxArgs)
	e := slowEntry{at: now.Unix(), usec: usec, args: make([]string, n)}
	for i := 0; i < n; i++ {
		a := args[i]
		switch {
		case i == slowlogMaxArgs-1 && len(args) > slowlogMaxArgs:
			e.args[i] = "... (" + strconv.Itoa(len(args)-slowlogMaxArgs+1) + " more arguments)"
		case len(a) > slowlogMaxString:
			e.args[i] = string(a[:slowlogMaxString]) + "... (" + strconv.Itoa(len(a)-slowlogMaxString) + " more bytes)"
		default:
			e.args[i] = string(a)
		}
	}
	if c != nil {
		e.addr, e.name = c.addr, c.Name()
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	e.id = l.nextID
	l.nextID++
	l.entries = append(l.entries, e)
	if over := len(l.entries) - l.maxLen; over > 0 {
		l.entries = append(l.entries[:0], l.entries[over:]...)
	}
}

func (l *slowlog) setMaxLen(n int) {
	l.mu.Lock()
	l.maxLen = max(n, 0)
	if over := len(l.entries) - l.maxLen; over > 0 {
		l.entries = append(l.entries[:0], l.entries[over:]...)
	}
	l.mu.Unlock()
}

func slowlogCommand() *Command {
	const admin = FlagAdmin | FlagLoading | FlagStale
	return container("slowlog", -2, 0,
		cmd("get", -2, admin, cmdSlowlogGet),
		cmd("len", 2, admin, cmdSlowlogLen),
		cmd("reset", 2, admin, cmdSlowlogReset),
		cmd("help", 2, FlagLoading|FlagStale, cmdSlowlogHelp),
	)
}

// SLOWLOG GET [count]: the newest count entries (10 by default, -1 for all).
func cmdSlowlogGet(c *Context) error {
	count := int64(10)
	if len(c.Args) == 3 {
		n, ok := protocol.ParseInt(c.Args[2])
		if !ok || n < -1 {
			return protocol.Error("ERR count should be greater than or equal to -1")
		}
		count = n
	} else if len(c.Args) > 3 {
		return protocol.ErrSubcommandArgs(c.Args[1], "slowlog")
	}
	l := &c.Server.slowlog
	l.mu.Lock()
	var list []slowEntry
	for i := len(l.entries) - 1; i >= 0 && (count == -1 || int64(len(list)) < count); i-- {
		list = append(list, l.entries[i])
	}
	l.mu.Unlock()
	out := c.Out
	out.Array(len(list))
	for _, e := range list {
		out.Array(6)
		out.Int(e.id)
		out.Int(e.at)
		out.Int(e.usec)
		out.Array(len(e.args))
		for _, a := range e.args {
			out.BulkString(a)
		}
		out.BulkString(e.addr)
		out.BulkString(e.name)
	}
	return nil
}

// SLOWLOG LEN
func cmdSlowlogLen(c *Context) error {
	l := &c.Server.slowlog
	l.mu.Lock()
	n := len(l.entries)
	l.mu.Unlock()
	c.Out.Int(int64(n))
	return nil
}

// SLOWLOG RESET
func cmdSlowlogReset(c *Context) error {
	l := &c.Server.slowlog
	l.mu.Lock()
	l.entries = nil
	l.mu.Unlock()
	c.Out.OK()
	return nil
}

// SLOWLOG HELP
func cmdSlowlogHelp(c *Context) error {
	return writeHelp(c, "SLOWLOG", []string{
		"GET [<count>]", "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
		"    Entries are made of:",
		"    id, timestamp, time in microseconds, arguments array, client IP and port,",
		"    client name",
		"LEN", "    Return the length of the slowlog.",
		"RESET", "    Reset the slowlog.",
	})
}
