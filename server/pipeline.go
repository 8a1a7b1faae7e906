package server

import "github.com/cairn-db/cairn/store"

// A connection's pipelined commands arrive together in one read
// (conn.go). Runs of consecutive data commands among them execute inside
// one store transaction: one lock acquisition, one clock read and one engine
// batch for the run instead of one per command. Each command still goes
// through execute (lookup, arity, auth, MULTI queueing, errors), and
// tx.Checkpoint after each one serves blocked clients and accounts memory
// exactly as if its own transaction had ended. Other clients' commands
// cannot interleave with a run, which Redis allows (it is single-threaded
// and may serve one client's whole read buffer in one go).

// servePipeline runs first and every command pipelined behind it.
func (s *Server) servePipeline(c *Client, first [][]byte) {
	rest := c.conn.ReadPipeline()
	next := func(i int) [][]byte {
		if i == 0 {
			return first
		}
		return rest[i-1]
	}
	n := len(rest) + 1
	// While loading each command answers LOADING, and none takes the lock;
	// while paused, or delayed by an injected fault, a command may wait,
	// which it must not do holding it.
	if s.loading.Load() || s.pause.on.Load() || s.faults.list.Load() != nil {
		for i := 0; i < n && !c.quitting; i++ {
			s.execute(c, next(i))
		}
		return
	}
	for i := 0; i < n && !c.quitting; {
		// The run of batchable commands from i, and their keys.
		keys := c.keyScratch[:0]
		j := i
		for ; j < n; j++ {
			cmd := s.batchCmd(c, next(j))
			if cmd == nil {
				break
			}
			if len(keys) < store.PrefetchMax { // Prefetch warms no more
				keys = appendKeyArgs(keys, cmd, next(j))
			}
		}
		c.keyScratch = keys
		if j == i {
			s.execute(c, next(i))
			i++
			continue
		}
		err := s.store.Update(c.DB(), func(tx *store.Tx) error {
			c.batch = tx
			defer func() { c.batch = nil }()
			tx.Prefetch(keys)
			clear(c.keyScratch) // an idle client must not pin its last batch's bytes
			for k := i; k < j && !c.quitting; k++ {
				s.execute(c, next(k))
			}
			return nil
		})
		if err != nil {
			s.writeFailed(c, err) // the replies are already buffered
			return
		}
		i = j
	}
	// The replies leave when this returns: make the pipeline's writes
	// durable first, with one barrier for all of them.
	s.settleReplies(c)
}

// batchable reports whether args is a command that may run inside a
// pipeline's shared transaction: a plain data command that neither
// blocks, nor switches databases, nor manages transactions or the server.
// A command that may block (Context.Block) must carry FlagBlocking: its
// wait would otherwise hold the keyspace lock.
func (s *Server) batchable(c *Client, args [][]byte) bool { return s.batchCmd(c, args) != nil }

// batchCmd is batchable that returns the command, or nil.
func (s *Server) batchCmd(c *Client, args [][]byte) *Command {
	cmd := c.lookup(args[0])
	if cmd == nil || cmd.Subcommands != nil || !cmd.touchesData() {
		return nil
	}
	if cmd.Flags&(FlagBlocking|FlagNoMulti|FlagAdmin|FlagPubSub) != 0 {
		return nil
	}
	switch cmd.Name {
	case "exec", "multi", "discard", "watch", "unwatch", "select", "eval", "evalsha", "fcall", "fcall_ro":
		return nil
	}
	return cmd
}
