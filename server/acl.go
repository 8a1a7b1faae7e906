package server

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/cairn-db/cairn/protocol"
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
	sanitize  string   // "", "sanitize-payload" or "skip-sanitize-payload"
	passwords []string // SHA-256 hex, in the order added

	aclSelector                // the root selector: rules outside parentheses
	selectors   []*aclSelector // the "(…)" selectors, in the order added
}

func (r *aclRules) clone() *aclRules {
	n := *r
	n.passwords = append([]string(nil), r.passwords...)
	n.aclSelector = r.aclSelector.clone()
	n.selectors = make([]*aclSelector, len(r.selectors))
	for i, s := range r.selectors {
		c := s.clone()
		n.selectors[i] = &c
	}
	return &n
}

// unrestricted reports whether the rules allow every command on every
// key and channel, the check the dispatcher short-cuts.
func (r *aclRules) unrestricted() bool { return r.aclSelector.unrestricted() && r.allChannels }

// acl is a server's user registry.
type acl struct {
	mu    sync.Mutex
	users map[string]*aclUser
	log   aclLog
	// pubsubAll is acl-pubsub-default: new users and selectors get all
	// channels (allchannels) or none (resetchannels, the default).
	pubsubAll atomic.Bool
}

// newACL creates the registry with Redis's default user: on, nopass, all
// keys, channels and commands; requirepass gives it a password.
func newACL(t *Table, requirePass string) *acl {
	a := &acl{users: map[string]*aclUser{}}
	def := &aclUser{name: "default"}
	r := &aclRules{enabled: true, nopass: true, aclSelector: newSelector(true)}
	r.allKeys = true
	r.setAll(t, true)
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
	err := s.deniedAccess(c, cmd, args, c.aclContext())
	switch err.(type) {
	case keyDenied:
		return errNoPermKey
	case channelDenied:
		return errNoPermChannel
	}
	return err
}

// execAccess re-checks a queued command at EXEC, as Redis does: the
// user's rules may have changed since MULTI.
func (s *Server) execAccess(c *Client, cmd *Command, args [][]byte) error {
	err := s.deniedAccess(c, cmd, args, "multi")
	if err == nil {
		return nil
	}
	reason := "no permission to execute the command or subcommand"
	switch err.(type) {
	case keyDenied:
		reason = "no permission to touch the specified keys"
	case channelDenied:
		reason = "no permission to access one of the channels used as arguments"
	}
	return protocol.Error("NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. This command is no longer allowed for the following reason: " + reason)
}

// deniedAccess returns why c's user may not run cmd with args (nil when
// it may), and logs the denial in ACL LOG under context.
func (s *Server) deniedAccess(c *Client, cmd *Command, args [][]byte, context string) error {
	u := c.aclUser.Load()
	if u == nil {
		return nil
	}
	r := u.rules.Load()
	if r.unrestricted() || cmd.Flags&FlagNoAuth != 0 {
		return nil
	}
	err := r.permits(cmd, args)
	if err != nil {
		s.acl.log.add(c, u.name, cmd, err, context, s.now())
	}
	return err
}

// permits checks cmd, its keys and channels against the root selector,
// then the others: one must allow all. Otherwise the error is the most
// relevant denial, as Redis's ACLCheckAllUserCommandPerm picks it: a
// channel over a key over the command, the last argument among equals.
func (r *aclRules) permits(cmd *Command, args [][]byte) error {
	k := &aclCheck{cmd: cmd, args: args}
	kind, idx, obj := r.aclSelector.check(k)
	if kind == 0 {
		return nil
	}
	for _, sel := range r.selectors {
		sk, si, so := sel.check(k)
		if sk == 0 {
			return nil
		}
		if sk > kind || sk == kind && si > idx {
			kind, idx, obj = sk, si, so
		}
	}
	switch kind {
	case deniedKey:
		return keyDenied{key: obj}
	case deniedChannel:
		return channelDenied{channel: obj}
	}
	return protocol.Error("NOPERM this user has no permissions to run the '" + cmd.FullName() + "' command")
}

// fullKeyRead is Redis's ACLUserCheckCmdWithUnrestrictedKeyAccess for
// read access: some selector allows the command and reading every key
// (SORT's BY and GET patterns read keys the arguments do not name).
func (s *Server) fullKeyRead(c *Client, cmd *Command, args [][]byte) bool {
	if c == nil {
		return true
	}
	u := c.aclUser.Load()
	if u == nil {
		return true
	}
	r := u.rules.Load()
	if r.unrestricted() {
		return true
	}
	k := &aclCheck{cmd: cmd, args: args}
	for _, sel := range append([]*aclSelector{&r.aclSelector}, r.selectors...) {
		if kind, _, _ := sel.check(k); kind == 0 && sel.readsAllKeys() {
			return true
		}
	}
	return false
}

// channelPermitted is whether some selector allows channel ch (a
// pattern, literally, for PSUBSCRIBE).
func (r *aclRules) channelPermitted(ch string, isPattern bool) bool {
	if r.channelAllowed(ch, isPattern) {
		return true
	}
	for _, sel := range r.selectors {
		if sel.channelAllowed(ch, isPattern) {
			return true
		}
	}
	return false
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

// scriptAccess is the ACL check of redis.call and redis.pcall: the error
// text ("" when allowed) a script gets for a command its user may not run.
func (s *Server) scriptAccess(c *Client, cmd *Command, args [][]byte) string {
	u := c.aclUser.Load()
	if u == nil {
		return ""
	}
	r := u.rules.Load()
	if r.unrestricted() {
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
