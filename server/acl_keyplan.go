package server

import "github.com/cairn-db/cairn/server/commandmeta"

// aclKeyPlan is how ACL checks find a command's keys. Most commands' key
// specs are fixed positions (begin at an index, a range of keys) with
// fixed flags: their keys are read straight from the arguments, with no
// allocation. Others (a keyword, a key count, flags that depend on the
// arguments) go through commandmeta.Keys, Redis's full algorithm.
type aclKeyPlan struct {
	redis bool // the command has Redis metadata (else: Cairn's own key positions)
	fixed bool // every key spec is fixed: specs below
	specs []aclKeySpec
}

// aclKeySpec is one fixed key spec: keys from index first, up to lastKey
// (relative to first; negative: from the end, or with limit a 1/limit
// share of what remains), by step; the access they need.
type aclKeySpec struct {
	first, lastKey, step, limit int
	read, write                 bool
}

// keyPlan returns c's plan, made once.
func (c *Command) keyPlan() *aclKeyPlan {
	if p := c.aclPlan.Load(); p != nil {
		return p
	}
	p := &aclKeyPlan{}
	if e := commandmeta.Lookup(c.FullName()); e != nil {
		p.redis, p.fixed = true, true
		for i := range e.KeySpecs {
			ks := &e.KeySpecs[i]
			if ks.HasFlag("not_key") {
				continue
			}
			if ks.BeginSearch.Type != "index" || ks.FindKeys.Type != "range" ||
				ks.HasFlag("incomplete") || ks.HasFlag("variable_flags") {
				p.fixed = false
				break
			}
			sp := aclKeySpec{first: ks.BeginSearch.Index, lastKey: ks.FindKeys.LastKey,
				step: max(ks.FindKeys.KeyStep, 1), limit: ks.FindKeys.Limit}
			sp.read, sp.write = keySpecAccess(ks.Flags)
			p.specs = append(p.specs, sp)
		}
		if len(p.specs) == 0 {
			p.fixed = false // no key, or only a custom key finder
		}
	}
	c.aclPlan.Store(p)
	return p
}

// last is the index of the spec's last key over argc arguments, or -1
// when the spec does not fit them (Redis then uses the command's own key
// finder: the slow path).
func (sp *aclKeySpec) last(argc int) int {
	var last int
	switch {
	case sp.lastKey >= 0:
		last = sp.first + sp.lastKey
	case sp.limit == 0:
		last = argc + sp.lastKey
	default:
		last = sp.first + (argc-sp.first)/sp.limit + sp.lastKey
	}
	if last >= argc || last < sp.first || sp.first >= argc {
		return -1
	}
	return last
}

// fits reports whether every fixed spec fits argc arguments.
func (p *aclKeyPlan) fits(argc int) bool {
	for i := range p.specs {
		if p.specs[i].last(argc) < 0 {
			return false
		}
	}
	return true
}

// keySpecAccess is what a key spec's flags ask of a %R~/%W~ pattern, as
// Redis's ACL key check reads them: access needs read permission, insert,
// update and delete need write; a key with neither only has to match.
func keySpecAccess(flags []string) (read, write bool) {
	for _, f := range flags {
		switch f {
		case "access":
			read = true
		case "insert", "update", "delete":
			write = true
		}
	}
	return read, write
}
