package server

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cairn-db/cairn/protocol"
)

// loadACLFile replaces the users with those of an ACL file: one
// "user <name> <rule> …" line per user, as ACL SAVE writes. The default
// user is reset to Redis's default first unless the file defines it.
func (a *acl) loadFile(t *Table, path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	fresh := newACL(t, "")
	fresh.pubsubAll.Store(a.pubsubAll.Load())
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		words := strings.Fields(line)
		if words[0] != "user" || len(words) < 2 {
			return fmt.Errorf("%s:%d: should start with user keyword", path, i+1)
		}
		if words[1] == "default" {
			// A file's default user starts from nothing, like any other.
			fresh.users["default"].rules.Store(newUserRules(a.pubsubAll.Load()))
		}
		if err := fresh.setUser(t, words[1], words[2:]); err != nil {
			return fmt.Errorf("%s:%d: %v", path, i+1, err)
		}
	}
	a.mu.Lock()
	a.users = fresh.users
	a.mu.Unlock()
	return nil
}

// saveFile writes the users to path in ACL file syntax.
func (a *acl) saveFile(path string) error {
	body := strings.Join(a.list(), "\n") + "\n"
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(body), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// ACL LOAD
func cmdACLLoad(c *Context) error {
	s := c.Server
	path := s.config().ACLFile
	if path == "" {
		return protocol.Error("ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration.")
	}
	if err := s.acl.loadFile(s.table, path); err != nil {
		return protocol.Error("ERR " + err.Error())
	}
	s.reattachUsers()
	c.Out.OK()
	return nil
}

// ACL SAVE
func cmdACLSave(c *Context) error {
	s := c.Server
	path := s.config().ACLFile
	if path == "" {
		return protocol.Error("ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration.")
	}
	if err := s.acl.saveFile(path); err != nil {
		return protocol.Error("ERR There was an error trying to save the ACLs. Please check the server logs for more information")
	}
	c.Out.OK()
	return nil
}

// reattachUsers points connected clients at the reloaded users of the
// same name, and disconnects those whose user is gone.
func (s *Server) reattachUsers() {
	for _, cl := range s.clients.snapshot() {
		old := cl.aclUser.Load()
		if old == nil {
			continue
		}
		if u := s.acl.get(old.name); u != nil {
			cl.aclUser.Store(u)
		} else {
			cl.kill()
		}
	}
}

// aclLogMax is how many denials ACL LOG keeps (acllog-max-len).
const aclLogMax = 128

// aclLog records denied commands and failed AUTHs, newest first, merging
// repeats as Redis does.
type aclLog struct {
	mu      sync.Mutex
	entries []*aclLogEntry
	// Denials by reason, for INFO stats (acl_access_denied_*).
	deniedAuth, deniedCmd, deniedKey, deniedChannel atomic.Int64
}

type aclLogEntry struct {
	count                         int64
	reason, context, object, user string
	created, updated              time.Time
	clientInfo                    string
}

// add records err (a NOPERM or WRONGPASS) for client c; context is where
// the command ran: "toplevel", or "lua" for redis.call in a script.
func (l *aclLog) add(c *Client, user string, cmd *Command, err error, context string, now time.Time) {
	reason, object := "command", ""
	if cmd != nil {
		object = cmd.FullName()
	}
	switch e := err.(type) {
	case keyDenied: // the object is the key, as in Redis
		reason, object = "key", e.key
		l.deniedKey.Add(1)
	case channelDenied:
		reason, object = "channel", e.channel
		l.deniedChannel.Add(1)
	default:
		if err == protocol.ErrWrongPass {
			reason, object = "auth", "AUTH"
			l.deniedAuth.Add(1)
		} else {
			l.deniedCmd.Add(1)
		}
	}
	info := ""
	if c != nil {
		info = c.srv.clientLine(c)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, e := range l.entries {
		if e.reason == reason && e.context == context && e.object == object && e.user == user {
			e.count++
			e.updated, e.clientInfo = now, info
			return
		}
	}
	e := &aclLogEntry{count: 1, reason: reason, context: context, object: object, user: user, created: now, updated: now, clientInfo: info}
	l.entries = append([]*aclLogEntry{e}, l.entries...)
	if len(l.entries) > aclLogMax {
		l.entries = l.entries[:aclLogMax]
	}
}

// ACL LOG [count | RESET]
func cmdACLLog(c *Context) error {
	l := &c.Server.acl.log
	count := int64(10)
	if len(c.Args) == 3 {
		if protocol.EqualFold(c.Args[2], "reset") {
			l.mu.Lock()
			l.entries = nil
			l.mu.Unlock()
			c.Out.OK()
			return nil
		}
		n, ok := protocol.ParseInt(c.Args[2])
		if !ok || n < 0 {
			return protocol.ErrNotInteger
		}
		count = n
	} else if len(c.Args) > 3 {
		return protocol.ErrSyntax
	}
	now := c.Server.now()
	l.mu.Lock()
	list := l.entries[:min(int(count), len(l.entries))]
	list = append([]*aclLogEntry(nil), list...)
	l.mu.Unlock()
	out := c.Out
	out.Array(len(list))
	for _, e := range list {
		out.Map(7)
		out.BulkString("count")
		out.Int(e.count)
		out.BulkString("reason")
		out.BulkString(e.reason)
		out.BulkString("context")
		out.BulkString(e.context)
		out.BulkString("object")
		out.BulkString(e.object)
		out.BulkString("username")
		out.BulkString(e.user)
		out.BulkString("age-seconds")
		out.Double(float64(now.Sub(e.created).Milliseconds()) / 1000)
		out.BulkString("client-info")
		out.BulkString(e.clientInfo)
	}
	return nil
}
