package server

import (
	"bytes"
	"errors"
	"net"
	"strconv"
	"syscall"
	"time"

	"github.com/tidwall/redcon"

	"github.com/cairn-db/cairn/protocol"
	"github.com/cairn-db/cairn/store"
)

// MIGRATE host port key|"" destination-db timeout [COPY] [REPLACE]
// [AUTH password | AUTH2 username password] [KEYS key …]
//
// As Redis: the keys are sent as RESTORE commands (after AUTH and SELECT)
// on one connection, each reply is read within timeout ms, and a key the
// target restored is deleted here unless COPY. Unlike Redis the keyspace
// lock is not held while the target answers (other clients go on); a key
// changed meanwhile is kept here, so nothing is lost either way. Inside
// MULTI or a script, which hold the lock, MIGRATE runs in their
// transaction, blocking like Redis's. Connections are kept for the next
// MIGRATE to the same target (migrate_sockets.go).
func cmdMigrate(c *Context) error {
	m, err := parseMigrate(c.Args)
	if err != nil {
		return err
	}
	var sent []migrateKey
	inTx := func(fn func(tx *store.Tx) error) error {
		if c.Tx != nil {
			return fn(c.Tx)
		}
		return c.Server.store.Update(c.Client.DB(), fn)
	}
	inTx(func(tx *store.Tx) error {
		now := c.Server.clock.Now().UnixMilli()
		for _, k := range m.keys {
			payload, ok := tx.Dump(k)
			if !ok {
				continue
			}
			ttl := int64(0)
			if at := tx.ExpireAt(k); at >= 0 {
				ttl = max(at-now, 1)
			}
			sent = append(sent, migrateKey{key: k, payload: payload, ttl: ttl})
		}
		return nil
	})
	if len(sent) == 0 {
		c.Out.Status("NOKEY")
		return nil
	}
	restored, err := m.send(&c.Server.migrateSockets, sent)
	if len(restored) > 0 && !m.copy {
		inTx(func(tx *store.Tx) error {
			for _, k := range restored {
				// Only if it still holds what the target received.
				if now, ok := tx.Dump(k.key); ok && bytes.Equal(now, k.payload) {
					tx.Del(k.key)
				}
			}
			return nil
		})
	}
	if err != nil {
		return err
	}
	c.Out.OK()
	return nil
}

// migrateKey is one key as MIGRATE sends it.
type migrateKey struct {
	key, payload []byte
	ttl          int64 // ms, 0: none
}

// migration is a parsed MIGRATE.
type migration struct {
	addr               string
	db                 int64
	timeout            time.Duration
	copy, replace      bool
	username, password []byte
	auth               bool
	keys               [][]byte
}

// parseMigrate reads MIGRATE's arguments in Redis's order: the options,
// then the timeout and the database.
func parseMigrate(args [][]byte) (*migration, error) {
	m := &migration{addr: net.JoinHostPort(string(args[1]), string(args[2])), keys: [][]byte{args[3]}}
	for i := 6; i < len(args); i++ {
		more := len(args) - i - 1
		switch a := args[i]; {
		case protocol.EqualFold(a, "copy"):
			m.copy = true
		case protocol.EqualFold(a, "replace"):
			m.replace = true
		case protocol.EqualFold(a, "auth") && more >= 1:
			m.auth, m.password = true, args[i+1]
			i++
		case protocol.EqualFold(a, "auth2") && more >= 2:
			m.auth, m.username, m.password = true, args[i+1], args[i+2]
			i += 2
		case protocol.EqualFold(a, "keys"):
			if len(args[3]) != 0 {
				return nil, protocol.Error("ERR When using MIGRATE KEYS option, the key argument must be set to the empty string")
			}
			m.keys = args[i+1:]
			i = len(args)
		default:
			return nil, protocol.ErrSyntax
		}
	}
	timeout, ok := protocol.ParseInt(args[5])
	if !ok {
		return nil, protocol.ErrNotInteger
	}
	if m.db, ok = protocol.ParseInt(args[4]); !ok {
		return nil, protocol.ErrNotInteger
	}
	if timeout <= 0 {
		timeout = 1000
	}
	m.timeout = time.Duration(min(timeout, 1<<40)) * time.Millisecond
	return m, nil
}

// Redis's replies when the target cannot be reached or stops answering.
const (
	errMigrateConnect protocol.Error = "IOERR error or timeout connecting to the client"
	errMigrateWrite   protocol.Error = "IOERR error or timeout writing to target instance"
	errMigrateRead    protocol.Error = "IOERR error or timeout reading to target instance"
)

// send sends the keys to the target on a connection from ms, and reads
// the replies; it returns the keys the target restored and the error to
// answer with: the first the target sent, or an I/O error. A connection
// from the cache that fails before any reply (its target restarted, say)
// is dropped and the keys are sent once more on a new one, as Redis
// retries.
func (m *migration) send(ms *migrateSockets, keys []migrateKey) ([]migrateKey, error) {
	for retry := true; ; retry = false {
		conn, reused, err := ms.get(m.addr, m.timeout)
		if errors.Is(err, syscall.ECONNREFUSED) {
			// Redis connects without waiting for the handshake's outcome,
			// so a refused connection shows when it writes.
			return nil, errMigrateWrite
		}
		if err != nil {
			return nil, errMigrateConnect
		}
		restored, replied, err := m.exchange(conn, keys)
		ioFailed := err == errMigrateWrite || err == errMigrateRead
		var ne net.Error
		timedOut := errors.As(conn.lastErr, &ne) && ne.Timeout()
		ms.put(m.addr, conn, !ioFailed, time.Now()) // another MIGRATE may take it now
		if ioFailed && reused && !replied && !timedOut && retry {
			continue
		}
		return restored, err
	}
}

// exchange writes AUTH, SELECT (unless conn has the database selected)
// and a RESTORE per key, and reads the replies; replied says any came.
func (m *migration) exchange(conn *migrateConn, keys []migrateKey) (restored []migrateKey, replied bool, err error) {
	var b []byte
	if m.auth {
		if m.username != nil {
			b = appendCommand(b, []byte("AUTH"), m.username, m.password)
		} else {
			b = appendCommand(b, []byte("AUTH"), m.password)
		}
	}
	selects := conn.db != m.db
	if selects {
		b = appendCommand(b, []byte("SELECT"), strconv.AppendInt(nil, m.db, 10))
	}
	for _, k := range keys {
		args := [][]byte{[]byte("RESTORE"), k.key, strconv.AppendInt(nil, k.ttl, 10), k.payload}
		if m.replace {
			args = append(args, []byte("REPLACE"))
		}
		b = appendCommand(b, args...)
	}
	conn.SetWriteDeadline(time.Now().Add(m.timeout))
	if _, err := conn.Write(b); err != nil {
		conn.lastErr = err
		return nil, false, errMigrateWrite
	}
	line := func() (string, error) {
		conn.SetReadDeadline(time.Now().Add(m.timeout))
		s, err := conn.rd.ReadString('\n')
		if err != nil {
			conn.lastErr = err
			return "", errMigrateRead
		}
		replied = true
		return string(bytes.TrimRight([]byte(s), "\r\n")), nil
	}
	var targetErr error
	fail := func(reply string) bool {
		if reply == "" || reply[0] != '-' {
			return false
		}
		if targetErr == nil {
			targetErr = protocol.Error("ERR Target instance replied with error: " + reply[1:])
		}
		return true
	}
	refused := false // AUTH or SELECT failed: so did every RESTORE
	if m.auth {
		r, err := line()
		if err != nil {
			return nil, replied, err
		}
		refused = fail(r)
	}
	if selects {
		r, err := line()
		if err != nil {
			return nil, replied, err
		}
		if fail(r) {
			refused, conn.db = true, -1
		} else {
			conn.db = m.db
		}
	}
	for _, k := range keys {
		r, err := line()
		if err != nil {
			if targetErr != nil {
				return restored, replied, targetErr
			}
			return restored, replied, err
		}
		if !fail(r) && !refused {
			restored = append(restored, k)
		}
	}
	return restored, replied, targetErr
}

// appendCommand appends args as a RESP array of bulk strings.
func appendCommand(b []byte, args ...[]byte) []byte {
	b = redcon.AppendArray(b, len(args))
	for _, a := range args {
		b = redcon.AppendBulk(b, a)
	}
	return b
}
