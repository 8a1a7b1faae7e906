package server

import (
	"sort"
	"strings"
	"sync/atomic"

	"github.com/cairn-db/cairn/protocol"
)

// Command describes one Redis command: its name, arity, flags, key
// positions and handler. Container commands (CLIENT, CONFIG, OBJECT…)
// have subcommands instead of a handler of their own.
type Command struct {
	// Name is the lower-case command name.
	Name string
	// Arity follows Redis: n > 0 means exactly n arguments (the name
	// included), n < 0 means at least -n.
	Arity int
	// Flags say how the dispatcher treats the command.
	Flags Flags
	// FirstKey, LastKey and Step locate key arguments, as COMMAND INFO
	// reports them (LastKey -1 means the last argument).
	FirstKey, LastKey, Step int
	// Group is Redis's command group ("string", "generic"…), for COMMAND
	// DOCS and ACL categories.
	Group string
	// Handler runs the command. A container may have one too, for when it
	// is called without a subcommand (bare COMMAND).
	Handler Handler
	// Subcommands of a container command, by lower-case name.
	Subcommands map[string]*Command

	parent *Command
	// waits: the command may wait for other clients, a timeout or a
	// script, so an event loop hands its client to a goroutine first.
	waits bool
	// refused is set on a protected command (DEBUG, MODULE LOAD): the
	// dispatcher rejects it with this reply right after the arity check,
	// as Redis's processCommand does, so it is never queued in MULTI;
	// unless enabledBy names the setting (enable-debug-command) that
	// allows it for the client.
	refused   protocol.Error
	enabledBy string
	// stats is this server's figures for the command (see cmdstats.go).
	stats *cmdStats
	// aclPlan is how ACL checks find its keys, made on first use
	// (acl_keyplan.go).
	aclPlan atomic.Pointer[aclKeyPlan]
}

// Handler runs one command. It either writes exactly one reply to c.Out and
// returns nil, or writes nothing and returns the error to reply with.
type Handler func(c *Context) error

// Flags describe how a command behaves, for the dispatcher and for
// COMMAND INFO.
type Flags uint32

// Command flags.
const (
	// FlagWrite: may modify data; runs inside a store transaction.
	FlagWrite Flags = 1 << iota
	// FlagRead: reads data; runs inside a store transaction.
	FlagRead
	// FlagAdmin: server administration (CONFIG, SHUTDOWN, DEBUG…).
	FlagAdmin
	// FlagNoAuth: allowed before the client authenticates.
	FlagNoAuth
	// FlagFast: O(1) or O(log n).
	FlagFast
	// FlagBlocking: may block the client (BLPOP…).
	FlagBlocking
	// FlagNoScript: not allowed inside a Lua script.
	FlagNoScript
	// FlagDenyOOM: refused when memory is over maxmemory.
	FlagDenyOOM
	// FlagPubSub: a pub/sub command.
	FlagPubSub
	// FlagNoMulti: refused inside MULTI (the transaction then fails).
	FlagNoMulti
	// FlagLoading, FlagStale: allowed while loading / with stale data,
	// reported for client compatibility.
	FlagLoading
	FlagStale
	// FlagSkipMonitor: hidden from MONITOR and the slow log (AUTH…).
	FlagSkipMonitor
	// FlagAllowBusy: allowed while a script runs too long.
	FlagAllowBusy
	// FlagSkipSlowlog: never recorded in the slow log (EXEC…).
	FlagSkipSlowlog
	// FlagNoAsyncLoading: refused while a replica loads asynchronously;
	// Cairn has no replicas, so it is only reported (SAVE, MODULE LOAD…).
	FlagNoAsyncLoading

	// flagAtomic: runs inside a store transaction like a read or write
	// command, but COMMAND INFO does not say so (EXEC, EVAL, WATCH).
	flagAtomic
	// flagOwnTx: a write command whose handler takes the keyspace lock
	// itself, around the network I/O it must not hold it for (MIGRATE).
	flagOwnTx
	// flagChannelKeys: the key positions hold shard channels, which Redis
	// marks not_key (SPUBLISH, SSUBSCRIBE): COMMAND INFO reports them, for
	// clients that route by slot, but they are no keys to ACL checks or
	// prefetching (COMMAND GETKEYS reads the key specs' not_key itself).
	flagChannelKeys

	// flagNoMandatoryKeys, flagMovableKeys are never registered: COMMAND
	// INFO derives them from the command's keys (command_keyflags.go).
	flagNoMandatoryKeys
	flagMovableKeys
)

// flagNames are in the order Redis 7.0's COMMAND INFO lists flags.
var flagNames = []struct {
	f    Flags
	name string
}{
	{FlagWrite, "write"}, {FlagRead, "readonly"}, {FlagDenyOOM, "denyoom"},
	{FlagAdmin, "admin"}, {FlagPubSub, "pubsub"}, {FlagNoScript, "noscript"},
	{FlagBlocking, "blocking"}, {FlagLoading, "loading"}, {FlagStale, "stale"},
	{FlagSkipMonitor, "skip_monitor"}, {FlagSkipSlowlog, "skip_slowlog"}, {FlagFast, "fast"}, {FlagNoAuth, "no_auth"},
	{flagNoMandatoryKeys, "no_mandatory_keys"}, {FlagNoAsyncLoading, "no_async_loading"}, {FlagNoMulti, "no_multi"},
	{flagMovableKeys, "movablekeys"}, {FlagAllowBusy, "allow_busy"},
}

// names lists the flags as COMMAND INFO spells them.
func (f Flags) names() []string {
	var out []string
	for _, n := range flagNames {
		if f&n.f != 0 {
			out = append(out, n.name)
		}
	}
	return out
}

// FullName is the name Redis uses in errors: "get", or "client|setname"
// for a subcommand.
func (c *Command) FullName() string {
	if c.parent != nil {
		return c.parent.Name + "|" + c.Name
	}
	return c.Name
}

// touchesData reports whether the command runs inside a transaction.
func (c *Command) touchesData() bool {
	return c.Flags&(FlagWrite|FlagRead|flagAtomic) != 0 && c.Flags&flagOwnTx == 0
}

// arityOK checks n arguments against the command's arity.
func (c *Command) arityOK(n int) bool {
	if c.Arity >= 0 {
		return n == c.Arity
	}
	return n >= -c.Arity
}

// Table is the set of commands a server answers.
type Table struct {
	cmds map[string]*Command
}

// newTable builds the table from groups of commands. A duplicate name is
// a programming error.
func newTable(groups ...[]*Command) *Table {
	t := &Table{cmds: make(map[string]*Command)}
	for _, g := range groups {
		for _, c := range g {
			t.add(c)
		}
	}
	return t
}

func (t *Table) add(c *Command) {
	if _, dup := t.cmds[c.Name]; dup {
		panic("server: command registered twice: " + c.Name)
	}
	for _, sub := range c.Subcommands {
		sub.parent = c
		sub.waits = waitingCommands[sub.FullName()]
	}
	c.waits = c.Flags&FlagBlocking != 0 || waitingCommands[c.Name]
	t.cmds[c.Name] = c
}

// waitingCommands wait without the blocking flag: WAIT blocks until its
// timeout, a script can run for long, and a subscriber, a tracking client
// or MONITOR keeps its connection busy.
var waitingCommands = map[string]bool{
	"wait": true, "eval": true, "evalsha": true, "eval_ro": true, "evalsha_ro": true, "fcall": true, "fcall_ro": true,
	"subscribe": true, "psubscribe": true, "ssubscribe": true, "monitor": true,
	// Tracking clients get invalidations from other clients' writes, at
	// any time, through an outbox, which is served from a goroutine.
	"client|tracking": true,
	// SYNC encodes and sends the whole dataset, MIGRATE waits for another
	// server: not on a loop's time.
	"sync": true, "psync": true, "migrate": true,
}

// lookup finds a command by name, case-insensitively, without allocating.
func (t *Table) lookup(name []byte) *Command { return lookupLower(t.cmds, name) }

// lookupArgs finds the command a command line names: its subcommand when
// it names one, else the command (a container, when its subcommand is
// unknown or missing). ACL DRYRUN, COMMAND GETKEYS and scripts use it.
func (t *Table) lookupArgs(args [][]byte) *Command {
	cmd := t.lookup(args[0])
	if cmd != nil && cmd.Subcommands != nil && len(args) > 1 {
		if sub := cmd.subcommand(args[1]); sub != nil {
			return sub
		}
	}
	return cmd
}

// subcommand finds a subcommand of c by name.
func (c *Command) subcommand(name []byte) *Command { return lookupLower(c.Subcommands, name) }

// lookupLower indexes m with the lower-case form of name. The conversion
// goes through a stack buffer, and Go does not allocate for a map index
// with string(bytes).
func lookupLower(m map[string]*Command, name []byte) *Command {
	var buf [32]byte
	lower := protocol.Lower(buf[:], name)
	if lower == nil {
		return nil
	}
	return m[string(lower)]
}

// sorted returns the commands in name order.
func (t *Table) sorted() []*Command {
	out := make([]*Command, 0, len(t.cmds))
	for _, c := range t.cmds {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// subs returns c's subcommands in name order.
func (c *Command) subs() []*Command {
	out := make([]*Command, 0, len(c.Subcommands))
	for _, s := range c.Subcommands {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// cmd is shorthand for a command with no keys.
func cmd(name string, arity int, flags Flags, h Handler) *Command {
	return &Command{Name: name, Arity: arity, Flags: flags, Handler: h}
}

// keyCmd is shorthand for a command whose keys are at first..last by step.
func keyCmd(name string, arity int, flags Flags, first, last, step int, h Handler) *Command {
	return &Command{Name: name, Arity: arity, Flags: flags, FirstKey: first, LastKey: last, Step: step, Handler: h}
}

// protectedCmd is a command Redis guards with an enable-…-command option
// whose default, "no", Cairn keeps: every call gets err.
func protectedCmd(name string, arity int, flags Flags, err protocol.Error) *Command {
	return &Command{Name: name, Arity: arity, Flags: flags, refused: err,
		Handler: func(*Context) error { return err }}
}

// container builds a command that dispatches on its first argument.
func container(name string, arity int, flags Flags, subs ...*Command) *Command {
	c := &Command{Name: name, Arity: arity, Flags: flags, Subcommands: map[string]*Command{}}
	for _, s := range subs {
		c.Subcommands[strings.ToLower(s.Name)] = s
	}
	return c
}

// CommandNames lists the full name of every command and subcommand Cairn
// answers ("get", "client|list"), sorted. The dev tool
// cmd/cairn-commandmeta keeps Redis's documentation of these.
func CommandNames() []string {
	var names []string
	for _, c := range newTable(commandGroups()...).sorted() {
		names = append(names, c.FullName())
		for _, s := range c.subs() {
			names = append(names, s.FullName())
		}
	}
	return names
}
