package server

import (
	"sort"
	"strings"
	"sync"
	"sync/atomic"
)

// Client-side caching (CLIENT TRACKING), after Redis's tracking.c.
//
// In the default mode the server remembers, per key name, the IDs of the
// tracking clients that read it (a read-only command's keys, under the
// keyspace lock, so no write can slip between the read and the
// registration). The first change to the key (KeyChanged: any write,
// expiry, eviction) sends each of them one invalidation and forgets the
// key. In BCAST mode a client names prefixes instead, and every change to
// a matching key is collected and sent at the end of the command, one
// message per prefix, as Redis does once per event-loop cycle. FLUSHDB and
// FLUSHALL send every tracking client a null ("everything").
//
// Messages to other clients go into their outboxes (outbox.go), which a
// tracking client gets when it turns tracking on; the running client's
// own invalidations wait until its reply has been queued, so they follow
// it, as in Redis 7. Keys are names only, whatever the database, as in
// Redis. When no client tracks, the write path pays one atomic load.

// trackFlags are a client's CLIENT TRACKING options, Redis's
// CLIENT_TRACKING_* flags.
type trackFlags uint32

const (
	trackOn          trackFlags = 1 << iota
	trackBcast                  // BCAST: prefixes instead of read keys
	trackOptin                  // OPTIN: only reads after CLIENT CACHING YES
	trackOptout                 // OPTOUT: all reads but after CLIENT CACHING NO
	trackCaching                // CLIENT CACHING was given for the next command
	trackNoloop                 // NOLOOP: not told about its own writes
	trackBrokenRedir            // the redirect target has gone
)

// invalidateChannel is the channel RESP2 clients subscribe to for the
// invalidations redirected to them.
const invalidateChannel = "__redis__:invalidate"

// tracking is the server's tracking table.
type tracking struct {
	mu       sync.Mutex
	on       map[*Client]struct{}          // clients with tracking on
	keys     map[string]map[int64]struct{} // key → IDs of clients that may cache it
	items    int64                         // Σ len(keys[k]), INFO's tracking_total_items
	prefixes map[string]*bcastState        // BCAST prefix → its clients and pending keys
	plist    []prefixState                 // prefixes as a slice: each write walks it
	pdirty   bool                          // prefixes changed since plist was built
	enabled  atomic.Bool                   // anything tracked at all: the write path's one load
	bcastDue atomic.Bool                   // some prefix has keys to broadcast
	maxKeys  atomic.Int64                  // tracking-table-max-keys; 0: no limit
	current  *Client                       // the client running a command; guarded by the keyspace lock
	nClients atomic.Int64                  // len(on), for INFO without the lock
	nKeys    atomic.Int64                  // len(keys)
	nItems   atomic.Int64                  // items
	nPrefix  atomic.Int64                  // len(prefixes)
	scratch  []string                      // sorted keys of one broadcast
}

// prefixState is one entry of tracking.plist.
type prefixState struct {
	prefix string
	*bcastState
}

// bcastState is one BCAST prefix: its clients, and the keys changed since
// the last broadcast with the client that changed each last (for NOLOOP).
type bcastState struct {
	clients map[*Client]struct{}
	keys    map[string]*Client
}

// refresh recomputes the lock-free summaries. t.mu is held. Once no
// client tracks, the keys left by those that stopped are dropped (Redis
// drops them lazily), so the write path goes back to one atomic load.
func (t *tracking) refresh() {
	if len(t.on) == 0 && len(t.keys) > 0 {
		t.keys = make(map[string]map[int64]struct{})
		t.items = 0
	}
	if t.pdirty {
		t.pdirty = false
		t.plist = t.plist[:0]
		for p, bs := range t.prefixes {
			t.plist = append(t.plist, prefixState{p, bs})
		}
	}
	t.nClients.Store(int64(len(t.on)))
	t.nKeys.Store(int64(len(t.keys)))
	t.nItems.Store(t.items)
	t.nPrefix.Store(int64(len(t.prefixes)))
	t.enabled.Store(len(t.on) > 0 || len(t.keys) > 0)
}

// flags returns c's tracking options.
func (c *Client) tflags() trackFlags { return trackFlags(c.trackFlags.Load()) }

// setTFlags replaces c's tracking options.
func (c *Client) setTFlags(f trackFlags) { c.trackFlags.Store(uint32(f)) }

// enableTracking turns tracking on for c (CLIENT TRACKING ON), or changes
// its options. The checks against c's current mode are the caller's.
func (s *Server) enableTracking(c *Client, redir int64, opts trackFlags, prefixes []string) {
	s.startOutbox(c) // invalidations for c come from other goroutines
	if target := s.clients.get(redir); redir != 0 && target != nil && target.box.Load() == nil {
		// Only the target's own goroutine may switch it to queued
		// output: it does at its next command. Until then (an idle
		// RESP3 target that neither tracks nor subscribes) its
		// invalidations wait for it (up to maxEarlyBytes).
		target.wantBox.Store(true)
	}
	t := &s.tracking
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.on == nil {
		t.on = make(map[*Client]struct{})
		t.keys = make(map[string]map[int64]struct{})
		t.prefixes = make(map[string]*bcastState)
	}
	t.on[c] = struct{}{}
	f := c.tflags()&trackCaching | trackOn | opts&(trackOptin|trackOptout|trackNoloop)
	if opts&trackBcast != 0 {
		f |= trackBcast
		if len(prefixes) == 0 {
			prefixes = []string{""}
		}
		for _, p := range prefixes {
			t.addPrefix(c, p)
		}
	}
	c.trackRedir.Store(redir)
	c.setTFlags(f)
	t.refresh()
}

// addPrefix subscribes c to BCAST prefix p. t.mu is held.
func (t *tracking) addPrefix(c *Client, p string) {
	bs := t.prefixes[p]
	if bs == nil {
		bs = &bcastState{clients: make(map[*Client]struct{}), keys: make(map[string]*Client)}
		t.prefixes[p] = bs
	}
	if _, ok := bs.clients[c]; ok {
		return
	}
	bs.clients[c] = struct{}{}
	c.trackPrefixes = append(c.trackPrefixes, p)
	c.hold(prefixEntryBytes + int64(len(p)))
	t.pdirty = true
}

// disableTracking turns tracking off for c (CLIENT TRACKING OFF, RESET,
// disconnect). The keys c read stay in the table and are dropped lazily
// when they change, as in Redis.
func (s *Server) disableTracking(c *Client) {
	if c.tflags()&trackOn == 0 {
		return
	}
	t := &s.tracking
	t.mu.Lock()
	for _, p := range c.trackPrefixes {
		c.hold(-prefixEntryBytes - int64(len(p)))
		if bs := t.prefixes[p]; bs != nil {
			delete(bs.clients, c)
			if len(bs.clients) == 0 {
				delete(t.prefixes, p)
				t.pdirty = true
			}
		}
	}
	c.trackPrefixes = nil
	delete(t.on, c)
	c.setTFlags(0)
	c.trackRedir.Store(0)
	t.refresh()
	t.mu.Unlock()
}

// prefixOverlap returns the error Redis gives when one of the new
// prefixes would catch a key another one (c's or new) catches, or "".
func prefixOverlap(have, add []string) string {
	overlaps := func(a, b string) bool {
		n := min(len(a), len(b))
		return a[:n] == b[:n]
	}
	for i, p := range add {
		for _, h := range have {
			if overlaps(h, p) {
				return "ERR Prefix '" + p + "' overlaps with an existing prefix '" + h + "'. Prefixes for a single client must not overlap."
			}
		}
		for _, q := range add[i+1:] {
			if overlaps(p, q) {
				return "ERR Prefix '" + p + "' overlaps with another provided prefix '" + q + "'. Prefixes for a single client must not overlap."
			}
		}
	}
	return ""
}

// trackRead remembers the keys a read-only command of a tracking client
// read, under the keyspace lock (Redis's trackingRememberKeys).
func (s *Server) trackRead(c *Client, cmd *Command, args [][]byte) {
	if cmd.Flags&(FlagRead|FlagWrite|FlagPubSub) != FlagRead {
		return
	}
	switch cmd.Name {
	case "eval_ro", "evalsha_ro", "fcall_ro": // their commands count, not their keys
		return
	}
	if c.caller != nil {
		// A script's read: as Redis, the caller then tracks all the
		// keys the script declared, not the ones its commands name.
		if c.callerCmd == nil {
			return
		}
		cmd, args, c = c.callerCmd, c.callerArgs, c.caller
	}
	f := c.tflags()
	if f&trackOn == 0 || f&trackBcast != 0 {
		return
	}
	if (f&trackOptin != 0 && f&trackCaching == 0) || (f&trackOptout != 0 && f&trackCaching != 0) {
		return
	}
	keys := commandKeys(cmd, args)
	if len(keys) == 0 {
		return
	}
	t := &s.tracking
	t.mu.Lock()
	for _, k := range keys {
		ids := t.keys[string(k)]
		if ids == nil {
			ids = make(map[int64]struct{}, 1)
			t.keys[string(k)] = ids
		}
		if _, ok := ids[c.ID]; !ok {
			ids[c.ID] = struct{}{}
			t.items++
		}
	}
	s.limitTrackingLocked()
	t.refresh()
	t.mu.Unlock()
}

// limitTrackingLocked forgets keys while the table is over
// tracking-table-max-keys (Go's map order is Redis's random walk),
// telling their clients as if they changed. t.mu is held.
func (s *Server) limitTrackingLocked() {
	t := &s.tracking
	max := t.maxKeys.Load()
	if max <= 0 || int64(len(t.keys)) <= max {
		return
	}
	for k := range t.keys {
		if int64(len(t.keys)) <= max {
			break
		}
		s.invalidateLocked(nil, []byte(k), false)
	}
}

// limitTracking applies a lowered tracking-table-max-keys at once, as
// Redis's cron does even when no command runs.
func (s *Server) limitTracking() {
	t := &s.tracking
	t.mu.Lock()
	s.limitTrackingLocked()
	t.refresh()
	t.mu.Unlock()
}

// trackChanged is KeyChanged's part: key was modified by the running
// client (t.current, nil for expiry outside a command).
func (s *Server) trackChanged(key []byte) {
	t := &s.tracking
	// Keys are remembered under the keyspace lock, which the caller holds,
	// so a zero count is not stale; a prefix being added right now belongs
	// to a CLIENT TRACKING that has not answered yet.
	if !t.enabled.Load() || (t.nKeys.Load() == 0 && t.nPrefix.Load() == 0) {
		return
	}
	t.mu.Lock()
	if s.invalidateLocked(t.current, key, true) {
		t.refresh()
	}
	t.mu.Unlock()
}

// invalidateLocked is Redis's trackingInvalidateKey: it queues key for the
// BCAST prefixes matching it (when bcast), and sends the clients that read
// it an invalidation, then forgets it, reporting whether it was in the
// table. by is the client that changed it (for NOLOOP). t.mu is held.
func (s *Server) invalidateLocked(by *Client, key []byte, bcast bool) bool {
	t := &s.tracking
	if bcast {
		for _, ps := range t.plist {
			if strings.HasPrefix(string(key), ps.prefix) {
				ps.keys[string(key)] = by
				t.bcastDue.Store(true)
			}
		}
	}
	ids, ok := t.keys[string(key)]
	if !ok {
		return false
	}
	for id := range ids {
		target := s.clients.get(id)
		if target == nil {
			continue
		}
		f := target.tflags()
		if f&trackOn == 0 || f&trackBcast != 0 || (f&trackNoloop != 0 && target == t.current) {
			continue
		}
		if target == t.current {
			// After its reply: the running client's own goroutine sends it.
			target.trackPending = append(target.trackPending, pendingInvalidation{key: string(key)})
			continue
		}
		s.sendInvalidation(target, []string{string(key)}, false)
	}
	t.items -= int64(len(ids))
	delete(t.keys, string(key))
	return true
}

// trackFlushed is called by FLUSHDB and FLUSHALL: every tracking client
// is told that all keys changed (a null), and the table is emptied.
func (s *Server) trackFlushed() {
	t := &s.tracking
	if !t.enabled.Load() {
		return
	}
	t.mu.Lock()
	for c := range t.on {
		if c == t.current {
			c.trackPending = append(c.trackPending, pendingInvalidation{flushed: true})
			continue
		}
		s.sendInvalidation(c, nil, true)
	}
	clear(t.keys)
	t.items = 0
	t.refresh()
	t.mu.Unlock()
}

// pendingInvalidation is one of the running client's own invalidations,
// held until its reply is queued: a key, or a flush.
type pendingInvalidation struct {
	key     string
	flushed bool
}

// trackAfter runs after each command of a tracking-enabled server: the
// client's own invalidations follow its reply, BCAST keys are sent, and
// CLIENT CACHING's one-command grant ends.
func (s *Server) trackAfter(c *Client, cmd *Command) {
	if len(c.trackPending) > 0 {
		pending := c.trackPending
		c.trackPending = nil
		for _, p := range pending {
			s.sendInvalidation(c, []string{p.key}, p.flushed)
		}
	}
	if s.tracking.bcastDue.Load() {
		s.broadcastInvalidations()
	}
	if f := c.tflags(); f&trackCaching != 0 && c.multi == nil && !isClientCommand(cmd) {
		c.setTFlags(f &^ trackCaching)
	}
}

// isClientCommand reports whether cmd is CLIENT or one of its
// subcommands: CLIENT CACHING's grant outlives those.
func isClientCommand(cmd *Command) bool {
	return cmd != nil && (cmd.Name == "client" || (cmd.parent != nil && cmd.parent.Name == "client"))
}

// broadcastInvalidations sends each BCAST prefix's changed keys to its
// clients, sorted as Redis's radix tree lists them, one message per
// prefix; a NOLOOP client does not hear of the keys it changed itself.
func (s *Server) broadcastInvalidations() {
	t := &s.tracking
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.bcastDue.Swap(false) {
		return
	}
	for _, bs := range t.prefixes {
		if len(bs.keys) == 0 {
			continue
		}
		all := t.scratch[:0]
		for k := range bs.keys {
			all = append(all, k)
		}
		sort.Strings(all)
		t.scratch = all
		for c := range bs.clients {
			keys := all
			if c.tflags()&trackNoloop != 0 {
				keys = nil
				for _, k := range all {
					if bs.keys[k] != c {
						keys = append(keys, k)
					}
				}
				if len(keys) == 0 {
					continue
				}
			}
			s.sendInvalidation(c, keys, false)
		}
		clear(bs.keys)
	}
}
