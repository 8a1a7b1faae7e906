package server

import (
	"math"
	"strconv"
	"strings"
)

// shutdownFlags are SHUTDOWN's options, which shutdown-on-sigint and
// shutdown-on-sigterm also take.
type shutdownFlags uint8

const (
	shutdownSave shutdownFlags = 1 << iota
	shutdownNoSave
	shutdownNow
	shutdownForce
)

// shutdownFlagNames are the flags' names, in Redis's order.
var shutdownFlagNames = []struct {
	name string
	flag shutdownFlags
}{{"save", shutdownSave}, {"nosave", shutdownNoSave}, {"now", shutdownNow}, {"force", shutdownForce}}

// lifecycle holds the settings of shutdown.go and listen.go.
type lifecycle struct {
	shutdownOnSigint, shutdownOnSigterm shutdownFlags
	// rdbKeySaveDelay is Redis's testing knob rdb-key-save-delay: the
	// microseconds an RDB save waits per key (negative: one in -n keys
	// waits a microsecond). It makes a save slow enough to watch.
	rdbKeySaveDelay int
	bindSourceAddr  string
}

// shutdownDirectives are shutdown-on-sigint, shutdown-on-sigterm,
// and rdb-key-save-delay (shutdown-timeout, for replicas Cairn does not
// have, is in tuningDefaults).
func shutdownDirectives() []directive {
	onSignal := func(name string, field func(*Config) *shutdownFlags) directive {
		return directive{name: name,
			get: func(c *Config) string { return formatShutdownFlags(*field(c)) },
			set: func(c *Config, v string) error {
				f, err := parseShutdownFlags(v)
				if err == nil {
					*field(c) = f
				}
				return err
			}}
	}
	return []directive{
		onSignal("shutdown-on-sigint", func(c *Config) *shutdownFlags { return &c.shutdownOnSigint }),
		onSignal("shutdown-on-sigterm", func(c *Config) *shutdownFlags { return &c.shutdownOnSigterm }),
		{name: "rdb-key-save-delay", unlisted: true,
			get: func(c *Config) string { return strconv.Itoa(c.rdbKeySaveDelay) },
			set: intSetter(func(c *Config) *int { return &c.rdbKeySaveDelay }, math.MinInt32, math.MaxInt32)},
	}
}

// parseShutdownFlags reads shutdown-on-sig*'s value: "default" or
// flag names, space-separated.
func parseShutdownFlags(v string) (shutdownFlags, error) {
	var f shutdownFlags
	words := strings.Fields(v)
	if len(words) == 0 {
		return 0, errShutdownFlagNames
	}
	for _, w := range words {
		g, ok := shutdownFlagNamed(w)
		if !ok && !strings.EqualFold(w, "default") {
			return 0, errShutdownFlagNames
		}
		f |= g
	}
	if f&shutdownSave != 0 && f&shutdownNoSave != 0 {
		return 0, configError("shutdown options SAVE and NOSAVE can't be used simultaneously")
	}
	return f, nil
}

const errShutdownFlagNames configError = "argument(s) must be one of the following: default, save, nosave, now, force"

func shutdownFlagNamed(name string) (shutdownFlags, bool) {
	for _, n := range shutdownFlagNames {
		if strings.EqualFold(name, n.name) {
			return n.flag, true
		}
	}
	return 0, false
}

func formatShutdownFlags(f shutdownFlags) string {
	var names []string
	for _, n := range shutdownFlagNames {
		if f&n.flag != 0 {
			names = append(names, n.name)
		}
	}
	if len(names) == 0 {
		return "default"
	}
	return strings.Join(names, " ")
}
