package server

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cairn-db/cairn/protocol"
)

// Lua scripting: EVAL and friends run a script inside one store
// transaction (flagAtomic), so a script is atomic like any command. The
// script's redis.call goes through Server.call with the same transaction.
// Compiled scripts are cached by SHA1 until SCRIPT FLUSH.

func scriptingCommands() []*Command {
	const std = FlagNoScript | FlagStale | FlagSkipMonitor | flagAtomic
	return []*Command{
		scriptCmd("eval", std, cmdEval),
		scriptCmd("evalsha", std, cmdEvalSHA),
		scriptCmd("eval_ro", std|FlagRead, cmdEvalRO),
		scriptCmd("evalsha_ro", std|FlagRead, cmdEvalSHARO),
		container("script", -2, 0,
			cmd("load", 3, FlagNoScript|FlagStale, cmdScriptLoad),
			cmd("exists", -3, FlagNoScript, cmdScriptExists),
			cmd("flush", -2, FlagNoScript, cmdScriptFlush),
			cmd("kill", 2, FlagNoScript|FlagAllowBusy, cmdScriptKill),
			cmd("help", 2, FlagLoading|FlagStale, cmdScriptHelp),
		),
	}
}

// scriptCmd registers an EVAL-like command: its keys follow numkeys.
func scriptCmd(name string, flags Flags, h Handler) *Command {
	return &Command{Name: name, Arity: -3, Flags: flags, Handler: h}
}

// Error replies of the scripting commands.
const (
	errNoScript        protocol.Error = "NOSCRIPT No matching script. Please use EVAL."
	errNotBusy         protocol.Error = "NOTBUSY No scripts in execution right now."
	errUnkillable      protocol.Error = "UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command."
	errBusy            protocol.Error = "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE."
	errBusyFunction    protocol.Error = "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE."
	errNumKeysNegative protocol.Error = "ERR Number of keys can't be negative"
)

// scripts is the server's script cache and the state of the running
// script, if any.
type scripts struct {
	mu      sync.Mutex
	cache   map[string]*evalScript // by lower-case SHA1
	running atomic.Pointer[scriptRun]
	vm      *luaVM  // reused between scripts; only one runs at a time
	rand    luaRand // math.random's generator, shared by scripts and functions
}

// scriptRun is one script execution, visible to other clients so they can
// wait for it, get BUSY, or kill it.
type scriptRun struct {
	caller *Client
	done   chan struct{} // closed when the script returns
	busy   chan struct{} // closed once it runs past busy-reply-threshold
	cancel context.CancelFunc
	killed atomic.Bool
	wrote  atomic.Bool

	// An FCALL's function name and command line, for FUNCTION STATS;
	// function is empty for EVAL.
	function string
	args     [][]byte
	start    time.Time
}

// busyError is the BUSY reply other clients get while r runs too long:
// it names the KILL that can stop it.
func (r *scriptRun) busyError() error {
	if r.function != "" {
		return errBusyFunction
	}
	return errBusy
}

// scriptBusy reports whether a script has run past busy-reply-threshold.
func (s *Server) scriptBusy() bool {
	r := s.scripts.running.Load()
	if r == nil {
		return false
	}
	select {
	case <-r.busy:
		return true
	default:
		return false
	}
}

// sha1hex is the lower-case hex SHA1 of b.
func sha1hex(b []byte) string {
	h := sha1.Sum(b)
	return hex.EncodeToString(h[:])
}

// loadScript compiles body (or finds it compiled) and returns its SHA1.
func (s *Server) loadScript(body []byte) (string, *evalScript, error) {
	sha := sha1hex(body)
	sc := &s.scripts
	sc.mu.Lock()
	script := sc.cache[sha]
	sc.mu.Unlock()
	if script != nil {
		return sha, script, nil
	}
	script, err := compileEval(body)
	if err != nil {
		return "", nil, err
	}
	sc.mu.Lock()
	if sc.cache == nil {
		sc.cache = make(map[string]*evalScript)
	}
	sc.cache[sha] = script
	sc.mu.Unlock()
	return sha, script, nil
}

func (s *Server) cachedScript(sha []byte) *evalScript {
	if len(sha) != 40 {
		return nil
	}
	sc := &s.scripts
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return sc.cache[strings.ToLower(string(sha))]
}

// EVAL script numkeys [key ...] [arg ...]
func cmdEval(c *Context) error { return evalBody(c, false) }

// EVAL_RO script numkeys [key ...] [arg ...]
func cmdEvalRO(c *Context) error { return evalBody(c, true) }

// EVALSHA sha1 numkeys [key ...] [arg ...]
func cmdEvalSHA(c *Context) error { return evalSHA(c, false) }

// EVALSHA_RO sha1 numkeys [key ...] [arg ...]
func cmdEvalSHARO(c *Context) error { return evalSHA(c, true) }

func evalBody(c *Context, readOnly bool) error {
	keys, args, err := scriptArgs(c.Args)
	if err != nil {
		return err
	}
	sha, script, err := c.Server.loadScript(c.Args[1])
	if err != nil {
		return err
	}
	return c.Server.runScript(c, sha, script, keys, args, readOnly)
}

func evalSHA(c *Context, readOnly bool) error {
	keys, args, err := scriptArgs(c.Args)
	if err != nil {
		return err
	}
	script := c.Server.cachedScript(c.Args[1])
	if script == nil {
		return errNoScript
	}
	return c.Server.runScript(c, strings.ToLower(string(c.Args[1])), script, keys, args, readOnly)
}

// scriptArgs splits EVAL's arguments after numkeys into keys and args.
func scriptArgs(a [][]byte) (keys, args [][]byte, err error) {
	n, ok := protocol.ParseInt(a[2])
	switch {
	case !ok:
		return nil, nil, protocol.ErrNotInteger
	case n < 0:
		return nil, nil, errNumKeysNegative
	case n > int64(len(a)-3):
		return nil, nil, protocol.ErrNumKeysTooMany
	}
	return a[3 : 3+n], a[3+n:], nil
}

// waitScript holds a command from another client while a script runs, as
// Redis (single-threaded) would, until the script ends or passes the busy
// threshold; then the command gets BUSY unless it is allowed while busy.
// SCRIPT KILL, FUNCTION KILL and FUNCTION STATS themselves wait for the
// threshold, as in Redis they could not be read before.
func (s *Server) waitScript(c *Client, cmd *Command) error {
	r := s.scripts.running.Load()
	if r == nil || r.caller == c {
		return nil
	}
	if cmd.Flags&FlagAllowBusy != 0 && cmd.Name != "kill" && cmd.Name != "stats" {
		return nil
	}
	c.releaseLoop()
	select {
	case <-r.done:
		return nil
	case <-r.busy:
		if cmd.Flags&FlagAllowBusy != 0 {
			return nil
		}
		return r.busyError()
	case <-s.ctx.Done():
		return nil
	}
}

// SCRIPT KILL
func cmdScriptKill(c *Context) error { return killScript(c, false) }

// killScript stops the running script (SCRIPT KILL) or function
// (FUNCTION KILL); each refuses to stop the other kind, as Redis does.
func killScript(c *Context, function bool) error {
	r := c.Server.scripts.running.Load()
	if r == nil {
		return errNotBusy
	}
	select {
	case <-r.done:
		return errNotBusy
	default:
	}
	if r.wrote.Load() {
		return errUnkillable
	}
	if function != (r.function != "") {
		return r.busyError()
	}
	r.killed.Store(true)
	r.cancel()
	c.Out.OK()
	return nil
}

// cachedScripts is how many scripts SCRIPT LOAD and EVAL have cached
// (INFO's number_of_cached_scripts).
func (s *Server) cachedScripts() int {
	sc := &s.scripts
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return len(sc.cache)
}

// SCRIPT LOAD script
func cmdScriptLoad(c *Context) error {
	sha, _, err := c.Server.loadScript(c.Args[2])
	if err != nil {
		return err
	}
	c.Out.BulkString(sha)
	return nil
}

// SCRIPT EXISTS sha1 [sha1 ...]
func cmdScriptExists(c *Context) error {
	shas := c.Args[2:]
	c.Out.Array(len(shas))
	for _, sha := range shas {
		if c.Server.cachedScript(sha) != nil {
			c.Out.Int(1)
		} else {
			c.Out.Int(0)
		}
	}
	return nil
}

// SCRIPT FLUSH [ASYNC|SYNC]
func cmdScriptFlush(c *Context) error {
	if len(c.Args) > 3 || (len(c.Args) == 3 && !protocol.EqualFold(c.Args[2], "sync") && !protocol.EqualFold(c.Args[2], "async")) {
		return protocol.Error("ERR SCRIPT FLUSH only support SYNC|ASYNC option")
	}
	sc := &c.Server.scripts
	sc.mu.Lock()
	sc.cache = nil
	sc.mu.Unlock()
	c.Out.OK()
	return nil
}

// SCRIPT HELP
func cmdScriptHelp(c *Context) error {
	return writeHelp(c, "SCRIPT", []string{
		"EXISTS <sha1> [<sha1> ...]",
		"    Return information about the existence of the scripts in the script cache.",
		"FLUSH [ASYNC|SYNC]",
		"    Flush the Lua scripts cache. Very dangerous on replicas.",
		"    When called without the optional mode argument, the behavior is determined by the",
		"    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
		"    * ASYNC: Asynchronously flush the scripts cache.",
		"    * SYNC: Synchronously flush the scripts cache.",
		"KILL",
		"    Kill the currently executing Lua script.",
		"LOAD <script>",
		"    Load a script into the scripts cache without executing it.",
	})
}

// busyAfter returns the busy-reply-threshold as a duration (0: never).
func (s *Server) busyAfter() time.Duration {
	return time.Duration(s.hot.busyMs.Load()) * time.Millisecond
}
