package server

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cairn-db/cairn/protocol"
)

// loadFile replaces the users with those of an ACL file: one
// "user <name> <rule> …" line per user, as ACL SAVE writes. Every user,
// the default one included, starts from a new user's rules; a file
// without the default user gets Redis's default. Any error leaves the
// users as they were; the error lists them all as Redis does (name is
// the file as configured).
func (a *acl) loadFile(t *Table, path, name string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("Error loading ACLs, opening file '%s': %s", name, strerror(err))
	}
	allChannels := a.pubsubAll.Load()
	fresh := newACL(t, "")
	fresh.pubsubAll.Store(allChannels)
	seen := map[string]bool{}
	var errs strings.Builder
	for i, line := range strings.Split(string(data), "\n") {
		num := i + 1
		words := strings.Fields(line)
		if len(words) == 0 {
			continue
		}
		if words[0] != "user" || len(words) < 2 {
			fmt.Fprintf(&errs, "%s:%d should start with user keyword followed by the username. ", name, num)
			continue
		}
		user := words[1]
		if seen[user] {
			fmt.Fprintf(&errs, "WARNING: Duplicate user '%s' found on line %d. ", user, num)
			continue
		}
		seen[user] = true
		rules, err := mergeSelectorArgs(words[2:])
		if err != nil {
			fmt.Fprintf(&errs, "%s:%d: Unmatched parenthesis in selector definition.", name, num)
			continue
		}
		r := newUserRules(allChannels)
		syntax := false
		for _, rule := range rules {
			if err := r.apply(t, rule, allChannels); err != nil {
				if err == errRuleUnknown {
					fmt.Fprintf(&errs, "%s:%d: Error in applying operation '%s': %s. ", name, num, rule, err)
				} else if !syntax {
					fmt.Fprintf(&errs, "%s:%d: %s. ", name, num, err)
					syntax = true
				}
			}
		}
		u := &aclUser{name: user}
		u.rules.Store(r)
		fresh.users[user] = u
	}
	if errs.Len() > 0 {
		return fmt.Errorf("%sWARNING: ACL errors detected, no change to the previously active ACL rules was performed", errs.String())
	}
	a.mu.Lock()
	// The default user stays the same object with the new rules (as
	// Redis copies them into it), so its clients stay connected.
	def := a.users["default"]
	def.rules.Store(fresh.users["default"].rules.Load())
	fresh.users["default"] = def
	a.users = fresh.users
	a.mu.Unlock()
	return nil
}

// strerror is an OS error as C's strerror words it ("No such file or
// directory"), without Go's "open <path>: " prefix.
func strerror(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	msg := err.Error()
	if msg != "" {
		msg = strings.ToUpper(msg[:1]) + msg[1:]
	}
	return msg
}

// loadStartupUsers applies the config's user directives or its aclfile
// (not both, as Redis refuses), at start.
func (s *Server) loadStartupUsers() error {
	cfg := &s.cfg
	if cfg.ACLFile != "" && len(cfg.Users) > 0 {
		return fmt.Errorf("configuring users in the config file (user) and an ACL file (aclfile) at the same time is invalid: define either")
	}
	for _, line := range cfg.Users {
		w := strings.Fields(line)
		if w[0] == "default" {
			s.acl.get("default").rules.Store(newUserRules(cfg.ACLPubsubAll))
			w = append([]string{w[0], "reset"}, w[1:]...)
		}
		if err := s.acl.setUser(s.table, w[0], w[1:]); err != nil {
			return fmt.Errorf("user %s: %v", w[0], err)
		}
	}
	if cfg.ACLFile != "" {
		if err := s.acl.loadFile(s.table, s.aclPath(), cfg.ACLFile); err != nil {
			return fmt.Errorf("aborting startup because of ACL errors: %w", err)
		}
	}
	return nil
}

// aclPath is the aclfile; a relative one is relative to dir when dir is
// configured, as in Redis (which chdirs to dir).
func (s *Server) aclPath() string {
	cfg := s.config()
	if cfg.dirSet && !filepath.IsAbs(cfg.ACLFile) {
		return filepath.Join(cfg.Dir, cfg.ACLFile)
	}
	return cfg.ACLFile
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
	if err := s.acl.loadFile(s.table, s.aclPath(), path); err != nil {
		return protocol.Error("ERR " + err.Error())
	}
	self := s.dropReloadedUsers(c.Client)
	c.Out.OK()
	if self {
		c.Client.closeAfterReply()
	}
	return nil
}

// ACL SAVE
func cmdACLSave(c *Context) error {
	s := c.Server
	path := s.config().ACLFile
	if path == "" {
		return protocol.Error("ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration.")
	}
	if err := s.acl.saveFile(s.aclPath()); err != nil {
		return protocol.Error("ERR There was an error trying to save the ACLs. Please check the server logs for more information")
	}
	c.Out.OK()
	return nil
}

// dropReloadedUsers disconnects the clients of the users ACL LOAD
// replaced (all but the default user's), as Redis frees those users; it
// reports whether self is one, to close after its reply.
func (s *Server) dropReloadedUsers(self *Client) bool {
	def := s.acl.get("default")
	closeSelf := false
	for _, cl := range s.clients.snapshot() {
		u := cl.aclUser.Load()
		if u == nil || u == def {
			continue
		}
		if cl == self {
			closeSelf = true
		} else {
			cl.kill()
		}
	}
	return closeSelf
}

// aclLog records denied commands and failed AUTHs, newest first, merging
// repeats as Redis does.
type aclLog struct {
	mu      sync.Mutex
	max     int // acllog-max-len
	entries []*aclLogEntry
	// Denials by reason, for INFO stats (acl_access_denied_*).
	deniedAuth, deniedCmd, deniedKey, deniedChannel atomic.Int64
}

// aclLogGroupWindow is how close a repeat must be to count in the same
// ACL LOG entry (Redis's ACL_LOG_GROUPING_MAX_TIME_DELTA).
const aclLogGroupWindow = 60 * time.Second

type aclLogEntry struct {
	count                         int64
	reason, context, object, user string
	updated                       time.Time // the last time, which age-seconds counts from
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
		info = c.srv.clientLine(c, true)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	// As Redis: a repeat among the 10 newest entries, within a minute of
	// its last time, counts there and moves it to the head.
	for i, e := range l.entries[:min(10, len(l.entries))] {
		if e.reason == reason && e.context == context && e.object == object && e.user == user &&
			now.Sub(e.updated).Abs() <= aclLogGroupWindow {
			e.count++
			e.updated, e.clientInfo = now, info
			copy(l.entries[1:i+1], l.entries[:i])
			l.entries[0] = e
			return
		}
	}
	e := &aclLogEntry{count: 1, reason: reason, context: context, object: object, user: user, updated: now, clientInfo: info}
	l.entries = append([]*aclLogEntry{e}, l.entries...)
	if len(l.entries) > l.max {
		l.entries = l.entries[:l.max]
	}
}

// setMaxLen is acllog-max-len; a smaller one drops the oldest entries.
func (l *aclLog) setMaxLen(n int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.max = max(n, 0)
	if len(l.entries) > l.max {
		l.entries = l.entries[:l.max]
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
		out.Double(float64(now.Sub(e.updated).Milliseconds()) / 1000)
		out.BulkString("client-info")
		out.BulkString(e.clientInfo)
	}
	return nil
}
