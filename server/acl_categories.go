package server

// aclCategories are Redis 7's ACL categories, in Redis's order (the order
// ACL CAT and COMMAND INFO list them in).
var aclCategories = []string{
	"keyspace", "read", "write", "set", "sortedset", "list", "hash", "string",
	"bitmap", "hyperloglog", "geo", "stream", "pubsub", "admin", "fast", "slow",
	"blocking", "dangerous", "connection", "transaction", "scripting",
}

// groupCategory maps a command group to the category it implies.
var groupCategory = map[string]string{
	"generic": "keyspace", "string": "string", "list": "list", "hash": "hash",
	"set": "set", "sorted_set": "sortedset", "sorted-set": "sortedset", "zset": "sortedset",
	"bitmap": "bitmap", "hyperloglog": "hyperloglog", "geo": "geo", "stream": "stream",
	"pubsub": "pubsub", "connection": "connection", "transactions": "transaction",
	"transaction": "transaction", "scripting": "scripting",
}

// categoryExceptions adjust the derived categories of commands whose
// Redis categories do not follow from their group and flags: "+cat" adds,
// "-cat" removes; "name|*" applies to every subcommand of name. Checked against redis-server by
// integration/acl_categories_test.go.
var categoryExceptions = map[string][]string{
	// generic commands Redis files under other categories too
	"keys": {"+dangerous"}, "sort": {"-keyspace", "+dangerous", "+set", "+sortedset", "+list"},
	"sort_ro": {"-keyspace", "+dangerous", "+set", "+sortedset", "+list"},
	"migrate": {"+dangerous"}, "restore": {"+dangerous"}, "restore-asking": {"+dangerous"},
	"object": {"-read"}, "memory|*": {"-keyspace"},
	// server-group commands that are keyspace commands
	"flushdb": {"+keyspace", "+dangerous"}, "flushall": {"+keyspace", "+dangerous"},
	"swapdb": {"+keyspace", "+dangerous"}, "dbsize": {"+keyspace"},
	"info": {"+dangerous"}, "lastsave": {"+admin", "+dangerous"}, "role": {"+admin", "+dangerous"},
	"exec": {"-keyspace"}, "pubsub|help": {"-pubsub"},
	"command": {"+connection"}, "command|*": {"+connection"},
	"wait": {"-keyspace", "+connection"},
	// cluster commands a client sends on its connection
	"readonly": {"+connection"}, "readwrite": {"+connection"}, "asking": {"+connection"},
}

// categories derives a command's ACL categories from its group and
// flags, then applies categoryExceptions. A new command therefore gets
// the right categories from its registration line in most cases.
func (c *Command) categories() []string {
	set := map[string]bool{}
	container := c.Subcommands != nil
	if cat, ok := groupCategory[c.group()]; ok && !container {
		set[cat] = true // a container has only what its flags say
	}
	switch {
	case c.Flags&FlagWrite != 0:
		set["write"] = true
	case c.Flags&FlagRead != 0 && c.group() != "scripting":
		// As Redis's setImplicitACLCategories: read-only scripts are
		// not @read.
		set["read"] = true
	}
	if c.Flags&FlagAdmin != 0 && !container {
		set["admin"] = true
		set["dangerous"] = true
	}
	if c.Flags&FlagFast != 0 {
		set["fast"] = true
	} else {
		set["slow"] = true
	}
	if c.Flags&FlagBlocking != 0 {
		set["blocking"] = true
	}
	if c.Flags&FlagPubSub != 0 {
		set["pubsub"] = true
	}
	var except []string
	if c.parent != nil {
		except = categoryExceptions[c.parent.Name+"|*"]
	}
	for _, e := range append(except, categoryExceptions[c.FullName()]...) {
		set[e[1:]] = e[0] == '+'
	}
	out := make([]string, 0, len(set))
	for _, cat := range aclCategories {
		if set[cat] {
			out = append(out, "@"+cat)
		}
	}
	return out
}

// hasCategory reports whether the command is in category cat (no "@").
func (c *Command) hasCategory(cat string) bool {
	if cat == "all" {
		return true
	}
	for _, have := range c.categories() {
		if have[1:] == cat {
			return true
		}
	}
	return false
}

func validCategory(cat string) bool {
	if cat == "all" {
		return true
	}
	for _, c := range aclCategories {
		if c == cat {
			return true
		}
	}
	return false
}
