package server

import (
	"crypto/rand"
	"encoding/hex"
	"strings"

	"github.com/cairn-db/cairn/protocol"
)

func aclCommand() *Command {
	const admin = FlagAdmin | FlagNoScript | FlagLoading | FlagStale
	return container("acl", -2, 0,
		cmd("setuser", -3, admin, cmdACLSetUser),
		cmd("getuser", 3, admin, cmdACLGetUser),
		cmd("deluser", -3, admin, cmdACLDelUser),
		cmd("list", 2, admin, cmdACLList),
		cmd("users", 2, admin, cmdACLUsers),
		cmd("whoami", 2, FlagNoScript|FlagLoading|FlagStale, cmdACLWhoAmI),
		cmd("cat", -2, FlagNoScript|FlagLoading|FlagStale, cmdACLCat),
		cmd("genpass", -2, FlagNoScript|FlagLoading|FlagStale, cmdACLGenPass),
		cmd("dryrun", -4, admin, cmdACLDryRun),
		cmd("log", -2, admin, cmdACLLog),
		cmd("load", 2, admin, cmdACLLoad),
		cmd("save", 2, admin, cmdACLSave),
		cmd("help", 2, FlagLoading|FlagStale, cmdACLHelp),
	)
}

// ACL SETUSER username [rule …]: all rules apply, or none.
func cmdACLSetUser(c *Context) error {
	s := c.Server
	name := string(c.Args[2])
	var rules []string
	for _, a := range c.Args[3:] {
		rules = append(rules, string(a))
	}
	if err := s.acl.setUser(s.table, name, rules); err != nil {
		return err
	}
	s.killDeniedSubscribers(s.acl.get(name))
	c.Out.OK()
	return nil
}

// setUser creates or changes a user with rules, atomically.
func (a *acl) setUser(t *Table, name string, rules []string) error {
	for _, ch := range name {
		if ch <= ' ' {
			return protocol.Error("ERR Usernames can't contain spaces or null characters")
		}
	}
	rules, err := mergeSelectorArgs(rules)
	if err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	u := a.users[name]
	allChannels := a.pubsubAll.Load()
	var r *aclRules
	if u != nil {
		r = u.rules.Load().clone()
	} else {
		r = newUserRules(allChannels)
	}
	for _, rule := range rules {
		if err := r.apply(t, rule, allChannels); err != nil {
			return setUserError(rule, err)
		}
	}
	if u == nil {
		u = &aclUser{name: name}
		a.users[name] = u
	}
	u.rules.Store(r)
	return nil
}

// ACL GETUSER username
func cmdACLGetUser(c *Context) error {
	u := c.Server.acl.get(string(c.Args[2]))
	if u == nil {
		c.Out.Null()
		return nil
	}
	r := u.rules.Load()
	out := c.Out
	out.Map(6)
	out.BulkString("flags")
	flags := []string{map[bool]string{true: "on", false: "off"}[r.enabled]}
	if r.nopass {
		flags = append(flags, "nopass")
	}
	if r.sanitize != "" {
		flags = append(flags, r.sanitize)
	}
	out.Set(len(flags))
	for _, f := range flags {
		out.BulkString(f)
	}
	out.BulkString("passwords")
	out.Array(len(r.passwords))
	for _, p := range r.passwords {
		out.BulkString(p)
	}
	writeSelector(out, &r.aclSelector)
	out.BulkString("selectors")
	out.Array(len(r.selectors))
	for _, sel := range r.selectors {
		out.Map(3)
		writeSelector(out, sel)
	}
	return nil
}

// writeSelector writes a selector's commands, keys and channels fields
// of ACL GETUSER.
func writeSelector(out *protocol.Writer, s *aclSelector) {
	out.BulkString("commands")
	out.BulkString(s.commandsString())
	out.BulkString("keys")
	out.BulkString(s.keysString())
	out.BulkString("channels")
	out.BulkString(s.channelsString(false))
}

// ACL DELUSER username [username …]: deletes users and disconnects the
// clients authenticated as them.
func cmdACLDelUser(c *Context) error {
	s := c.Server
	var n int64
	closeSelf := false
	for _, a := range c.Args[2:] {
		name := string(a)
		if name == "default" {
			return protocol.Error("ERR The 'default' user cannot be removed")
		}
	}
	for _, a := range c.Args[2:] {
		s.acl.mu.Lock()
		u := s.acl.users[string(a)]
		delete(s.acl.users, string(a))
		s.acl.mu.Unlock()
		if u == nil {
			continue
		}
		n++
		for _, cl := range s.clients.snapshot() {
			if cl.aclUser.Load() != u {
				continue
			}
			if cl == c.Client {
				closeSelf = true // after this reply, as Redis
			} else {
				cl.kill()
			}
		}
	}
	c.Out.Int(n)
	if closeSelf {
		c.Client.closeAfterReply()
	}
	return nil
}

// ACL LIST
func cmdACLList(c *Context) error {
	lines := c.Server.acl.list()
	c.Out.Array(len(lines))
	for _, l := range lines {
		c.Out.BulkString(l)
	}
	return nil
}

// list returns every user in ACL file syntax.
func (a *acl) list() []string {
	var lines []string
	for _, n := range a.names() {
		if u := a.get(n); u != nil {
			lines = append(lines, "user "+n+" "+u.rules.Load().describe())
		}
	}
	return lines
}

// ACL USERS
func cmdACLUsers(c *Context) error {
	names := c.Server.acl.names()
	c.Out.Array(len(names))
	for _, n := range names {
		c.Out.BulkString(n)
	}
	return nil
}

// ACL WHOAMI
func cmdACLWhoAmI(c *Context) error {
	c.Out.BulkString(c.Client.userName())
	return nil
}

// ACL CAT [category]
func cmdACLCat(c *Context) error {
	if len(c.Args) == 2 {
		c.Out.Array(len(aclCategories))
		for _, cat := range aclCategories {
			c.Out.BulkString(cat)
		}
		return nil
	}
	if len(c.Args) > 3 {
		return protocol.ErrSubcommandArgs(c.Args[1], "acl")
	}
	cat := strings.ToLower(string(c.Args[2]))
	if !validCategory(cat) || cat == "all" {
		return protocol.Error("ERR Unknown category '" + string(c.Args[2]) + "'")
	}
	var names []string
	c.Server.table.forEachCommand(func(cmd *Command) {
		if cmd.hasCategory(cat) {
			names = append(names, cmd.FullName())
		}
	})
	c.Out.Array(len(names))
	for _, n := range names {
		c.Out.BulkString(n)
	}
	return nil
}

// ACL GENPASS [bits]: a random password of bits (default 256) as hex.
func cmdACLGenPass(c *Context) error {
	bits := int64(256)
	if len(c.Args) == 3 {
		n, ok := protocol.ParseInt(c.Args[2])
		if !ok {
			return protocol.ErrNotInteger
		}
		if n <= 0 || n > 4096 {
			return protocol.Error("ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096")
		}
		bits = n
	} else if len(c.Args) > 3 {
		return protocol.ErrSubcommandArgs(c.Args[1], "acl")
	}
	chars := int((bits + 3) / 4)
	b := make([]byte, (chars+1)/2)
	rand.Read(b)
	c.Out.BulkString(hex.EncodeToString(b)[:chars])
	return nil
}

// ACL DRYRUN username command [arg …]
func cmdACLDryRun(c *Context) error {
	s := c.Server
	u := s.acl.get(string(c.Args[2]))
	if u == nil {
		return protocol.Error("ERR User '" + string(c.Args[2]) + "' not found")
	}
	args := c.Args[3:]
	cmd := s.table.lookupArgs(args)
	if cmd == nil {
		return protocol.Error("ERR Command '" + string(args[0]) + "' not found")
	}
	if !cmd.arityOK(len(args)) {
		return protocol.ErrWrongArgs(cmd.FullName())
	}
	if err := u.rules.Load().permits(cmd, args); err != nil {
		msg := "T" + strings.TrimPrefix(err.Error(), "NOPERM t")
		switch e := err.(type) {
		case keyDenied:
			msg = "This user has no permissions to access the '" + e.key + "' key"
		case channelDenied:
			msg = "This user has no permissions to access the '" + e.channel + "' channel"
		}
		c.Out.BulkString(msg)
		return nil
	}
	c.Out.OK()
	return nil
}

// ACL HELP
func cmdACLHelp(c *Context) error {
	return writeHelp(c, "ACL", []string{
		"CAT [<category>]", "    List all commands that belong to <category>, or all command categories",
		"    when no category is specified.",
		"DELUSER <username> [<username> ...]", "    Delete a list of users.",
		"DRYRUN <username> <command> [<arg> ...]", "    Returns whether the user can execute the given command without executing the command.",
		"GETUSER <username>", "    Get the user's details.",
		"GENPASS [<bits>]", "    Generate a secure 256-bit user password. The optional `bits` argument can",
		"    be used to specify a different size.",
		"LIST", "    Show users details in config file format.",
		"LOAD", "    Reload users from the ACL file.",
		"LOG [<count> | RESET]", "    Show the ACL log entries.",
		"SAVE", "    Save the current config to the ACL file.",
		"SETUSER <username> <attribute> [<attribute> ...]", "    Create or modify a user with the specified attributes.",
		"USERS", "    List all the registered usernames.",
		"WHOAMI", "    Return the current connection username.",
	})
}
