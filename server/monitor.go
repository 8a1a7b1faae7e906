package server

import (
	"github.com/cairn-db/cairn/protocol"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// monitorQueue is how many lines a MONITOR client may fall behind before
// it is disconnected, as Redis's output buffer limit would.
const monitorQueue = 4096

// monitors are the clients in MONITOR mode. active lets the dispatcher
// skip all of this with one atomic load when nobody is watching.
type monitors struct {
	active atomic.Int32
	mu     sync.Mutex
	chans  map[*Client]chan string
}

func monitorCommands() []*Command {
	return []*Command{cmd("monitor", 1, FlagAdmin|FlagNoScript|FlagLoading|FlagStale, cmdMonitor)}
}

// MONITOR: stream every command the server runs to this connection. The
// connection leaves its loop (conn.Detach); a goroutine of its own writes the
// lines and watches for QUIT or a closed socket.
func cmdMonitor(c *Context) error {
	s, cl := c.Server, c.Client
	ch := make(chan string, monitorQueue)
	s.monitors.mu.Lock()
	if s.monitors.chans == nil {
		s.monitors.chans = map[*Client]chan string{}
	}
	s.monitors.chans[cl] = ch
	s.monitors.mu.Unlock()
	s.monitors.active.Add(1)
	cl.monitor.Store(true)
	c.Out.OK()
	dc := cl.conn.Detach()
	go s.runMonitor(cl, dc, ch)
	return nil
}

// runMonitor owns a detached MONITOR connection until it closes, or until
// RESET turns it back into an ordinary client (served from then on by
// this goroutine, as serveConn), as Redis's RESET leaves MONITOR mode.
func (s *Server) runMonitor(cl *Client, dc *detachedConn, ch chan string) {
	var resume [][][]byte // RESET and what followed it: the client goes on
	defer func() {
		s.stopMonitor(cl)
		if resume != nil {
			<-cl.conn.released             // the goroutine that ran MONITOR is done with the conn
			for n := len(ch); n > 0; n-- { // the lines fed before RESET ran
				dc.WriteRaw([]byte(<-ch))
			}
			cl.monitor.Store(false)
			cl.conn.detached = false
			s.serveConn(cl, resume, nil)
			return
		}
		dc.Close()
		s.clients.remove(cl)
		s.conns.Done()
	}()
	dc.Flush()
	quit := make(chan struct{})
	reset := make(chan [][][]byte, 1)
	go func() {
		defer close(quit)
		for {
			args, err := dc.ReadCommand()
			if err != nil {
				return
			}
			if len(args) == 0 {
				continue
			}
			if strings.EqualFold(string(args[0]), "quit") {
				return
			}
			if strings.EqualFold(string(args[0]), "reset") {
				reset <- append([][][]byte{args}, dc.queued...)
				dc.queued = nil
				return
			}
		}
	}()
	for {
		select {
		case line, ok := <-ch:
			if !ok {
				return // fell too far behind
			}
			dc.WriteRaw([]byte(line))
			for n := len(ch); n > 0; n-- { // batch what is queued into one write
				if l, ok := <-ch; ok {
					dc.WriteRaw([]byte(l))
				}
			}
			if dc.Flush() != nil {
				return
			}
		case resume = <-reset:
			return
		case <-quit:
			select {
			case resume = <-reset: // the reader sent RESET before it ended
			default:
			}
			return
		case <-s.ctx.Done():
			return
		}
	}
}

// stopMonitor stops feeding cl.
func (s *Server) stopMonitor(cl *Client) {
	s.monitors.mu.Lock()
	if _, ok := s.monitors.chans[cl]; ok {
		delete(s.monitors.chans, cl)
		s.monitors.active.Add(-1)
	}
	s.monitors.mu.Unlock()
}

// feedMonitors sends a command that ran to every MONITOR client, in
// Redis's format: +<unix time> [<db> <source>] "arg" …, unless the
// command is hidden from MONITOR (admin commands, EVAL…), and with its
// secrets redacted.
func (s *Server) feedMonitors(db int, source string, cmd *Command, args [][]byte, at time.Time) {
	if cmd.Flags&(FlagSkipMonitor|FlagAdmin) != 0 {
		return
	}
	s.feedMonitorLine(db, source, redactArgs(cmd, args), at)
}

// redacted stands for a secret in MONITOR and the slow log.
var redacted = []byte("(redacted)")

// redactArgs returns args with the passwords of AUTH and of HELLO's AUTH
// option replaced by "(redacted)", as Redis shows them in MONITOR and the
// slow log; args itself when there are none.
func redactArgs(cmd *Command, args [][]byte) [][]byte {
	from, to := 0, 0
	switch cmd.Name {
	case "auth":
		from, to = 1, len(args)
	case "hello":
		for i := 2; i+2 < len(args); i++ {
			if protocol.EqualFold(args[i], "auth") {
				from, to = i+1, i+3
				break
			}
		}
	case "migrate":
		return redactMigrate(args)
	}
	if from == to {
		return args
	}
	out := append([][]byte(nil), args...)
	for i := from; i < to; i++ {
		out[i] = redacted
	}
	return out
}

// redactMigrate hides MIGRATE's AUTH password and AUTH2 user and
// password, scanning its options as migrateCommand does (up to KEYS).
func redactMigrate(args [][]byte) [][]byte {
	out := args
	hide := func(i int) {
		if &out[0] == &args[0] {
			out = append([][]byte(nil), args...)
		}
		out[i] = redacted
	}
	for j := 6; j < len(args); j++ {
		more := len(args) - j - 1
		switch {
		case protocol.EqualFold(args[j], "keys"):
			return out
		case protocol.EqualFold(args[j], "auth") && more >= 1:
			j++
			hide(j)
		case protocol.EqualFold(args[j], "auth2") && more >= 2:
			hide(j + 1)
			hide(j + 2)
			j += 2
		}
	}
	return out
}

// feedMonitorLine sends one MONITOR line: the time, "[db source]" (a
// client's address, or "lua" for a script's command) and the arguments.
func (s *Server) feedMonitorLine(db int, source string, args [][]byte, at time.Time) {
	var b strings.Builder
	us := at.UnixMicro()
	b.WriteByte('+')
	b.WriteString(strconv.FormatInt(us/1e6, 10))
	b.WriteByte('.')
	frac := strconv.FormatInt(us%1e6, 10)
	b.WriteString(strings.Repeat("0", 6-len(frac)) + frac)
	b.WriteString(" [" + strconv.Itoa(db) + " " + source + "]")
	for _, a := range args {
		b.WriteByte(' ')
		b.WriteString(reprString(a))
	}
	b.WriteString("\r\n")
	line := b.String()
	s.monitors.mu.Lock()
	defer s.monitors.mu.Unlock()
	for mc, ch := range s.monitors.chans {
		select {
		case ch <- line:
		default:
			mc.kill() // too slow a reader: drop it rather than the server's memory
		}
	}
}

// reprString quotes b as Redis's sdscatrepr does.
func reprString(b []byte) string {
	var sb strings.Builder
	sb.WriteByte('"')
	for _, ch := range b {
		switch ch {
		case '\\', '"':
			sb.WriteByte('\\')
			sb.WriteByte(ch)
		case '\n':
			sb.WriteString(`\n`)
		case '\r':
			sb.WriteString(`\r`)
		case '\t':
			sb.WriteString(`\t`)
		case '\a':
			sb.WriteString(`\a`)
		case '\b':
			sb.WriteString(`\b`)
		default:
			if ch >= 0x20 && ch < 0x7f {
				sb.WriteByte(ch)
			} else {
				sb.WriteString(`\x` + strconv.FormatUint(uint64(ch)>>4, 16) + strconv.FormatUint(uint64(ch)&15, 16))
			}
		}
	}
	sb.WriteByte('"')
	return sb.String()
}
