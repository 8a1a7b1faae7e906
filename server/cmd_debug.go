package server

import (
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/cairn-db/cairn/protocol"
	"github.com/cairn-db/cairn/store"
)

// DEBUG, for tests of the server and of its clients. It is refused, as by
// redis-server, unless enable-debug-command is "yes", or "local" for
// clients on the loopback interface or a Unix socket (set at start: the
// setting is immutable). Cairn answers the subcommands that tests use to
// look at or steer the dataset; those that reach into Redis's C internals
// (its allocator, SDS strings, replication stream, crash handlers) are
// not there, and answer as an unknown subcommand does.
func debugCommands() []*Command {
	return []*Command{{
		Name: "debug", Arity: -2, Handler: cmdDebug,
		// flagAtomic: DEBUG RELOAD and DIGEST see the whole dataset at
		// one point in time, and DEBUG SLEEP stops every client, as in Redis.
		Flags:   FlagAdmin | FlagNoScript | FlagLoading | FlagStale | flagAtomic,
		refused: errDebugCommand, enabledBy: "enable-debug-command",
	}}
}

// errDebugCommand is Redis's reply to DEBUG under enable-debug-command no.
const errDebugCommand protocol.Error = `ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.`

// debugSub is one DEBUG subcommand: its handler and how many arguments
// (the subcommand's name included) it takes; max -1: any number.
type debugSub struct {
	min, max int
	run      func(c *Context, args [][]byte) error
}

var debugSubs map[string]debugSub

func init() {
	debugSubs = map[string]debugSub{
		"help":         {1, 1, debugHelp},
		"log":          {2, 2, debugLog},
		"error":        {2, 2, debugError},
		"sleep":        {2, 2, debugSleep},
		"object":       {2, 2, debugObject},
		"digest":       {1, 1, debugDigest},
		"digest-value": {1, -1, debugDigestValue},
		"protocol":     {2, 2, debugProtocol},
		"reload":       {1, -1, debugReload},
		"loadaof":      {1, 1, debugLoadAOF},
		"populate":     {2, 4, debugPopulate},
		// SET-ACTIVE-EXPIRE 0 stops the cron's expiry of keys no one reads
		// (they still expire when touched); PAUSE-CRON 1 stops all of the
		// cron's work; SET-DISABLE-DENY-SCRIPTS 1 lets scripts call
		// commands flagged noscript, DEBUG among them.
		"set-active-expire":          {2, 2, debugSwitch(func(s *Server) *atomic.Bool { return &s.activeExpireOff }, true)},
		"pause-cron":                 {2, 2, debugSwitch(func(s *Server) *atomic.Bool { return &s.cronPaused }, false)},
		"replybuffer":                {3, 3, debugReplyBuffer},
		"set-disable-deny-scripts":   {2, 2, debugSwitch(func(s *Server) *atomic.Bool { return &s.denyScriptsOff }, false)},
		"quicklist-packed-threshold": {2, 2, debugPackedThreshold},
		"change-repl-id":             {1, 1, debugOK},
		"config-rewrite-force-all":   {1, 1, debugConfigRewriteForceAll},
	}
}

// DEBUG <subcommand> [<arg> ...]
func cmdDebug(c *Context) error {
	sub, ok := debugSubs[strings.ToLower(string(c.Args[1]))]
	n := len(c.Args) - 1
	if !ok || n < sub.min || (sub.max >= 0 && n > sub.max) {
		return protocol.ErrSubcommandArgs(c.Args[1], "debug")
	}
	return sub.run(c, c.Args[2:])
}

// DEBUG HELP
func debugHelp(c *Context, _ [][]byte) error {
	return writeHelp(c, "DEBUG", []string{
		"CHANGE-REPL-ID", "    Accepted and ignored: Cairn does not replicate.",
		"CONFIG-REWRITE-FORCE-ALL", "    Like CONFIG REWRITE but writes all configuration options, including",
		"    keywords not listed in original configuration file or default values.",
		"DIGEST", "    Output a hex signature representing the current DB content.",
		"DIGEST-VALUE <key> [<key> ...]", "    Output a hex signature of the values of all the specified keys.",
		"ERROR <string>", "    Return a Redis protocol error with <string> as message. Useful for clients",
		"    unit tests to simulate Redis errors.",
		"LOADAOF", "    Read the dataset back from the Pebble engine's records, as a restart would.",
		"LOG <message>", "    Write <message> to the server log.",
		"OBJECT <key>", "    Show low level info about `key` and associated value.",
		"PAUSE-CRON <0|1>", "    Stop periodic cron job processing.",
		"POPULATE <count> [<prefix>] [<size>]", "    Create <count> string keys named key:<num>. If <prefix> is specified then",
		"    it is used instead of the 'key' prefix.",
		"PROTOCOL <type>", "    Reply with a test value of the specified type. <type> can be: string,",
		"    integer, double, bignum, null, array, set, map, attrib, push, verbatim,",
		"    true, false.",
		"RELOAD [option ...]", "    Save the RDB on disk and reload it back to memory. Valid <option> values:",
		"    * MERGE: conflicting keys will be loaded from RDB.",
		"    * NOFLUSH: the existing database will not be removed before load, but",
		"      conflicting keys will make the load fail.",
		"    * NOSAVE: the database will be loaded from an existing RDB file.",
		"SET-ACTIVE-EXPIRE <0|1>", "    Setting it to 0 disables expiring keys in background when they are not",
		"    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
		"    default.",
		"REPLYBUFFER PEAK-RESET-TIME <NEVER||RESET|time>", "    Accepted and checked: Cairn's cron resizes no reply buffer.",
		"REPLYBUFFER RESIZING <0|1>", "    Accepted and checked, as above.",
		"QUICKLIST-PACKED-THRESHOLD <size>", "    Accepted and checked; Cairn's lists keep large elements in their chunks.",
		"SET-DISABLE-DENY-SCRIPTS <0|1>", "    1 lets scripts call commands flagged noscript (DEBUG among them); 0 restores the default.",
		"SLEEP <seconds>", "    Stop the server for <seconds>. Decimals allowed.",
	})
}

// DEBUG LOG message
func debugLog(c *Context, args [][]byte) error {
	c.Server.log.Warn("DEBUG LOG: " + string(args[0]))
	c.Out.OK()
	return nil
}

// DEBUG ERROR message: the message as an error reply, newlines blanked.
func debugError(c *Context, args [][]byte) error {
	c.Out.Error(strings.NewReplacer("\r", " ", "\n", " ").Replace(string(args[0])))
	return nil
}

// DEBUG SLEEP seconds: the whole server stops, as Redis's nanosleep in its
// one thread stops it; the argument is read as strtod reads it.
func debugSleep(c *Context, args [][]byte) error {
	secs, _ := strconv.ParseFloat(strings.TrimSpace(string(args[0])), 64)
	if secs > 0 && !math.IsInf(secs, 0) {
		time.Sleep(time.Duration(secs * float64(time.Second)))
	}
	c.Out.OK()
	return nil
}

// DEBUG OBJECT key
func debugObject(c *Context, args [][]byte) error {
	info, ok := c.Tx.DebugObject(args[0])
	if !ok {
		return protocol.Error("ERR no such key")
	}
	refcount := 1
	if info.SmallInt && c.Server.sharesIntegers() {
		refcount = math.MaxInt32
	}
	extra := ""
	if info.Encoding == "quicklist" {
		cfg := c.Server.config()
		avg := 0.0
		if info.Nodes > 0 {
			avg = float64(info.Elements) / float64(info.Nodes)
		}
		compressed := b2i(cfg.tuning["list-compress-depth"] != "0")
		extra = fmt.Sprintf(" ql_nodes:%d ql_avg_node:%.2f ql_listpack_max:%s ql_compressed:%d ql_uncompressed_size:%d",
			info.Nodes, avg, cfg.tuning["list-max-listpack-size"], compressed, info.Bytes)
	}
	c.Out.Status(fmt.Sprintf("Value at:0x%x refcount:%d encoding:%s serializedlength:%d lru:%d lru_seconds_idle:%d%s",
		info.Addr, refcount, info.Encoding, info.SerializedLen, info.Access&(1<<24-1), info.Idle, extra))
	return nil
}

// DEBUG DIGEST
func debugDigest(c *Context, _ [][]byte) error {
	d := c.Tx.Digest()
	c.Out.Status(hex.EncodeToString(d[:]))
	return nil
}

// DEBUG DIGEST-VALUE [key ...]
func debugDigestValue(c *Context, args [][]byte) error {
	c.Out.Array(len(args))
	for _, key := range args {
		d := c.Tx.DigestValue(key)
		c.Out.Status(hex.EncodeToString(d[:]))
	}
	return nil
}

// DEBUG PROTOCOL type: a sample of each reply type, Redis's values.
func debugProtocol(c *Context, args [][]byte) error {
	w := c.Out
	switch strings.ToLower(string(args[0])) {
	case "string":
		w.BulkString("Hello World")
	case "integer":
		w.Int(12345)
	case "double":
		w.Double(3.141)
	case "bignum":
		w.BigNumber("1234567999999999999999999999999999999")
	case "null":
		w.Null()
	case "array", "set", "map":
		kind := strings.ToLower(string(args[0]))
		switch kind {
		case "array":
			w.Array(3)
		case "set":
			w.Set(3)
		case "map":
			w.Map(3)
		}
		for j := int64(0); j < 3; j++ {
			w.Int(j)
			if kind == "map" {
				w.Boolean(j == 1)
			}
		}
	case "attrib":
		if w.Proto() == 3 {
			w.Raw([]byte("|1\r\n"))
			w.BulkString("key-popularity")
			w.Array(2)
			w.BulkString("key:123")
			w.Int(90)
		}
		// An attribute is no reply: a real one follows it.
		w.BulkString("Some real reply following the attribute")
	case "push":
		if w.Proto() != 3 {
			return protocol.Error("ERR RESP2 is not supported by this command")
		}
		w.Push(2)
		w.BulkString("server-cpu-usage")
		w.Int(42)
		// A push is no reply either: clients that skip it read this.
		w.BulkString("Some real reply following the push reply")
	case "true":
		w.Boolean(true)
	case "false":
		w.Boolean(false)
	case "verbatim":
		w.Verbatim("This is a verbatim\nstring")
	default:
		return protocol.Error("ERR Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false")
	}
	return nil
}

// DEBUG POPULATE count [prefix] [size]: string keys prefix:<n> holding
// value:<n>, cut or zero-padded to size; keys already there are left.
func debugPopulate(c *Context, args [][]byte) error {
	count, ok := protocol.ParseInt(args[0])
	if !ok || count < 0 {
		return protocol.Error("ERR value is out of range, must be positive")
	}
	prefix, size := "key", int64(0)
	if len(args) > 1 {
		prefix = string(args[1])
	}
	if len(args) > 2 {
		if size, ok = protocol.ParseInt(args[2]); !ok || size < 0 {
			return protocol.Error("ERR value is out of range, must be positive")
		}
	}
	for j := int64(0); j < count; j++ {
		key := []byte(prefix + ":" + strconv.FormatInt(j, 10))
		val := []byte("value:" + strconv.FormatInt(j, 10))
		if size > 0 {
			padded := make([]byte, size)
			copy(padded, val)
			val = padded
		}
		if _, err := c.Tx.Set(key, val, store.SetOptions{NX: true}); err != nil {
			return err
		}
	}
	c.Out.OK()
	return nil
}

// debugSwitch is a DEBUG subcommand that turns a switch of the server's
// on or off by its 0|1 argument, read as Redis reads it (atoi): nonzero
// sets it, or with inverted clears it.
func debugSwitch(field func(s *Server) *atomic.Bool, inverted bool) func(*Context, [][]byte) error {
	return func(c *Context, args [][]byte) error {
		n, _ := strconv.Atoi(string(args[0]))
		field(c.Server).Store((n != 0) != inverted)
		c.Out.OK()
		return nil
	}
}

// DEBUG REPLYBUFFER PEAK-RESET-TIME never|reset|ms, or RESIZING 0|1:
// Redis's cron resizes each client's reply buffer to its recent peak.
// Cairn's cron resizes no reply buffer, so there is nothing to set; the
// arguments are checked as Redis checks them.
func debugReplyBuffer(c *Context, args [][]byte) error {
	switch {
	case protocol.EqualFold(args[0], "peak-reset-time"):
		if !protocol.EqualFold(args[1], "never") && !protocol.EqualFold(args[1], "reset") {
			if _, ok := protocol.ParseInt(args[1]); !ok {
				return protocol.ErrNotInteger
			}
		}
	case protocol.EqualFold(args[0], "resizing"):
	default:
		return protocol.ErrSubcommandArgs(c.Args[1], "debug")
	}
	c.Out.OK()
	return nil
}

// DEBUG QUICKLIST-PACKED-THRESHOLD size: Redis stores list elements of at
// least size bytes in nodes of their own. Cairn's list chunks hold
// elements of any size, so there is nothing to set; the argument is
// checked as Redis checks it.
func debugPackedThreshold(c *Context, args [][]byte) error {
	n, err := parseMemory(string(args[0]))
	if err != nil || n < 0 || n >= 1<<32 {
		return protocol.Error("ERR argument must be a memory value bigger than 1 and smaller than 4gb")
	}
	c.Out.OK()
	return nil
}

// debugOK answers a subcommand with nothing to do here.
func debugOK(c *Context, _ [][]byte) error {
	c.Out.OK()
	return nil
}

// DEBUG CONFIG-REWRITE-FORCE-ALL: CONFIG REWRITE writing every setting.
func debugConfigRewriteForceAll(c *Context, _ [][]byte) error {
	if err := c.Server.rewriteConfigFile(true); err != nil {
		return protocol.Error("ERR CONFIG-REWRITE-FORCE-ALL failed: " + err.Error())
	}
	c.Out.OK()
	return nil
}
