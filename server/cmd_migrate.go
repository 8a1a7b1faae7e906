package server

import (
	"bufio"
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
// transaction, blocking like Redis's. No connection is cached between
// calls (Redis keeps one for 10 s): each MIGRATE dials the target.
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
	restored, err := m.send(sent)
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

// send writes AUTH, SELECT and a RESTORE per key to the target and reads
// the replies; it returns the keys the target restored and the error to
// answer with: the first the target sent, or an I/O error.
func (m *migration) send(keys []migrateKey) (restored []migrateKey, err error) {
	conn, err := net.DialTimeout("tcp", m.addr, m.timeout)
	if errors.Is(err, syscall.ECONNREFUSED) {
		// Redis connects without waiting for the handshake's outcome, so
		// a refused connection shows when it writes.
		return nil, errMigrateWrite
	}
	if err != nil {
		return nil, errMigrateConnect
	}
	defer conn.Close()
	var b []byte
	if m.auth {
		if m.username != nil {
			b = appendCommand(b, []byte("AUTH"), m.username, m.password)
		} else {
			b = appendCommand(b, []byte("AUTH"), m.password)
		}
	}
	b = appendCommand(b, []byte("SELECT"), strconv.AppendInt(nil, m.db, 10))
	for _, k := range keys {
		args := [][]byte{[]byte("RESTORE"), k.key, strconv.AppendInt(nil, k.ttl, 10), k.payload}
		if m.replace {
			args = append(args, []byte("REPLACE"))
		}
		b = appendCommand(b, args...)
	}
	conn.SetWriteDeadline(time.Now().Add(m.timeout))
	if _, err := conn.Write(b); err != nil {
		return nil, errMigrateWrite
	}
	rd := bufio.NewReader(conn)
	line := func() (string, error) {
		conn.SetReadDeadline(time.Now().Add(m.timeout))
		s, err := rd.ReadString('\n')
		if err != nil {
			return "", errMigrateRead
		}
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
	for range 1 + btoi(m.auth) {
		r, err := line()
		if err != nil {
			return nil, err
		}
		refused = fail(r) || refused
	}
	for _, k := range keys {
		r, err := line()
		if err != nil {
			if targetErr != nil {
				return restored, targetErr
			}
			return restored, err
		}
		if !fail(r) && !refused {
			restored = append(restored, k)
		}
	}
	return restored, targetErr
}

// appendCommand appends args as a RESP array of bulk strings.
func appendCommand(b []byte, args ...[]byte) []byte {
	b = redcon.AppendArray(b, len(args))
	for _, a := range args {
		b = redcon.AppendBulk(b, a)
	}
	return b
}
