package server

import (
	"slices"
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
	errRuleNoPass   ruleError = "The password you are trying to remove from the user does not exist"
	// errRuleFirstArgSub: +config|get|appendonly.
	errRuleFirstArgSub ruleError = "Allowing first-arg of a subcommand is not supported"
)

// newUserRules are what ACL SETUSER starts a new user from: off, no
// passwords, keys or commands; all channels or none as
// acl-pubsub-default says.
func newUserRules(allChannels bool) *aclRules {
	return &aclRules{aclSelector: newSelector(allChannels)}
}

// apply applies one ACL rule (the words of ACL SETUSER and of an ACL
// file's user lines, selectors merged) to r, as Redis's ACLSetUser.
// allChannels is acl-pubsub-default, for reset and new selectors.
func (r *aclRules) apply(t *Table, rule string, allChannels bool) error {
	if rule == "" {
		return nil
	}
	switch strings.ToLower(rule) {
	case "on":
		r.enabled = true
	case "off":
		r.enabled = false
	case "nopass":
		r.nopass, r.passwords = true, nil
	case "resetpass":
		r.nopass, r.passwords = false, nil
	case "sanitize-payload", "skip-sanitize-payload":
		r.sanitize = strings.ToLower(rule)
	case "clearselectors":
		r.selectors = nil
	case "reset":
		*r = *newUserRules(allChannels)
		r.sanitize = "sanitize-payload"
		r.setAll(t, false)
	default:
		switch {
		case rule[0] == '(' && rule[len(rule)-1] == ')':
			sel, err := parseSelector(t, rule, allChannels)
			if err != nil {
				return err
			}
			r.selectors = append(r.selectors, sel)
		case rule[0] == '>' || rule[0] == '#':
			h := hashPassword(rule[1:])
			if rule[0] == '#' {
				if h = rule[1:]; !validHash(h) {
					return errRuleHash
				}
			}
			if !slices.Contains(r.passwords, h) {
				r.passwords = append(r.passwords, h)
			}
			r.nopass = false
		case rule[0] == '<' || rule[0] == '!':
			h := hashPassword(rule[1:])
			if rule[0] == '!' {
				if h = rule[1:]; !validHash(h) {
					return errRuleHash
				}
			}
			if !slices.Contains(r.passwords, h) {
				return errRuleNoPass
			}
			r.removePassword(h)
		default:
			return r.applySelector(t, rule)
		}
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
	if r.sanitize != "" {
		parts = append(parts, r.sanitize)
	}
	for _, p := range r.passwords {
		parts = append(parts, "#"+p)
	}
	parts = append(parts, r.aclSelector.describe())
	for _, sel := range r.selectors {
		parts = append(parts, "("+sel.describe()+")")
	}
	return strings.Join(parts, " ")
}

// setUserError formats a refused modifier as Redis does.
func setUserError(rule string, err error) error {
	return protocol.Error("ERR Error in ACL SETUSER modifier '" + rule + "': " + err.Error())
}
