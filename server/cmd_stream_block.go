package server

import (
	"github.com/cairn-db/cairn/protocol"
	"github.com/cairn-db/cairn/store"
)

// xreadBlockedCount is the COUNT a blocked XREAD/XREADGROUP without one
// is served with, as Redis's XREAD_BLOCKED_DEFAULT_COUNT.
const xreadBlockedCount = 1000

// Replies of Redis 7.0 to an XREADGROUP blocked on a key whose stream, or
// group, went away.
const (
	errStreamGone = protocol.Error("UNBLOCKED the stream key no longer exists")
	errGroupGone  = protocol.Error("NOGROUP the consumer group this client was blocked on no longer exists")
)

// blockXRead parks XREAD until an entry after the given IDs ("$" already
// resolved) arrives on one of its keys. A key deleted or replaced meanwhile
// keeps it waiting, as in Redis.
func blockXRead(c *Context, a xreadArgs, after []store.StreamID) error {
	count := a.count
	if count == 0 {
		count = xreadBlockedCount
	}
	c.Block(a.keys, a.block, func(tx *store.Tx, key []byte, out *protocol.Writer) bool {
		id := afterFor(a.keys, after, key)
		es, ok, err := tx.XRead(key, id, count)
		if err != nil || !ok {
			return false
		}
		writeKeyEntries(out, []keyEntries{{key, es}})
		return true
	}, writeNullArray)
	return nil
}

// afterFor returns the ID given for key (the first, if named twice).
func afterFor(keys [][]byte, after []store.StreamID, key []byte) store.StreamID {
	for i, k := range keys {
		if string(k) == string(key) {
			return after[i]
		}
	}
	return store.StreamID{}
}

// blockXReadGroup parks XREADGROUP until an entry new to the group arrives.
// The entries are delivered (and enter the PEL) only when served, under the
// keyspace lock, so a client that gives up or disconnects leaves no trace.
// A stream deleted or a group destroyed meanwhile ends the wait with the
// error Redis 7.0 gives.
func blockXReadGroup(c *Context, a xreadArgs, reads []store.XReadGroupArgs) error {
	c.Block(a.keys, a.block, func(tx *store.Tx, key []byte, out *protocol.Writer) bool {
		r := reads[0]
		for i, k := range a.keys {
			if string(k) == string(key) {
				r = reads[i]
				break
			}
		}
		if r.Count == 0 {
			r.Count = xreadBlockedCount
		}
		if ok, err := tx.StreamExists(key); !ok || err != nil {
			out.Error(string(errStreamGone))
			return true
		}
		es, ok, err := tx.XReadGroup(key, r)
		switch {
		case err == store.ErrNoGroup:
			out.Error(string(errGroupGone))
			return true
		case err != nil || !ok:
			return false
		}
		writeKeyEntries(out, []keyEntries{{key, es}})
		return true
	}, writeNullArray)
	return nil
}
