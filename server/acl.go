package server

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/cairn-db/cairn/protocol"
	"github.com/cairn-db/cairn/store"
)

// aclUser is one ACL user. Its rules are swapped atomically as a whole, so
// a connection authenticated as the user sees an ACL SETUSER at once and
// a permission check never takes a lock.
type aclUser struct {
	name  string
	rules atomic.Pointer[aclRules]
}

// keyPattern is a ~pattern (or %R~, %W~, %RW~) the user may access.
type keyPattern struct {
	pattern     string
	read, write bool
}

func (k keyPattern) String() string {
	switch {
	case k.read && k.write:
		return "~" + k.pattern
	case k.read:
		return "%R~" + k.pattern
	}
	return "%W~" + k.pattern
}

// aclRules are a user's settings. They are immutable once published;
// SETUSER works on a copy.
type aclRules struct {
	enabled   bool
	nopass    bool
	sanitize  bool     // "sanitize-payload", shown after reset as Redis does
	passwords []string // SHA-256 hex, in the order added

	allCommands bool              // +@all: includes commands added later
	allowed     map[*Command]bool // every allowed command and subcommand
	cmdRules    []string          // command rules as ACL LIST shows them

	allKeys     bool
	keys        []keyPattern
	allChannels bool
	channels    []string
}

func (r *aclRules) clone() *aclRules {
	n := *r
	n.passwords = append([]string(nil), r.passwords...)
	n.allowed = make(map[*Command]bool, len(r.allowed))
	for k, v := range r.allowed {
		n.allowed[k] = v
	}
	n.cmdRules = append([]string(nil), r.cmdRules...)
	n.keys = append([]keyPattern(nil), r.keys...)
	n.channels = append([]string(nil), r.channels...)
	return &n
}

// unrestricted reports whether the rules allow every command on every
// key, the check the dispatcher short-cuts.
func (r *aclRules) unrestricted() bool { return r.allCommands && len(r.cmdRules) == 0 && r.allKeys }

// acl is a server's user registry.
type acl struct {
	mu    sync.Mutex
	users map[string]*aclUser
	log   aclLog
}

// newACL creates the registry with Redis's default user: on, nopass, all
// keys, channels and commands; requirepass gives it a password.
func newACL(t *Table, requirePass string) *acl {
	a := &acl{users: map[string]*aclUser{}}
	def := &aclUser{name: "default"}
	r := &aclRules{enabled: true, nopass: true, allCommands: true, allKeys: true, allChannels: true, allowed: map[*Command]bool{},
		keys: []keyPattern{{pattern: "*", read: true, write: true}}, channels: []string{"*"}}
	t.forEachCommand(func(c *Command) { r.allowed[c] = true })
	def.rules.Store(r)
	a.users["default"] = def
	a.setRequirePass(requirePass)
	return a
}

// setRequirePass applies requirepass to the default user, as Redis does.
func (a *acl) setRequirePass(pass string) {
	def := a.get("default")
	r := def.rules.Load().clone()
	if pass == "" {
		r.nopass, r.passwords = true, nil
	} else {
		r.nopass, r.passwords = false, []string{hashPassword(pass)}
	}
	def.rules.Store(r)
}

func (a *acl) get(name string) *aclUser {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.users[name]
}

// names returns the user names in order.
func (a *acl) names() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make([]string, 0, len(a.users))
	for n := range a.users {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func hashPassword(p string) string {
	h := sha256.Sum256([]byte(p))
	return hex.EncodeToString(h[:])
}

// checkPassword compares pass with the user's passwords in constant time.
func (r *aclRules) checkPassword(pass []byte) bool {
	if r.nopass {
		return true
	}
	h := sha256.Sum256(pass)
	got := []byte(hex.EncodeToString(h[:]))
	ok := false
	for _, p := range r.passwords {
		if subtle.ConstantTimeCompare([]byte(p), got) == 1 {
			ok = true
		}
	}
	return ok
}

// checkAccess is the dispatcher's permission check: the client's user
// must be allowed the command and every key it names.
func (s *Server) checkAccess(c *Client, cmd *Command, args [][]byte) error {
	u := c.aclUser.Load()
	if u == nil {
		return nil
	}
	r := u.rules.Load()
	if (r.unrestricted() && r.allChannels) || cmd.Flags&FlagNoAuth != 0 {
		return nil
	}
	if err := r.permits(cmd, args); err != nil {
		s.acl.log.add(c, u.name, cmd, err, "toplevel", s.now())
		switch err.(type) {
		case keyDenied:
			err = errNoPermKey
		case channelDenied:
			err = errNoPermChannel
		}
		return err
	}
	return nil
}

// permits checks cmd and its keys against the rules.
func (r *aclRules) permits(cmd *Command, args [][]byte) error {
	if !r.allowed[cmd] {
		return protocol.Error("NOPERM this user has no permissions to run the '" + cmd.FullName() + "' command")
	}
	if !r.allChannels {
		for _, ch := range channelArgs(cmd, args) {
			if !r.channelAllowed(string(ch), cmd.Name == "psubscribe") {
				return channelDenied{channel: string(ch)}
			}
		}
	}
	if r.allKeys {
		return nil
	}
	write := cmd.Flags&FlagWrite != 0
	read := cmd.Flags&FlagWrite == 0 || cmd.Flags&FlagRead != 0
	for _, k := range commandKeys(cmd, args) {
		if !r.keyAllowed(string(k), read, write) {
			return keyDenied{key: string(k)}
		}
	}
	return nil
}

const (
	errNoPermKey     = protocol.Error("NOPERM this user has no permissions to access one of the keys used as arguments")
	errNoPermChannel = protocol.Error("NOPERM this user has no permissions to access one of the channels used as arguments")
)

// channelArgs are the channels (or patterns) a pub/sub command names.
func channelArgs(cmd *Command, args [][]byte) [][]byte {
	switch cmd.Name {
	case "subscribe", "psubscribe", "ssubscribe":
		return args[1:]
	case "publish", "spublish":
		if len(args) > 1 {
			return args[1:2]
		}
	}
	return nil
}

// channelAllowed checks a channel against the user's &patterns; a
// PSUBSCRIBE pattern must be one of them literally, as in Redis.
func (r *aclRules) channelAllowed(ch string, isPattern bool) bool {
	if r.allChannels {
		return true
	}
	for _, p := range r.channels {
		if isPattern && p == ch || !isPattern && store.Match(p, ch, false) {
			return true
		}
	}
	return false
}

// scriptAccess is the ACL check of redis.call and redis.pcall: the error
// text ("" when allowed) a script gets for a command its user may not run.
func (s *Server) scriptAccess(c *Client, cmd *Command, args [][]byte) string {
	u := c.aclUser.Load()
	if u == nil {
		return ""
	}
	r := u.rules.Load()
	if r.unrestricted() && r.allChannels {
		return ""
	}
	err := r.permits(cmd, args)
	if err == nil {
		return ""
	}
	s.acl.log.add(c, u.name, cmd, err, "lua", s.now())
	switch err.(type) {
	case keyDenied:
		return "The user executing the script can't access at least one of the keys mentioned in the command arguments"
	case channelDenied:
		return "The user executing the script can't publish to the channel mentioned in the command"
	}
	return "The user executing the script can't run this command or subcommand"
}

// keyDenied is a key permission failure; it replies as errNoPermKey, and
// ACL DRYRUN names the key.
type keyDenied struct{ key string }

func (keyDenied) Error() string { return string(errNoPermKey) }

// channelDenied is a channel permission failure, as keyDenied.
type channelDenied struct{ channel string }

func (channelDenied) Error() string { return string(errNoPermChannel) }

func (r *aclRules) keyAllowed(key string, read, write bool) bool {
	for _, p := range r.keys {
		if (read && !p.read) || (write && !p.write) {
			continue
		}
		if store.Match(p.pattern, key, false) {
			return true
		}
	}
	return false
}

// commandKeys returns the key arguments of a command: from its key
// finder when its keys move (acl_keys.go), else from its key positions
// (FirstKey, LastKey, Step).
func commandKeys(cmd *Command, args [][]byte) [][]byte {
	if f, ok := movableKeys[cmd.FullName()]; ok {
		return f(args)
	}
	return appendKeyArgs(nil, cmd, args)
}

// appendKeyArgs appends the arguments at cmd's key positions (FirstKey,
// LastKey, Step) to dst.
func appendKeyArgs(dst [][]byte, cmd *Command, args [][]byte) [][]byte {
	if cmd.FirstKey <= 0 || cmd.FirstKey >= len(args) || cmd.Flags&flagChannelKeys != 0 {
		return dst
	}
	last := cmd.LastKey
	if last < 0 {
		last = len(args) + last
	}
	last = min(last, len(args)-1)
	step := max(cmd.Step, 1)
	for i := cmd.FirstKey; i <= last; i += step {
		dst = append(dst, args[i])
	}
	return dst
}
