package server

import (
	"strings"

	"github.com/cairn-db/cairn/protocol"
	"github.com/cairn-db/cairn/server/commandmeta"
	"github.com/cairn-db/cairn/store"
)

// aclSelector is one set of command, key and channel permissions, as a
// Redis 7 selector. A user has a root selector (the rules written outside
// parentheses) and any number of "(…)" selectors; a command runs when one
// of them allows it, keys and channels included.
type aclSelector struct {
	allCommands bool                  // +@all: includes commands added later
	allowed     map[*Command]bool     // every allowed command and subcommand
	firstArgs   map[*Command][]string // +select|0: first arguments allowed of a denied command
	cmdRules    []string              // command rules as ACL LIST shows them

	allKeys     bool
	keys        []keyPattern
	allChannels bool
	channels    []string
}

func newSelector(allChannels bool) aclSelector {
	return aclSelector{allowed: map[*Command]bool{}, allChannels: allChannels}
}

func (s *aclSelector) clone() aclSelector {
	n := *s
	n.allowed = make(map[*Command]bool, len(s.allowed))
	for k, v := range s.allowed {
		n.allowed[k] = v
	}
	if s.firstArgs != nil {
		n.firstArgs = make(map[*Command][]string, len(s.firstArgs))
		for k, v := range s.firstArgs {
			n.firstArgs[k] = append([]string(nil), v...)
		}
	}
	n.cmdRules = append([]string(nil), s.cmdRules...)
	n.keys = append([]keyPattern(nil), s.keys...)
	n.channels = append([]string(nil), s.channels...)
	return n
}

// unrestricted: every command on every key.
func (s *aclSelector) unrestricted() bool {
	return s.allCommands && len(s.cmdRules) == 0 && s.allKeys
}

// applySelector applies one rule that a selector takes (Redis's
// ACLSetSelector): commands, categories, key and channel patterns.
func (s *aclSelector) applySelector(t *Table, rule string) error {
	switch strings.ToLower(rule) {
	case "allkeys", "~*":
		s.allKeys, s.keys = true, nil
		return nil
	case "resetkeys":
		s.allKeys, s.keys = false, nil
		return nil
	case "allchannels", "&*":
		s.allChannels, s.channels = true, nil
		return nil
	case "resetchannels":
		s.allChannels, s.channels = false, nil
		return nil
	case "allcommands", "+@all":
		s.setAll(t, true)
		return nil
	case "nocommands", "-@all":
		s.setAll(t, false)
		return nil
	}
	switch rule[0] {
	case '~', '%':
		return s.addKeyPattern(rule)
	case '&':
		if s.allChannels {
			return errRuleChanAll
		}
		if strings.ContainsAny(rule[1:], " \t\r\n\x00") {
			return errRuleSyntax
		}
		for _, c := range s.channels {
			if c == rule[1:] {
				return nil
			}
		}
		s.channels = append(s.channels, rule[1:])
		return nil
	case '+', '-':
		if len(rule) > 1 && rule[1] != '@' && rule[0] == '+' && strings.Contains(rule, "|") {
			return s.allowFirstArg(t, rule[1:])
		}
		return s.applyCommand(t, strings.ToLower(rule[1:]), rule[0] == '+')
	}
	return errRuleSyntax
}

// addKeyPattern parses ~pattern, %R~pattern, %W~pattern, %RW~pattern; a
// pattern given twice keeps one entry with both permissions.
func (s *aclSelector) addKeyPattern(rule string) error {
	if s.allKeys {
		return errRuleAfterAll
	}
	kp := keyPattern{read: true, write: true}
	off := 1
	if rule[0] == '%' {
		kp.read, kp.write = false, false
		for ; off < len(rule); off++ {
			c := rule[off]
			if (c == 'R' || c == 'r') && !kp.read {
				kp.read = true
			} else if (c == 'W' || c == 'w') && !kp.write {
				kp.write = true
			} else if c == '~' {
				off++
				break
			} else {
				return errRuleSyntax
			}
		}
		if !kp.read && !kp.write {
			return errRuleSyntax
		}
	}
	kp.pattern = rule[min(off, len(rule)):]
	if strings.ContainsAny(kp.pattern, " \t\r\n\x00") {
		return errRuleSyntax
	}
	for i := range s.keys {
		if s.keys[i].pattern == kp.pattern {
			s.keys[i].read = s.keys[i].read || kp.read
			s.keys[i].write = s.keys[i].write || kp.write
			return nil
		}
	}
	s.keys = append(s.keys, kp)
	return nil
}

// setAll is +@all / -@all: every command, and the rule history restarts.
func (s *aclSelector) setAll(t *Table, allow bool) {
	s.allCommands = allow
	s.cmdRules = nil
	s.firstArgs = nil
	s.allowed = map[*Command]bool{}
	if allow {
		t.forEachCommand(func(c *Command) { s.allowed[c] = true })
	}
}

// allowFirstArg is +name|arg. For a container it allows the subcommand;
// for another command, the command with that first argument only (Redis
// 7.0's deprecated first-arg rule: +select|0, +debug|object).
func (s *aclSelector) allowFirstArg(t *Table, spec string) error {
	i := strings.LastIndexByte(spec, '|')
	base, arg := strings.ToLower(spec[:i]), spec[i+1:]
	targets := t.ruleTargets(base)
	if targets == nil {
		return errRuleUnknown
	}
	c := targets[0]
	if c.parent != nil {
		return errRuleFirstArgSub
	}
	if arg == "" {
		return errRuleSyntax
	}
	if c.Subcommands != nil {
		return s.applyCommand(t, strings.ToLower(spec), true)
	}
	if s.allowed[c] {
		return nil // Redis keeps it but never uses nor shows it
	}
	for _, a := range s.firstArgs[c] {
		if strings.EqualFold(a, arg) {
			return nil
		}
	}
	if s.firstArgs == nil {
		s.firstArgs = map[*Command][]string{}
	}
	s.firstArgs[c] = append(s.firstArgs[c], arg)
	s.cmdRules = append(s.cmdRules, "+"+c.Name+"|"+arg)
	return nil
}

// applyCommand is +name, -name, +name|sub, +@category, -@category.
func (s *aclSelector) applyCommand(t *Table, name string, allow bool) error {
	sign := "-"
	if allow {
		sign = "+"
	}
	if cat, ok := strings.CutPrefix(name, "@"); ok {
		if !validCategory(cat) {
			return errRuleUnknown
		}
		var cmds []*Command
		t.forEachCommand(func(c *Command) {
			if c.hasCategory(cat) {
				cmds = append(cmds, c)
			}
		})
		s.dropRules(func(rule string) bool {
			if rule[1:] == name {
				return true
			}
			for _, c := range cmds {
				if rule[1:] == c.FullName() || c.Subcommands == nil && strings.HasPrefix(rule[1:], c.FullName()+"|") {
					return true
				}
			}
			return false
		})
		s.setRule(sign+name, cmds, allow)
		return nil
	}
	targets := t.ruleTargets(name)
	if targets == nil {
		return errRuleUnknown
	}
	s.dropRules(func(rule string) bool {
		return rule[1:] == name || strings.HasPrefix(rule[1:], name+"|")
	})
	s.setRule(sign+name, targets, allow)
	return nil
}

// setRule allows or denies cmds, and keeps rule for ACL GETUSER unless
// it changed nothing the rules before it did not already say.
func (s *aclSelector) setRule(rule string, cmds []*Command, allow bool) {
	implied := true
	for _, c := range cmds {
		implied = implied && s.implied(c) == allow
		s.set(c, allow)
	}
	if !implied {
		s.cmdRules = append(s.cmdRules, rule)
	}
}

// implied is whether the recorded rules alone (from +@all or -@all)
// allow c. A new rule that changes nothing against them is not recorded,
// which keeps ACL LIST as short as Redis's.
func (s *aclSelector) implied(c *Command) bool {
	allow := s.allCommands
	for _, rule := range s.cmdRules {
		on, name := rule[0] == '+', rule[1:]
		if cat, ok := strings.CutPrefix(name, "@"); ok {
			if c.hasCategory(cat) {
				allow = on
			}
			continue
		}
		if name == c.FullName() || (c.parent != nil && name == c.parent.Name) {
			allow = on
		}
	}
	return allow
}

func (s *aclSelector) set(c *Command, allow bool) {
	delete(s.firstArgs, c)
	if allow {
		s.allowed[c] = true
	} else {
		delete(s.allowed, c)
	}
}

func (s *aclSelector) dropRules(match func(string) bool) {
	out := s.cmdRules[:0]
	for _, rule := range s.cmdRules {
		if !match(rule) {
			out = append(out, rule)
		}
	}
	s.cmdRules = out
}

// describe is the selector in ACL LIST syntax: keys, channels, commands.
func (s *aclSelector) describe() string {
	var parts []string
	if k := s.keysString(); k != "" {
		parts = append(parts, k)
	}
	parts = append(parts, s.channelsString(true))
	parts = append(parts, s.commandsString())
	return strings.Join(parts, " ")
}

func (s *aclSelector) keysString() string {
	if s.allKeys {
		return "~*"
	}
	var ks []string
	for _, k := range s.keys {
		ks = append(ks, k.String())
	}
	return strings.Join(ks, " ")
}

// channelsString is "&*", the patterns, or (for ACL LIST) resetchannels
// and the patterns.
func (s *aclSelector) channelsString(list bool) string {
	if s.allChannels {
		return "&*"
	}
	var cs []string
	if list {
		cs = append(cs, "resetchannels")
	}
	for _, c := range s.channels {
		cs = append(cs, "&"+c)
	}
	return strings.Join(cs, " ")
}

func (s *aclSelector) commandsString() string {
	head := "-@all"
	if s.allCommands {
		head = "+@all"
	}
	return strings.TrimSpace(head + " " + strings.Join(s.cmdRules, " "))
}

// aclKeyRef is one key of a command line and the access it needs.
type aclKeyRef struct {
	key         []byte
	pos         int
	read, write bool
}

// aclCheck holds what the selectors of one permission check share: the
// command line's keys, found once.
type aclCheck struct {
	cmd     *Command
	args    [][]byte
	keys    []aclKeyRef
	keysSet bool
}

// keyRefs finds the keys as Redis's getKeysFromCommandWithSpecs, with the
// access each key spec says (access: read; insert, update, delete:
// write; none: the key must only match a pattern).
func (k *aclCheck) keyRefs() []aclKeyRef {
	if k.keysSet {
		return k.keys
	}
	k.keysSet = true
	name := k.cmd.FullName()
	if !k.cmd.keyPlan().redis {
		// Not a Redis command: its key positions and flags.
		write := k.cmd.Flags&FlagWrite != 0
		read := !write || k.cmd.Flags&FlagRead != 0
		for i, key := range commandKeys(k.cmd, k.args) {
			// Positions only order the denials (Redis reports the last).
			k.keys = append(k.keys, aclKeyRef{key: key, pos: i + 1, read: read, write: write})
		}
		return k.keys
	}
	for _, ref := range commandmeta.Keys(name, k.args) {
		if ref.Pos >= len(k.args) {
			continue
		}
		r := aclKeyRef{key: k.args[ref.Pos], pos: ref.Pos}
		r.read, r.write = keySpecAccess(ref.Flags)
		k.keys = append(k.keys, r)
	}
	return k.keys
}

// Denial kinds in Redis's order of relevance (ACL_DENIED_CMD < KEY <
// CHANNEL): with several selectors, the most relevant one is reported.
const (
	deniedCmd = iota + 1
	deniedKey
	deniedChannel
)

// check is ACLSelectorCheckCmd: 0, or the denial kind, the index of the
// argument denied and that key or channel.
func (s *aclSelector) check(k *aclCheck) (kind, idx int, object string) {
	cmd, args := k.cmd, k.args
	if cmd.Flags&FlagNoAuth == 0 && !s.allowed[cmd] {
		fa := s.firstArgs[cmd]
		at := 1
		if cmd.parent != nil {
			at = 2
		}
		ok := false
		for _, a := range fa {
			if at < len(args) && strings.EqualFold(a, string(args[at])) {
				ok = true
				break
			}
		}
		if !ok {
			return deniedCmd, 0, ""
		}
	}
	if !s.allKeys {
		if p := cmd.keyPlan(); p.fixed && p.fits(len(args)) {
			for i := range p.specs {
				sp := &p.specs[i]
				for j, last := sp.first, sp.last(len(args)); j <= last; j += sp.step {
					if !s.keyAllowed(string(args[j]), sp.read, sp.write) {
						return deniedKey, j, string(args[j])
					}
				}
			}
			goto channels
		}
		for _, ref := range k.keyRefs() {
			if !s.keyAllowed(string(ref.key), ref.read, ref.write) {
				return deniedKey, ref.pos, string(ref.key)
			}
		}
	}
channels:
	if !s.allChannels {
		isPattern := cmd.Name == "psubscribe"
		for i, ch := range channelArgs(cmd, args) {
			if !s.channelAllowed(string(ch), isPattern) {
				return deniedChannel, channelIndex(cmd, i), string(ch)
			}
		}
	}
	return 0, 0, ""
}

// channelIndex is the argument index of the i-th channel channelArgs finds.
func channelIndex(cmd *Command, i int) int { return i + 1 }

// readsAllKeys: allkeys, or a "*" pattern with read permission.
func (s *aclSelector) readsAllKeys() bool {
	if s.allKeys {
		return true
	}
	for _, p := range s.keys {
		if p.read && p.pattern == "*" {
			return true
		}
	}
	return false
}

func (s *aclSelector) keyAllowed(key string, read, write bool) bool {
	if s.allKeys {
		return true
	}
	for _, p := range s.keys {
		if (read && !p.read) || (write && !p.write) {
			continue
		}
		if store.Match(p.pattern, key, false) {
			return true
		}
	}
	return false
}

// channelAllowed checks a channel against the &patterns; a PSUBSCRIBE
// pattern must be one of them literally, as in Redis.
func (s *aclSelector) channelAllowed(ch string, isPattern bool) bool {
	if s.allChannels {
		return true
	}
	for _, p := range s.channels {
		if isPattern && p == ch || !isPattern && store.Match(p, ch, false) {
			return true
		}
	}
	return false
}

// parseSelector is a "(rule rule …)" modifier: a new selector with no
// permissions but the rules inside.
func parseSelector(t *Table, op string, allChannels bool) (*aclSelector, error) {
	words, err := splitArgs(op[1 : len(op)-1])
	if err != nil {
		return nil, errRuleSyntax
	}
	s := newSelector(allChannels)
	for _, w := range words {
		if w == "" {
			continue
		}
		if err := s.applySelector(t, w); err != nil {
			return nil, err
		}
	}
	return &s, nil
}

// mergeSelectorArgs joins the words of a selector split by the client
// ("(+get", "~key)") into one modifier, as Redis's
// ACLMergeSelectorArguments.
func mergeSelectorArgs(rules []string) ([]string, error) {
	var out []string
	open := -1
	var cur string
	for i, r := range rules {
		if open < 0 && len(r) > 0 && r[0] == '(' && r[len(r)-1] != ')' {
			open, cur = i, r
			continue
		}
		if open >= 0 {
			cur += " " + r
			if len(r) > 0 && r[len(r)-1] == ')' {
				out = append(out, cur)
				open = -1
			}
			continue
		}
		out = append(out, r)
	}
	if open >= 0 {
		return nil, protocol.Error("ERR Unmatched parenthesis in acl selector starting at '" + rules[open] + "'.")
	}
	return out, nil
}
