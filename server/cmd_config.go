package server

import (
	"slices"
	"strings"

	"github.com/cairn-db/cairn/protocol"
	"github.com/cairn-db/cairn/store"
)

func configCommand() *Command {
	const admin = FlagAdmin | FlagNoScript | FlagLoading | FlagStale
	return container("config", -2, 0,
		cmd("get", -3, admin, cmdConfigGet),
		cmd("set", -4, admin, cmdConfigSet),
		cmd("resetstat", 2, admin, cmdConfigResetStat),
		cmd("rewrite", 2, admin, cmdConfigRewrite),
		cmd("help", 2, FlagLoading|FlagStale, cmdConfigHelp),
	)
}

// CONFIG GET pattern [pattern …]
func cmdConfigGet(c *Context) error {
	s := c.Server
	s.cfgMu.Lock()
	defer s.cfgMu.Unlock()
	var pairs []string
	for _, d := range directiveTable {
		if d.hidden {
			continue
		}
		for _, p := range c.Args[2:] {
			if d.unlisted && !strings.EqualFold(string(p), d.name) {
				continue
			}
			if store.Match(strings.ToLower(string(p)), d.name, true) {
				pairs = append(pairs, d.name, d.get(&s.cfg))
				break
			}
		}
	}
	c.Out.Map(len(pairs) / 2)
	for _, p := range pairs {
		c.Out.BulkString(p)
	}
	return nil
}

// CONFIG SET parameter value [parameter value …]: all or nothing.
func cmdConfigSet(c *Context) error {
	args := c.Args[2:]
	if len(args)%2 != 0 {
		return protocol.ErrSyntax
	}
	s := c.Server
	seen := map[string]bool{}
	if err := s.configSet(c.Client, args, seen); err != nil {
		return err
	}
	if seen["maxmemory"] && !s.loading.Load() {
		// As Redis's updateMaxmemory: a lower limit evicts at once, not
		// at the next command (but nothing is evicted while loading).
		s.evictNow(c.Tx, c.Client.DB())
	}
	c.Out.OK()
	return nil
}

// configSet applies client c's CONFIG SET name/value pairs all or none,
// recording the names in seen. As Redis's configSetCommand it checks
// every name before it parses any value, so a duplicate or a setting
// refused while loading is reported as such whatever the values.
func (s *Server) configSet(c *Client, args [][]byte, seen map[string]bool) error {
	s.cfgMu.Lock()
	defer s.cfgMu.Unlock()
	dirs := make([]directive, 0, len(args)/2)
	for i := 0; i < len(args); i += 2 {
		name := strings.ToLower(string(args[i]))
		d, ok := lookupDirective(name)
		if !ok || d.hidden { // user, rename-command: file directives, not configs
			return protocol.Error("ERR Unknown option or number of arguments for CONFIG SET - '" + string(args[i]) + "'")
		}
		switch {
		case d.immutable:
			return configSetFailed(string(args[i]), "can't set immutable config")
		case d.protected && !s.enabledFor(c, "enable-protected-configs"):
			return configSetFailed(string(args[i]), "can't set protected config")
		case d.deniedWhileLoading && s.loading.Load():
			return errLoading // first: clients may retry it, unlike an ERR
		}
		if seen[name] { // (an alias is a name of its own, as in Redis 7.0)
			return configSetFailed(string(args[i]), "duplicate parameter")
		}
		seen[name] = true
		dirs = append(dirs, d)
	}
	next := s.cfg.clone()
	for i, d := range dirs {
		if err := d.set(&next, string(args[2*i+1])); err != nil {
			return configSetFailed(d.name, err.Error())
		}
		if d.startOnly && d.get(&next) != d.get(&s.cfg) {
			return configSetFailed(d.name, "can't set immutable config")
		}
	}
	if err := s.applyListen(&next); err != nil {
		return err
	}
	s.cfg = next
	s.applyConfig()
	return nil
}

// configSetFailed is CONFIG SET's error for a setting it refuses.
func configSetFailed(name, why string) error {
	return protocol.Error("ERR CONFIG SET failed (possibly related to argument '" + name + "') - " + why)
}

// CONFIG RESETSTAT
func cmdConfigResetStat(c *Context) error {
	c.Server.resetStats()
	c.Out.OK()
	return nil
}

// CONFIG HELP
func cmdConfigHelp(c *Context) error {
	return writeHelp(c, "CONFIG", []string{
		"GET <pattern>", "    Return parameters matching the glob-like <pattern> and their values.",
		"SET <directive> <value>", "    Set the configuration <directive> to <value>.",
		"RESETSTAT", "    Reset statistics reported by the INFO command.",
		"REWRITE", "    Rewrite the configuration file.",
	})
}

// clone copies c deeply enough for CONFIG SET to change the copy.
func (c Config) clone() Config {
	c.Bind = slices.Clone(c.Bind) // keeps an empty bind empty, not nil
	c.MetricsQueueKeys = append([]string(nil), c.MetricsQueueKeys...)
	t := make(map[string]string, len(c.tuning))
	for k, v := range c.tuning {
		t[k] = v
	}
	c.tuning = t
	return c
}

// tuning returns the current value of a tuning setting.
func (s *Server) tuning(name string) string {
	return s.config().tuning[name]
}

// lfuPolicy reports whether maxmemory-policy is an LFU policy.
func (s *Server) lfuPolicy() bool {
	return strings.Contains(s.config().MaxMemoryPolicy, "lfu")
}

// enabledFor reports whether setting, enable-debug-command or
// enable-protected-configs (Server.guards), allows client c what it guards:
// "yes", or "local" for a client on the loopback interface or a Unix
// socket.
func (s *Server) enabledFor(c *Client, setting string) bool {
	switch s.guards[setting] {
	case "yes":
		return true
	case "local":
		return c != nil && c.conn != nil && isLoopback(c.conn.nc.RemoteAddr())
	}
	return false
}
