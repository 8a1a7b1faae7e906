package server

import (
	"time"

	"github.com/cairn-db/cairn/protocol"
)

func connectionCommands() []*Command {
	return []*Command{
		cmd("ping", -1, FlagFast, cmdPing),
		cmd("echo", 2, FlagFast|FlagLoading|FlagStale, cmdEcho),
		cmd("quit", -1, FlagNoAuth|FlagFast|FlagAllowBusy|FlagLoading|FlagStale|FlagNoScript, cmdQuit),
		cmd("select", 2, FlagFast|FlagLoading|FlagStale, cmdSelect),
		cmd("hello", -1, FlagNoAuth|FlagFast|FlagNoScript|FlagAllowBusy|FlagLoading|FlagStale, cmdHello),
		cmd("auth", -2, FlagNoAuth|FlagFast|FlagNoScript|FlagAllowBusy|FlagLoading|FlagStale, cmdAuth),
		cmd("reset", 1, FlagNoAuth|FlagFast|FlagNoScript|FlagAllowBusy|FlagLoading|FlagStale, cmdReset),
	}
}

// PING [message]
func cmdPing(c *Context) error {
	if c.Client.resp2Subscribed() {
		// Subscribed mode answers in the shape of a message.
		c.Out.Array(2)
		c.Out.BulkString("pong")
		if len(c.Args) > 1 {
			c.Out.Bulk(c.Args[1])
		} else {
			c.Out.BulkString("")
		}
		return nil
	}
	switch len(c.Args) {
	case 1:
		c.Out.Status("PONG")
	case 2:
		c.Out.Bulk(c.Args[1])
	default:
		return protocol.ErrWrongArgs("ping")
	}
	return nil
}

// ECHO message
func cmdEcho(c *Context) error {
	c.Out.Bulk(c.Args[1])
	return nil
}

// QUIT: reply OK, then close the connection without running the rest of
// the pipeline.
func cmdQuit(c *Context) error {
	c.Out.OK()
	c.Client.closeAfterReply()
	return nil
}

// closeAfterReply closes the connection once the reply written so far
// (and a subscriber's pending messages) has left, dropping the rest of
// the pipeline: QUIT, and Redis's CLIENT_CLOSE_AFTER_COMMAND (ACL DELUSER
// or ACL LOAD of the client's own user).
func (c *Client) closeAfterReply() {
	if o := c.outbox; o != nil {
		c.out.Flush()
		o.drain(time.Second)
	}
	c.quitting = true
	c.conn.ReadPipeline()
	c.closeAfterReplies()
}

// SELECT index
func cmdSelect(c *Context) error {
	db, ok := protocol.ParseInt(c.Args[1])
	if !ok {
		return protocol.ErrNotInteger
	}
	if db < 0 || db >= int64(c.Server.store.Databases()) {
		return protocol.ErrDBIndexRange
	}
	c.Client.db.Store(int32(db))
	c.Out.OK()
	return nil
}

// HELLO [protover [AUTH username password] [SETNAME clientname]]
func cmdHello(c *Context) error {
	var ver int64
	args := c.Args[1:]
	if len(args) > 0 {
		v, ok := protocol.ParseInt(args[0])
		if !ok {
			return protocol.ErrProtoVersion
		}
		if v != 2 && v != 3 {
			return protocol.ErrNoProto
		}
		ver, args = v, args[1:]
	}
	var user, pass, name []byte
	for i := 0; i < len(args); i++ {
		more := len(args) - 1 - i
		switch {
		case protocol.EqualFold(args[i], "auth") && more >= 2:
			user, pass = args[i+1], args[i+2]
			i += 2
		case protocol.EqualFold(args[i], "setname") && more >= 1:
			name = args[i+1]
			if !validClientName(name) {
				return protocol.ErrClientName
			}
			i++
		default:
			return protocol.Error("ERR Syntax error in HELLO option '" + string(args[i]) + "'")
		}
	}
	if pass != nil {
		if err := c.Server.authenticate(c.Client, user, pass); err != nil {
			return err
		}
	}
	if !c.Client.authenticated {
		return protocol.Error("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time")
	}
	if name != nil {
		c.Client.setName(string(name))
	}
	if ver != 0 {
		c.Client.setProto(int(ver))
	}
	out := c.Out
	out.Map(7)
	out.BulkString("server")
	out.BulkString("redis")
	out.BulkString("version")
	out.BulkString(Version)
	out.BulkString("proto")
	out.Int(int64(out.Proto()))
	out.BulkString("id")
	out.Int(c.Client.ID)
	out.BulkString("mode")
	out.BulkString("standalone")
	out.BulkString("role")
	out.BulkString("master")
	out.BulkString("modules")
	out.Array(0)
	return nil
}

// AUTH [username] password
func cmdAuth(c *Context) error {
	switch len(c.Args) {
	case 2:
		if !c.Server.authRequired() {
			return protocol.ErrAuthNoPassword
		}
		return c.ok(c.Server.authenticate(c.Client, []byte("default"), c.Args[1]))
	case 3:
		return c.ok(c.Server.authenticate(c.Client, c.Args[1], c.Args[2]))
	}
	return protocol.ErrSyntax
}

// aclContext is where a client's command runs, for ACL LOG: "multi"
// while queued or run by EXEC, else "toplevel".
func (c *Client) aclContext() string {
	if c.multi != nil || c.inExec {
		return "multi"
	}
	return "toplevel"
}

// authenticate checks a username and password against the ACL users and
// makes the client that user. Passwords are compared in constant time.
func (s *Server) authenticate(c *Client, user, pass []byte) error {
	u := s.acl.get(string(user))
	if u == nil {
		s.acl.log.add(c, string(user), nil, protocol.ErrWrongPass, c.aclContext(), s.now())
		return protocol.ErrWrongPass
	}
	r := u.rules.Load()
	if !r.checkPassword(pass) || !r.enabled {
		s.acl.log.add(c, string(user), nil, protocol.ErrWrongPass, c.aclContext(), s.now())
		return protocol.ErrWrongPass
	}
	c.aclUser.Store(u)
	c.authenticated = true
	return nil
}

// RESET: return the connection to its initial state.
func cmdReset(c *Context) error {
	cl := c.Client
	cl.setMulti(nil)
	c.Server.unwatchAll(cl)
	c.Server.unsubscribeAll(cl)
	c.Server.disableTracking(cl)
	cl.db.Store(0)
	cl.setName("")
	// As Redis 7.0's clearClientConnectionState: CLIENT NO-EVICT stays
	// (7.2 clears it, with NO-TOUCH, a 7.2 command Cairn has).
	cl.noTouch = false
	cl.replyMode = replyOn
	cl.authenticated = !c.Server.authRequired()
	cl.aclUser.Store(c.Server.acl.get("default"))
	cl.setProto(2)
	cl.out.Status("RESET") // even when CLIENT REPLY was OFF
	return nil
}

// ok writes +OK when err is nil, and otherwise returns err.
func (c *Context) ok(err error) error {
	if err == nil {
		c.Out.OK()
	}
	return err
}
