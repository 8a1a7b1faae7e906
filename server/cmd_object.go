package server

import (
	"math"
	"strings"

	"github.com/cairn-db/cairn/protocol"
)

func objectCommands() []*Command {
	r := FlagRead
	return []*Command{
		container("object", -2, r,
			keyCmd("encoding", 3, r, 2, 2, 1, cmdObjectEncoding),
			keyCmd("idletime", 3, r, 2, 2, 1, cmdObjectIdleTime),
			keyCmd("freq", 3, r, 2, 2, 1, cmdObjectFreq),
			keyCmd("refcount", 3, r, 2, 2, 1, cmdObjectRefCount),
			cmd("help", 2, FlagLoading|FlagStale, cmdObjectHelp),
		),
		container("memory", -2, 0,
			keyCmd("usage", -3, r, 2, 2, 1, cmdMemoryUsage),
			// STATS and DOCTOR count keys: they run in a transaction.
			cmd("stats", 2, flagAtomic, cmdMemoryStats),
			cmd("doctor", 2, flagAtomic, cmdMemoryDoctor),
			cmd("malloc-stats", 2, 0, cmdMemoryMallocStats),
			cmd("purge", 2, 0, cmdMemoryPurge),
			cmd("help", 2, FlagLoading|FlagStale, cmdMemoryHelp),
		),
	}
}

// OBJECT ENCODING key
func cmdObjectEncoding(c *Context) error {
	info, ok := c.Tx.Object(c.Args[2])
	if !ok {
		c.Out.Null()
		return nil
	}
	c.Out.BulkString(info.Encoding)
	return nil
}

// OBJECT IDLETIME key: seconds since the key was last read or written.
func cmdObjectIdleTime(c *Context) error {
	info, ok := c.Tx.Object(c.Args[2])
	if !ok {
		c.Out.Null()
		return nil
	}
	if c.Server.lfuPolicy() {
		return protocol.Error("ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.")
	}
	c.Out.Int(info.Idle)
	return nil
}

// OBJECT FREQ key: Redis answers only under an LFU maxmemory policy.
func cmdObjectFreq(c *Context) error {
	info, ok := c.Tx.Object(c.Args[2])
	if !ok {
		c.Out.Null()
		return nil
	}
	if !c.Server.lfuPolicy() {
		return protocol.Error("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.")
	}
	c.Out.Int(int64(info.Freq))
	return nil
}

// OBJECT REFCOUNT key: values are never shared here, but Redis shares
// the objects of the integers 0 to 9999 (OBJ_SHARED_REFCOUNT, INT_MAX)
// unless maxmemory is set with an LRU or LFU policy, and clients see it.
// (Redis decides when the value is written; Cairn answers by the policy
// in force.)
func cmdObjectRefCount(c *Context) error {
	info, ok := c.Tx.Object(c.Args[2])
	if !ok {
		c.Out.Null()
		return nil
	}
	if info.SmallInt && c.Server.sharesIntegers() {
		c.Out.Int(math.MaxInt32)
		return nil
	}
	c.Out.Int(1)
	return nil
}

// sharesIntegers reports whether Redis would share small integers under
// the maxmemory settings, as its canUseSharedObject.
func (s *Server) sharesIntegers() bool {
	cfg := s.config()
	return cfg.MaxMemory == 0 || !(strings.HasSuffix(cfg.MaxMemoryPolicy, "-lru") || strings.HasSuffix(cfg.MaxMemoryPolicy, "-lfu"))
}

// OBJECT HELP
func cmdObjectHelp(c *Context) error {
	return writeHelp(c, "OBJECT", []string{
		"ENCODING <key>", "    Return the kind of internal representation used in order to store the value",
		"    associated with a <key>.",
		"FREQ <key>", "    Return the access frequency index of the <key>. The returned integer is",
		"    proportional to the logarithm of the recent access frequency of the key.",
		"IDLETIME <key>", "    Return the idle time of the <key>, that is the approximated number of",
		"    seconds elapsed since the last access to the key.",
		"REFCOUNT <key>", "    Return the number of references of the value associated with the specified",
		"    <key>.",
	})
}

// MEMORY USAGE key [SAMPLES count]
func cmdMemoryUsage(c *Context) error {
	args := c.Args[3:]
	switch {
	case len(args) == 0:
	case len(args) == 2 && protocol.EqualFold(args[0], "samples"):
		if _, ok := protocol.ParseInt(args[1]); !ok {
			return protocol.ErrNotInteger
		}
	default:
		return protocol.ErrSyntax
	}
	n, ok := c.Tx.MemoryUsage(c.Args[2])
	if !ok {
		c.Out.Null()
		return nil
	}
	c.Out.Int(int64(n))
	return nil
}

// MEMORY HELP
func cmdMemoryHelp(c *Context) error {
	return writeHelp(c, "MEMORY", []string{
		"DOCTOR", "    Return memory problems reports.",
		"MALLOC-STATS", "    Return internal statistics report from the memory allocator.",
		"PURGE", "    Attempt to purge dirty pages for reclamation by the allocator.",
		"STATS", "    Return information about the memory usage of the server.",
		"USAGE <key> [SAMPLES <count>]", "    Return memory in bytes used by <key> and its value. Nested values are",
		"    sampled up to <count> times (default: 5, 0 means sample all).",
	})
}
