package server

import (
	"sort"
	"strconv"
	"strings"

	"github.com/cairn-db/cairn/protocol"
)

func clientCommand() *Command {
	subs := []*Command{
		cmd("id", 2, FlagNoScript|FlagLoading|FlagStale, cmdClientID),
		cmd("setname", 3, FlagNoScript|FlagLoading|FlagStale, cmdClientSetName),
		cmd("getname", 2, FlagNoScript|FlagLoading|FlagStale, cmdClientGetName),
		cmd("info", 2, FlagNoScript|FlagLoading|FlagStale, cmdClientInfo),
		cmd("list", -2, FlagAdmin|FlagNoScript|FlagLoading|FlagStale, cmdClientList),
		cmd("kill", -3, FlagAdmin|FlagNoScript|FlagLoading|FlagStale, cmdClientKill),
		cmd("setinfo", 4, FlagNoScript|FlagFast, cmdClientSetInfo),
		cmd("no-evict", 3, FlagAdmin|FlagNoScript|FlagLoading|FlagStale, cmdClientNoEvict),
		cmd("no-touch", 3, FlagNoScript|FlagFast, cmdClientNoTouch),
		cmd("reply", 3, FlagNoScript|FlagLoading|FlagStale, cmdClientReply),
		cmd("unblock", -3, FlagAdmin|FlagNoScript|FlagLoading|FlagStale, cmdClientUnblock),
		cmd("pause", -3, FlagAdmin|FlagNoScript|FlagLoading|FlagStale, cmdClientPause),
		cmd("unpause", 2, FlagAdmin|FlagNoScript|FlagLoading|FlagStale, cmdClientUnpause),
		cmd("help", 2, FlagLoading|FlagStale, cmdClientHelp),
	}
	return container("client", -2, FlagAdmin|FlagNoScript|FlagLoading|FlagStale,
		append(subs, trackingCommands()...)...)
}

// CLIENT ID
func cmdClientID(c *Context) error {
	c.Out.Int(c.Client.ID)
	return nil
}

// CLIENT SETNAME name
func cmdClientSetName(c *Context) error {
	if !validClientName(c.Args[2]) {
		return protocol.ErrClientName
	}
	c.Client.setName(string(c.Args[2]))
	c.Out.OK()
	return nil
}

// validClientName accepts printable ASCII without spaces, as Redis.
func validClientName(b []byte) bool {
	for _, ch := range b {
		if ch < '!' || ch > '~' {
			return false
		}
	}
	return true
}

// CLIENT GETNAME
func cmdClientGetName(c *Context) error {
	if n := c.Client.Name(); n != "" {
		c.Out.BulkString(n)
	} else {
		c.Out.Null()
	}
	return nil
}

// CLIENT INFO
func cmdClientInfo(c *Context) error {
	c.Out.Verbatim(c.Server.clientLine(c.Client, true) + "\n")
	return nil
}

// CLIENT LIST [TYPE normal|master|replica|pubsub] [ID id …]
func cmdClientList(c *Context) error {
	all := c.Server.clients.snapshot()
	args := c.Args[2:]
	var keep func(*Client) bool
	switch {
	case len(args) == 0:
	case len(args) == 2 && protocol.EqualFold(args[0], "type"):
		typ := strings.ToLower(string(args[1]))
		switch typ {
		case "normal", "master", "replica", "slave", "pubsub":
		default:
			return protocol.Error("ERR Unknown client type '" + string(args[1]) + "'")
		}
		keep = func(cl *Client) bool { return clientType(cl) == typ }
	case len(args) >= 2 && protocol.EqualFold(args[0], "id"):
		ids := map[int64]bool{}
		for _, a := range args[1:] {
			id, ok := protocol.ParseInt(a)
			if !ok || id <= 0 {
				return protocol.Error("ERR Invalid client ID")
			}
			ids[id] = true
		}
		keep = func(cl *Client) bool { return ids[cl.ID] }
	default:
		return protocol.ErrSyntax
	}
	var b strings.Builder
	for _, cl := range all {
		if keep == nil || keep(cl) {
			b.WriteString(c.Server.clientLine(cl, cl == c.Client))
			b.WriteByte('\n')
		}
	}
	c.Out.Verbatim(b.String())
	return nil
}

// clientType is the client's class for CLIENT LIST and CLIENT KILL TYPE:
// "pubsub" while subscribed to anything (shard channels too), else
// "normal". Cairn has no replicas or masters.
func clientType(cl *Client) string {
	if cl.subs.active() {
		return "pubsub"
	}
	return "normal"
}

// clientLine formats a client as Redis's CLIENT LIST does. own says the
// caller runs in cl's goroutine, so cl's current command is known (its
// argv-mem; otherwise only a blocked client's is). Fields Cairn has no
// equivalent for (the reply buffer's size, peak and blocks) report zero.
func (s *Server) clientLine(cl *Client, own bool) string {
	now := s.clock.Now()
	cl.mu.Lock()
	name, libName, libVer := cl.name, cl.libName, cl.libVer
	cl.mu.Unlock()
	cmdName := "NULL"
	if cmd := cl.lastCmd.Load(); cmd != nil {
		cmdName = cmd.FullName()
	}
	age := int64(now.Sub(cl.created).Seconds())
	idle := (now.UnixMilli() - cl.lastInteraction.Load()) / 1000
	var flags string // Redis's letters, in its order
	if cl.subs.active() {
		flags += "P"
	}
	multi := cl.multiShown.Load() - 1 // -1: not in MULTI
	if multi >= 0 {
		flags += "x"
	}
	// Blocked from the moment its command shows as argv (Server.wait),
	// so a line with b never has the command still in qbuf.
	if cl.blockedArgv.Load() > 0 {
		flags += "b"
	}
	tf := cl.tflags()
	if tf&trackOn != 0 {
		flags += "t"
	}
	if tf&trackBrokenRedir != 0 {
		flags += "R"
	}
	if tf&trackBcast != 0 {
		flags += "B"
	}
	if cl.dirty.Load() {
		flags += "d" // a watched key changed: EXEC will fail
	}
	if cl.unixSocket {
		flags += "U"
	}
	if cl.noEvict.Load() {
		flags += "e"
	}
	if flags == "" {
		flags = "N"
	}
	if cl.monitor.Load() {
		flags = "O"
	}
	var b strings.Builder
	field := func(k, v string) {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(v)
	}
	itoa := func(n int64) string { return strconv.FormatInt(n, 10) }
	field("id", itoa(cl.ID))
	field("addr", cl.addr)
	field("laddr", cl.laddr)
	field("fd", itoa(int64(cl.fd)))
	field("name", name)
	field("age", itoa(max(age, 0)))
	field("idle", itoa(max(idle, 0)))
	field("flags", flags)
	field("db", itoa(int64(cl.DB())))
	field("sub", itoa(int64(cl.subs.n[spaceChannel].Load())))
	field("psub", itoa(int64(cl.subs.n[spacePattern].Load())))
	field("ssub", itoa(int64(cl.subs.n[spaceShard].Load())))
	field("multi", itoa(multi))
	field("qbuf", itoa(cl.qbuf.Load()))
	field("qbuf-free", itoa(cl.qbufFree.Load()))
	argvMem := cl.blockedArgv.Load()
	if own {
		argvMem = argvBytes(cl.ctx.Args)
	}
	field("argv-mem", itoa(argvMem))
	field("multi-mem", itoa(cl.multiArgBytes.Load()))
	for _, k := range []string{"rbs", "rbp", "obl", "oll"} {
		field(k, "0")
	}
	// A subscriber's (or tracking client's) queue, or the replies a slow
	// client has not taken.
	omem := cl.omem.Load()
	if o := cl.box.Load(); o != nil {
		omem += o.pending()
	}
	field("omem", itoa(omem))
	field("tot-mem", itoa(clientMemory(cl)))
	field("events", "r")
	field("cmd", cmdName)
	field("user", cl.userName())
	field("redir", itoa(trackingRedirect(cl)))
	field("resp", itoa(int64(cl.resp.Load())))
	field("lib-name", libName)
	field("lib-ver", libVer)
	return b.String()
}

// CLIENT KILL addr:port
// CLIENT KILL [ID id] [ADDR addr] [LADDR addr] [USER name] [TYPE type] [SKIPME yes|no] [MAXAGE secs]
func cmdClientKill(c *Context) error {
	s := c.Server
	args := c.Args[2:]
	if len(args) == 1 {
		for _, cl := range s.clients.snapshot() {
			if cl.addr == string(args[0]) {
				c.Out.OK()
				cl.kill()
				return nil
			}
		}
		return protocol.ErrNoSuchClient
	}
	if len(args)%2 != 0 {
		return protocol.ErrSyntax
	}
	skipMe := true
	var filters []func(*Client) bool
	for i := 0; i < len(args); i += 2 {
		opt, val := args[i], string(args[i+1])
		switch {
		case protocol.EqualFold(opt, "id"):
			id, ok := protocol.ParseInt(args[i+1])
			if !ok || id <= 0 {
				return protocol.Error("ERR client-id should be greater than 0")
			}
			filters = append(filters, func(cl *Client) bool { return cl.ID == id })
		case protocol.EqualFold(opt, "addr"):
			filters = append(filters, func(cl *Client) bool { return cl.addr == val })
		case protocol.EqualFold(opt, "laddr"):
			filters = append(filters, func(cl *Client) bool { return cl.laddr == val })
		case protocol.EqualFold(opt, "user"):
			if s.acl.get(val) == nil {
				return protocol.Error("ERR No such user '" + val + "'")
			}
			filters = append(filters, func(cl *Client) bool { return cl.userName() == val })
		case protocol.EqualFold(opt, "type"):
			typ := strings.ToLower(val)
			switch typ {
			case "normal", "master", "replica", "slave", "pubsub":
			default:
				return protocol.Error("ERR Unknown client type '" + val + "'")
			}
			filters = append(filters, func(cl *Client) bool { return clientType(cl) == typ })
		case protocol.EqualFold(opt, "skipme"):
			switch strings.ToLower(val) {
			case "yes":
				skipMe = true
			case "no":
				skipMe = false
			default:
				return protocol.ErrSyntax
			}
		case protocol.EqualFold(opt, "maxage"):
			age, ok := protocol.ParseInt(args[i+1])
			if !ok {
				return protocol.ErrNotInteger
			}
			now := s.clock.Now()
			filters = append(filters, func(cl *Client) bool { return int64(now.Sub(cl.created).Seconds()) >= age })
		default:
			return protocol.ErrSyntax
		}
	}
	var killed int64
	var self bool
	for _, cl := range s.clients.snapshot() {
		if skipMe && cl == c.Client {
			continue
		}
		match := true
		for _, f := range filters {
			if !f(cl) {
				match = false
				break
			}
		}
		if !match {
			continue
		}
		killed++
		if cl == c.Client {
			self = true
			continue
		}
		cl.kill()
	}
	c.Out.Int(killed)
	if self {
		// Reply first, then close, as Redis does for CLIENT KILL of itself.
		c.Client.quitting = true
		c.Client.conn.ReadPipeline()
		c.Client.closeAfterReplies()
	}
	return nil
}

// CLIENT SETINFO LIB-NAME|LIB-VER value
func cmdClientSetInfo(c *Context) error {
	val := string(c.Args[3])
	for _, ch := range c.Args[3] {
		if ch < '!' || ch > '~' {
			return protocol.Error("ERR " + string(c.Args[2]) + " cannot contain spaces, newlines or special characters.")
		}
	}
	cl := c.Client
	switch {
	case protocol.EqualFold(c.Args[2], "lib-name"):
		cl.mu.Lock()
		cl.libName = val
		cl.mu.Unlock()
	case protocol.EqualFold(c.Args[2], "lib-ver"):
		cl.mu.Lock()
		cl.libVer = val
		cl.mu.Unlock()
	default:
		return protocol.Error("ERR Unrecognized option '" + string(c.Args[2]) + "'")
	}
	c.Out.OK()
	return nil
}

// CLIENT NO-EVICT on|off
func cmdClientNoEvict(c *Context) error {
	on, err := parseOnOff(c.Args[2])
	if err != nil {
		return err
	}
	c.Client.noEvict.Store(on)
	c.Out.OK()
	return nil
}

// CLIENT NO-TOUCH on|off
func cmdClientNoTouch(c *Context) error {
	on, err := parseOnOff(c.Args[2])
	if err != nil {
		return err
	}
	c.Client.noTouch = on
	c.Out.OK()
	return nil
}

func parseOnOff(b []byte) (bool, error) {
	switch {
	case protocol.EqualFold(b, "on"):
		return true, nil
	case protocol.EqualFold(b, "off"):
		return false, nil
	}
	return false, protocol.ErrSyntax
}

// CLIENT REPLY ON|OFF|SKIP. OFF and SKIP are not answered; ON is, even
// when replies were off.
func cmdClientReply(c *Context) error {
	cl := c.Client
	switch {
	case protocol.EqualFold(c.Args[2], "on"):
		cl.replyMode = replyOn
		cl.out.OK()
	case protocol.EqualFold(c.Args[2], "off"):
		cl.replyMode = replyOff
	case protocol.EqualFold(c.Args[2], "skip"):
		if cl.replyMode == replyOn {
			cl.replyMode = replySkip
		}
	default:
		return protocol.ErrSyntax
	}
	return nil
}

// CLIENT HELP
func cmdClientHelp(c *Context) error {
	// Redis 7.0's text, with 7.2's lines for NO-TOUCH and SETINFO.
	return writeHelp(c, "CLIENT", []string{
		"CACHING (YES|NO)", "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
		"GETREDIR", "    Return the client ID we are redirecting to when tracking is enabled.",
		"GETNAME", "    Return the name of the current connection.",
		"ID", "    Return the ID of the current connection.",
		"INFO", "    Return information about the current client connection.",
		"KILL <ip:port>", "    Kill connection made from <ip:port>.",
		"KILL <option> <value> [<option> <value> [...]]", "    Kill connections. Options are:",
		"    * ADDR (<ip:port>|<unixsocket>:0)", "      Kill connections made from the specified address",
		"    * LADDR (<ip:port>|<unixsocket>:0)", "      Kill connections made to specified local address",
		"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)", "      Kill connections by type.",
		"    * USER <username>", "      Kill connections authenticated by <username>.",
		"    * SKIPME (YES|NO)", "      Skip killing current connection (default: yes).",
		"LIST [options ...]", "    Return information about client connections. Options:",
		"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)", "      Return clients of specified type.",
		"UNPAUSE", "    Stop the current client pause, resuming traffic.",
		"PAUSE <timeout> [WRITE|ALL]", "    Suspend all, or just write, clients for <timeout> milliseconds.",
		"REPLY (ON|OFF|SKIP)", "    Control the replies sent to the current connection.",
		"SETNAME <name>", "    Assign the name <name> to the current connection.",
		"UNBLOCK <clientid> [TIMEOUT|ERROR]", "    Unblock the specified blocked client.",
		"TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]", "         [OPTIN] [OPTOUT] [NOLOOP]",
		"    Control server assisted client side caching.",
		"TRACKINGINFO", "    Report tracking status for the current connection.",
		"NO-EVICT (ON|OFF)", "    Protect current client connection from eviction.",
		"NO-TOUCH (ON|OFF)", "    Will not touch LRU/LFU stats when this mode is on.",
		"SETINFO <option> <value>", "    Set client meta attr. Options are: LIB-NAME, LIB-VER.",
	})
}

// writeHelp writes a HELP reply in Redis's shape.
func writeHelp(c *Context, container string, lines []string) error {
	c.Out.Array(len(lines) + 3)
	c.Out.Status(container + " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:")
	for _, l := range lines {
		c.Out.Status(l)
	}
	c.Out.Status("HELP")
	c.Out.Status("    Prints this help.")
	return nil
}

func sortClients(cs []*Client) {
	sort.Slice(cs, func(i, j int) bool { return cs[i].ID < cs[j].ID })
}

// argvBytes is the size of a command's arguments as Redis's argv_len_sum
// counts it (CLIENT LIST's argv-mem).
func argvBytes(args [][]byte) int64 {
	var n int64
	for _, a := range args {
		n += int64(len(a))
	}
	return n
}
