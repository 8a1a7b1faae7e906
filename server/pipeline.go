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
	for i := 0; i < n && !c.quitting; {
		if !s.batchable(c, next(i)) {
			s.execute(c, next(i))
			i++
			continue
		}
		j := i + 1
		for j < n && s.batchable(c, next(j)) {
			j++
		}
		err := s.store.Update(c.DB(), func(tx *store.Tx) error {
			c.batch = tx
			defer func() { c.batch = nil }()
			tx.Prefetch(s.runKeys(c, next, i, j))
			clear(c.keyScratch) // an idle client must not pin its last batch's bytes
			for k := i; k < j && !c.quitting; k++ {
				s.execute(c, next(k))
			}
			return nil
		})
		if err != nil {
			// The replies are buffered; they must not leave.
			s.log.Error("writing to disk failed; refusing writes", "err", err)
			c.abort()
			return
		}
		i = j
	}
	// The replies leave when this returns: make the pipeline's writes
	// durable first, with one barrier for all of them.
	if c.needFlush {
		s.ackDurable(c)
	}
}

// runKeys collects the keys of commands from..to-1 of a pipeline into
// the client's scratch slice, until it holds store.PrefetchMax (Prefetch
// warms no more).
func (s *Server) runKeys(c *Client, next func(int) [][]byte, from, to int) [][]byte {
	keys := c.keyScratch[:0]
	for i := from; i < to && len(keys) < store.PrefetchMax; i++ {
		args := next(i)
		if cmd := c.lookup(args[0]); cmd != nil {
			keys = appendKeyArgs(keys, cmd, args)
		}
	}
	c.keyScratch = keys
	return keys
}

// batchable reports whether args is a command that may run inside a
// pipeline's shared transaction: a plain data command that neither
// blocks, nor switches databases, nor manages transactions or the server.
// A command that may block (Context.Block) must carry FlagBlocking: its
// wait would otherwise hold the keyspace lock.
func (s *Server) batchable(c *Client, args [][]byte) bool {
	cmd := c.lookup(args[0])
	if cmd == nil || cmd.Subcommands != nil || !cmd.touchesData() {
		return false
	}
	if cmd.Flags&(FlagBlocking|FlagNoMulti|FlagAdmin|FlagPubSub) != 0 {
		return false
	}
	switch cmd.Name {
	case "exec", "multi", "discard", "watch", "unwatch", "select", "eval", "evalsha", "fcall":
		return false
	}
	return true
}
