package server

import (
	"strings"

	"github.com/cairn-db/cairn/protocol"
)

// ruleError is why one ACL SETUSER modifier was refused.
type ruleError string

func (e ruleError) Error() string { return string(e) }

const (
	errRuleSyntax   ruleError = "Syntax error"
	errRuleUnknown  ruleError = "Unknown command or category name in ACL"
	errRuleAfterAll ruleError = "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns"
	errRuleHash     ruleError = "The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters"
	errRuleChanAll  ruleError = "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels"
)

// newUserRules are what ACL SETUSER starts a new user from: off, no
// passwords, keys, channels or commands.
func newUserRules() *aclRules {
	return &aclRules{allowed: map[*Command]bool{}}
}

// apply applies one ACL rule (the words of ACL SETUSER and of an ACL
// file's user lines) to r.
func (r *aclRules) apply(t *Table, rule string) error {
	low := strings.ToLower(rule)
	switch low {
	case "on":
		r.enabled = true
	case "off":
		r.enabled = false
	case "nopass":
		r.nopass, r.passwords = true, nil
	case "resetpass":
		r.nopass, r.passwords = false, nil
	case "allkeys":
		r.allKeys, r.keys = true, []keyPattern{{pattern: "*", read: true, write: true}}
	case "resetkeys":
		r.allKeys, r.keys = false, nil
	case "allchannels":
		r.allChannels, r.channels = true, []string{"*"}
	case "resetchannels":
		r.allChannels, r.channels = false, nil
	case "allcommands", "+@all":
		r.setAll(t, true)
	case "nocommands", "-@all":
		r.setAll(t, false)
	case "sanitize-payload", "skip-sanitize-payload":
		r.sanitize = low == "sanitize-payload"
	case "reset":
		*r = *newUserRules()
		r.sanitize = true
		r.setAll(t, false)
	default:
		return r.applyValue(t, rule)
	}
	return nil
}

// applyValue handles the rules that carry a value: passwords, key and
// channel patterns, command and category permissions.
func (r *aclRules) applyValue(t *Table, rule string) error {
	switch {
	case rule[0] == '>':
		h := hashPassword(rule[1:])
		r.removePassword(h)
		r.passwords = append(r.passwords, h)
		r.nopass = false
	case rule[0] == '<':
		r.removePassword(hashPassword(rule[1:]))
	case rule[0] == '#':
		h := rule[1:]
		if !validHash(h) {
			return errRuleHash
		}
		r.removePassword(h)
		r.passwords = append(r.passwords, h)
		r.nopass = false
	case rule[0] == '!':
		if !validHash(rule[1:]) {
			return errRuleHash
		}
		r.removePassword(rule[1:])
	case rule[0] == '~' || rule[0] == '%':
		return r.addKeyPattern(rule)
	case rule[0] == '&':
		if r.allChannels {
			return errRuleChanAll
		}
		if rule[1:] == "*" {
			r.allChannels = true
			r.channels = nil
		}
		r.channels = append(r.channels, rule[1:])
	case rule[0] == '+' || rule[0] == '-':
		return r.applyCommand(t, strings.ToLower(rule[1:]), rule[0] == '+')
	default:
		return errRuleSyntax
	}
	return nil
}

func (r *aclRules) removePassword(h string) {
	out := r.passwords[:0]
	for _, p := range r.passwords {
		if p != h {
			out = append(out, p)
		}
	}
	r.passwords = out
}

func validHash(h string) bool {
	if len(h) != 64 {
		return false
	}
	for _, c := range h {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// addKeyPattern parses ~pattern, %R~pattern, %W~pattern, %RW~pattern.
func (r *aclRules) addKeyPattern(rule string) error {
	kp := keyPattern{read: true, write: true}
	if rule[0] == '%' {
		i := strings.IndexByte(rule, '~')
		if i < 2 {
			return errRuleSyntax
		}
		kp.read, kp.write = false, false
		for _, c := range strings.ToUpper(rule[1:i]) {
			switch c {
			case 'R':
				kp.read = true
			case 'W':
				kp.write = true
			default:
				return errRuleSyntax
			}
		}
		rule = rule[i:]
	}
	kp.pattern = rule[1:]
	if r.allKeys {
		return errRuleAfterAll
	}
	if kp.pattern == "*" && kp.read && kp.write {
		r.allKeys, r.keys = true, nil
	}
	r.keys = append(r.keys, kp)
	return nil
}

// setAll is +@all / -@all: every command, and the rule history restarts.
func (r *aclRules) setAll(t *Table, allow bool) {
	r.allCommands = allow
	r.cmdRules = nil
	r.allowed = map[*Command]bool{}
	if allow {
		t.forEachCommand(func(c *Command) { r.allowed[c] = true })
	}
}

// applyCommand is +name, -name, +name|sub, +@category, -@category.
func (r *aclRules) applyCommand(t *Table, name string, allow bool) error {
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
		r.dropRules(func(rule string) bool {
			if rule[1:] == name {
				return true
			}
			for _, c := range cmds {
				if rule[1:] == c.FullName() {
					return true
				}
			}
			return false
		})
		implied := true
		for _, c := range cmds {
			implied = implied && r.implied(c) == allow
			r.set(c, allow)
		}
		if !implied {
			r.cmdRules = append(r.cmdRules, sign+name)
		}
		return nil
	}
	targets := t.ruleTargets(name)
	if targets == nil {
		return errRuleUnknown
	}
	r.dropRules(func(rule string) bool {
		return rule[1:] == name || strings.HasPrefix(rule[1:], name+"|")
	})
	implied := true
	for _, c := range targets {
		implied = implied && r.implied(c) == allow
		r.set(c, allow)
	}
	if !implied {
		r.cmdRules = append(r.cmdRules, sign+name)
	}
	return nil
}

// implied is whether the recorded rules alone (from +@all or -@all)
// allow c. A new rule that changes nothing against them is not recorded,
// which keeps ACL LIST as short as Redis's.
func (r *aclRules) implied(c *Command) bool {
	allow := r.allCommands
	for _, rule := range r.cmdRules {
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

func (r *aclRules) set(c *Command, allow bool) {
	if allow {
		r.allowed[c] = true
	} else {
		delete(r.allowed, c)
	}
}

func (r *aclRules) dropRules(match func(string) bool) {
	out := r.cmdRules[:0]
	for _, rule := range r.cmdRules {
		if !match(rule) {
			out = append(out, rule)
		}
	}
	r.cmdRules = out
}

// ruleTargets resolves "name" (a command and all its subcommands) or
// "name|sub" to commands of t; nil when there is no such command.
func (t *Table) ruleTargets(name string) []*Command {
	base, sub, isSub := strings.Cut(name, "|")
	c := t.cmds[base]
	if c == nil {
		return nil
	}
	if isSub {
		s := c.Subcommands[sub]
		if s == nil {
			return nil
		}
		return []*Command{s}
	}
	out := []*Command{c}
	for _, s := range c.Subcommands {
		out = append(out, s)
	}
	return out
}

// describe writes the rules as ACL LIST shows them after "user <name>".
func (r *aclRules) describe() string {
	var parts []string
	parts = append(parts, map[bool]string{true: "on", false: "off"}[r.enabled])
	if r.nopass {
		parts = append(parts, "nopass")
	}
	if r.sanitize {
		parts = append(parts, "sanitize-payload")
	}
	for _, p := range r.passwords {
		parts = append(parts, "#"+p)
	}
	if k := r.keysString(); k != "" {
		parts = append(parts, k)
	}
	parts = append(parts, r.channelsString(true))
	parts = append(parts, r.commandsString())
	return strings.Join(parts, " ")
}

func (r *aclRules) keysString() string {
	var ks []string
	for _, k := range r.keys {
		ks = append(ks, k.String())
	}
	return strings.Join(ks, " ")
}

// channelsString is "&*", the patterns, or (for ACL LIST) resetchannels.
func (r *aclRules) channelsString(list bool) string {
	if r.allChannels {
		return "&*"
	}
	var cs []string
	if list {
		cs = append(cs, "resetchannels")
	}
	for _, c := range r.channels {
		cs = append(cs, "&"+c)
	}
	return strings.Join(cs, " ")
}

func (r *aclRules) commandsString() string {
	head := "-@all"
	if r.allCommands {
		head = "+@all"
	}
	return strings.TrimSpace(head + " " + strings.Join(r.cmdRules, " "))
}

// setUserError formats a refused modifier as Redis does.
func setUserError(rule string, err error) error {
	return protocol.Error("ERR Error in ACL SETUSER modifier '" + rule + "': " + err.Error())
}
