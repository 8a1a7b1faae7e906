package server

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/cairn-db/cairn/protocol"
	"github.com/cairn-db/cairn/store"
)

// Cairn does not replicate. It is always a master without replicas:
// REPLICAOF NO ONE succeeds, REPLICAOF host port is refused with a reason,
// and FAILOVER answers as a master with no replica does. But it hands out
// its dataset as an RDB file
// the way a Redis master starts a full resynchronisation, for the clients
// that want only that file: redis-cli --rdb (and --functions-rdb) sends
// REPLCONF rdb-only 1, then SYNC, reads the file and closes. A replica
// (SYNC or PSYNC without rdb-only) is refused, since no stream of writes
// would follow. --import-rdb loads such a file (or Redis's dump.rdb)
// into an empty store at start.

// rdbRequest is what REPLCONF asked a client's SYNC to send.
type rdbRequest uint8

const (
	rdbNone          rdbRequest = iota // a replica: refused
	rdbFull                            // rdb-only 1
	rdbFunctionsOnly                   // rdb-filter-only functions
	rdbEmpty                           // rdb-filter-only ""
)

// errNoReplication answers SYNC and PSYNC from a would-be replica.
const errNoReplication protocol.Error = "ERR Cairn does not replicate: SYNC and PSYNC only send an RDB snapshot, to a client that sent REPLCONF rdb-only 1 first (redis-cli --rdb)"

func replicationCommands() []*Command {
	const f = FlagAdmin | FlagNoScript | FlagNoAsyncLoading | FlagNoMulti
	const of = FlagAdmin | FlagNoScript | FlagStale | FlagNoAsyncLoading
	return []*Command{
		cmd("replconf", -1, FlagAdmin|FlagNoScript|FlagLoading|FlagStale|FlagAllowBusy, cmdReplconf),
		cmd("sync", 1, f, cmdSync),
		cmd("psync", -3, f, cmdSync),
		cmd("replicaof", 3, of, cmdReplicaOf),
		cmd("slaveof", 3, of, cmdReplicaOf),
		cmd("failover", -1, FlagAdmin|FlagNoScript|FlagStale, cmdFailover),
	}
}

// errNotReplica refuses REPLICAOF host port.
const errNotReplica protocol.Error = "ERR Cairn does not replicate: it cannot become a replica of another server"

// REPLICAOF host port | NO ONE (and SLAVEOF)
func cmdReplicaOf(c *Context) error {
	if protocol.EqualFold(c.Args[1], "no") && protocol.EqualFold(c.Args[2], "one") {
		c.Out.OK() // a master already
		return nil
	}
	if port, ok := protocol.ParseInt(c.Args[2]); !ok || port < 0 || port > 65535 {
		return protocol.Error("ERR Invalid master port")
	}
	return errNotReplica
}

// FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT ms]: its options are
// checked as Redis does, and then, with no replica to hand over to, it
// answers as a master without replicas.
func cmdFailover(c *Context) error {
	if len(c.Args) == 2 && protocol.EqualFold(c.Args[1], "abort") {
		return protocol.Error("ERR No failover in progress.")
	}
	timeout, to, force := int64(0), false, false
	for j := 1; j < len(c.Args); j++ {
		a := c.Args[j]
		switch {
		case protocol.EqualFold(a, "timeout") && j+1 < len(c.Args) && timeout == 0:
			n, ok := protocol.ParseInt(c.Args[j+1])
			if !ok {
				return protocol.ErrNotInteger
			}
			if n <= 0 {
				return protocol.Error("ERR FAILOVER timeout must be greater than 0")
			}
			timeout = n
			j++
		case protocol.EqualFold(a, "to") && j+2 < len(c.Args) && !to:
			if _, ok := protocol.ParseInt(c.Args[j+2]); !ok {
				return protocol.ErrNotInteger
			}
			to = true
			j += 2
		case protocol.EqualFold(a, "force") && !force:
			force = true
		default:
			return protocol.ErrSyntax
		}
	}
	return protocol.Error("ERR FAILOVER requires connected replicas.")
}

// REPLCONF option value [option value …]: the options a replica sends
// before SYNC are accepted and, but for rdb-only and rdb-filter-only,
// ignored; ACK and GETACK get no reply, as from Redis to a non-replica.
func cmdReplconf(c *Context) error {
	if len(c.Args)%2 == 0 {
		return protocol.ErrSyntax
	}
	req := c.Client.rdbOnly
	for i := 1; i < len(c.Args); i += 2 {
		opt, val := strings.ToLower(string(c.Args[i])), c.Args[i+1]
		switch opt {
		case "listening-port":
			if _, ok := protocol.ParseInt(val); !ok {
				return protocol.ErrNotInteger
			}
		case "ip-address", "capa":
		case "ack", "getack":
			return nil
		case "rdb-only":
			n, ok := protocol.ParseInt(val)
			if !ok {
				return protocol.ErrNotInteger
			}
			if n < 0 || n > 1 {
				return protocol.Error("ERR value is out of range, value must between 0 and 1")
			}
			if n == 1 && req == rdbNone {
				req = rdbFull
			} else if n == 0 {
				req = rdbNone
			}
		case "rdb-filter-only":
			words, ok := splitMetaArgs(string(val))
			if !ok {
				return protocol.Error("ERR Missing rdb-filter-only values")
			}
			req = rdbEmpty
			for _, w := range words {
				if !strings.EqualFold(w, "functions") {
					return protocol.Error("ERR Unsupported rdb-filter-only option: " + w)
				}
				req = rdbFunctionsOnly
			}
		default:
			return protocol.Error("ERR Unrecognized REPLCONF option: " + string(c.Args[i]))
		}
	}
	c.Client.rdbOnly = req
	c.Out.OK()
	return nil
}

// SYNC, and PSYNC replid offset (always a full resynchronisation): the
// RDB file as a bulk string without the final CRLF, as a master sends it;
// then the connection closes.
func cmdSync(c *Context) error {
	req := c.Client.rdbOnly
	if req == rdbNone {
		return errNoReplication
	}
	// Encoded a step at a time as a BGSAVE is, on this client's own
	// goroutine (SYNC waits), so a backup (redis-cli --rdb) does not stop
	// the other clients.
	snap, err := c.Server.startSnapshot(store.RDBOptions{Aux: c.Server.rdbAux(),
		SkipKeys: req != rdbFull, SkipFunctions: req == rdbEmpty})
	if err != nil {
		return protocol.Error("ERR " + err.Error())
	}
	file, _, err := snap.Encode()
	if err != nil {
		return protocol.Error("ERR " + err.Error())
	}
	if c.Cmd.Name == "psync" {
		c.Out.Status("FULLRESYNC " + runID + " 0")
	}
	size := 0
	for _, piece := range file {
		size += len(piece)
	}
	c.Out.Raw([]byte("$" + strconv.Itoa(size) + "\r\n"))
	for _, piece := range file {
		c.Out.Raw(piece) // copied: the file is released next
	}
	snap.Release()
	c.Client.quitting = true
	c.Client.conn.ReadPipeline()
	c.Client.closeAfterReplies()
	return nil
}

// rdbAux are the auxiliary fields Redis 7.0 writes at the head of an RDB.
func (s *Server) rdbAux() [][2]string {
	return [][2]string{
		{"redis-ver", Version}, {"redis-bits", "64"},
		{"ctime", strconv.FormatInt(s.clock.Now().Unix(), 10)},
		{"used-mem", strconv.FormatInt(s.store.UsedMemory(), 10)},
		{"repl-stream-db", "0"}, {"repl-id", runID}, {"repl-offset", "0"}, {"aof-base", "0"},
	}
}

// startRDB is the RDB file the store starts from: import-rdb, or with
// Config.LoadRDBFile the memory engine's own <dir>/<dbfilename> if it
// exists; "" for none.
func (s *Server) startRDB() string {
	cfg := s.config()
	if cfg.ImportRDB == "" && cfg.LoadRDBFile && s.engine == nil {
		if _, err := os.Stat(cfg.RDBFile()); err == nil {
			return cfg.RDBFile()
		}
	}
	return cfg.ImportRDB
}

// importRDB seeds an empty store from the RDB file at path (--import-rdb).
// A store that holds data is left alone, so the setting can stay across
// restarts; a file that fails to load leaves the store empty.
func (s *Server) importRDB(path string) error {
	if path == "" {
		return nil
	}
	if !s.store.Empty() {
		s.log.Info("store not empty: import-rdb ignored", "file", path)
		return nil
	}
	file, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("import-rdb: %w", err)
	}
	n, err := s.store.ImportRDB(file, func(code string) (string, error) {
		m, err := parseLibMeta(code)
		return m.name, err
	})
	if err != nil {
		s.store.Update(0, func(tx *store.Tx) error {
			tx.FlushAll()
			tx.FlushLibraries()
			return nil
		})
		return fmt.Errorf("import-rdb %s: %w", path, err)
	}
	s.log.Info("imported RDB file", "file", path, "keys", n)
	return nil
}
