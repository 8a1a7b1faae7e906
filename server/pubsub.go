package server

import (
	"bytes"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/tidwall/redcon"

	"github.com/cairn-db/cairn/protocol"
	"github.com/cairn-db/cairn/store"
)

// space is a pub/sub namespace. Ordinary channels, patterns and shard
// channels (Redis 7's SSUBSCRIBE and SPUBLISH; with no cluster, one shard
// holds them all) each have their own registry and per-client set, and
// one implementation serves the three: SPUBLISH reaches only shard
// subscribers, PUBLISH only channel and pattern ones.
type space uint8

const (
	spaceChannel space = iota // SUBSCRIBE, PUBLISH
	spacePattern              // PSUBSCRIBE
	spaceShard                // SSUBSCRIBE, SPUBLISH
	nSpaces
)

// spaceKinds are the first element of a space's subscribe, unsubscribe
// and message frames.
var spaceKinds = [nSpaces]struct{ sub, unsub, msg string }{
	spaceChannel: {"subscribe", "unsubscribe", "message"},
	spacePattern: {"psubscribe", "punsubscribe", "pmessage"},
	spaceShard:   {"ssubscribe", "sunsubscribe", "smessage"},
}

// pubsub is the registry of subscribers, by space and name. PUBLISH
// takes the read lock and only appends to subscribers' outboxes, so it
// never waits on a network write.
type pubsub struct {
	mu  sync.RWMutex
	reg [nSpaces]map[string]map[*Client]struct{}
}

// subscriptions is one client's side of the registry. The name sets are
// used only by the client's goroutine; the counts are read by CLIENT LIST
// and by publishers (tracking redirection).
type subscriptions struct {
	names [nSpaces]map[string]struct{}
	n     [nSpaces]atomic.Int32
}

// count is the number Redis 7.0 puts in a (un)subscribe reply of space
// sp: channels and patterns are counted together, shard channels apart.
func (s *subscriptions) count(sp space) int64 {
	if sp == spaceShard {
		return int64(s.n[spaceShard].Load())
	}
	return int64(s.n[spaceChannel].Load() + s.n[spacePattern].Load())
}

// active reports whether the client is in subscribed mode: subscribed to
// anything, shard channels included.
func (s *subscriptions) active() bool {
	return s.n[spaceChannel].Load()+s.n[spacePattern].Load()+s.n[spaceShard].Load() > 0
}

// resp2Subscribed reports whether c is in RESP2's subscribed mode, where
// only (un)subscribing, PING, QUIT and RESET run and PING answers like a
// message. A RESP3 subscriber receives pushes and runs any command.
func (c *Client) resp2Subscribed() bool { return c.subs.active() && c.resp.Load() == 2 }

// subscribe adds c to name in space sp and reports whether it was new.
func (s *Server) subscribe(c *Client, name string, sp space) bool {
	s.startOutbox(c)
	mine := &c.subs.names[sp]
	if _, ok := (*mine)[name]; ok {
		return false
	}
	if *mine == nil {
		*mine = make(map[string]struct{})
	}
	(*mine)[name] = struct{}{}
	c.subs.n[sp].Add(1)
	c.hold(subEntryBytes + int64(len(name)))
	p := &s.pubsub
	p.mu.Lock()
	reg := &p.reg[sp]
	if *reg == nil {
		*reg = make(map[string]map[*Client]struct{})
	}
	set := (*reg)[name]
	if set == nil {
		set = make(map[*Client]struct{})
		(*reg)[name] = set
	}
	set[c] = struct{}{}
	p.mu.Unlock()
	return true
}

// unsubscribe removes c from name in space sp and reports whether it was
// subscribed.
func (s *Server) unsubscribe(c *Client, name string, sp space) bool {
	mine := c.subs.names[sp]
	if _, ok := mine[name]; !ok {
		return false
	}
	delete(mine, name)
	c.subs.n[sp].Add(-1)
	c.hold(-subEntryBytes - int64(len(name)))
	p := &s.pubsub
	p.mu.Lock()
	if set := p.reg[sp][name]; set != nil {
		delete(set, c)
		if len(set) == 0 {
			delete(p.reg[sp], name)
		}
	}
	p.mu.Unlock()
	return true
}

// unsubscribeAll drops every subscription of c, in every space, without
// replying (RESET, disconnect).
func (s *Server) unsubscribeAll(c *Client) {
	for sp := range nSpaces {
		for name := range c.subs.names[sp] {
			s.unsubscribe(c, name, sp)
		}
	}
}

// publish sends message to the subscribers of channel in space sp (and,
// for an ordinary channel, of the patterns matching it), and returns how
// many received it. Each message is encoded once per protocol version in
// use.
func (s *Server) publish(channel, message []byte, sp space) int64 {
	p := &s.pubsub
	p.mu.RLock()
	defer p.mu.RUnlock()
	var n int64
	var frames [2][]byte
	kind := spaceKinds[sp].msg
	for c := range p.reg[sp][string(channel)] {
		c.deliver(&frames, kind, channel, message, "")
		n++
	}
	if sp == spaceChannel && len(p.reg[spacePattern]) > 0 {
		ch := string(channel)
		for pat, set := range p.reg[spacePattern] {
			if !store.Match(pat, ch, false) {
				continue
			}
			var frames [2][]byte
			for c := range set {
				c.deliver(&frames, "pmessage", channel, message, pat)
				n++
			}
		}
	}
	return n
}

// deliver queues one message for c, encoding it for c's protocol (as of
// now: HELLO may switch it while subscribed) on first use. pattern is
// empty but for a pmessage.
func (c *Client) deliver(frames *[2][]byte, kind string, channel, message []byte, pattern string) {
	proto := int(c.resp.Load())
	i := proto - 2
	if frames[i] == nil {
		if pattern == "" {
			frames[i] = encodePush(proto, kind, channel, message)
		} else {
			frames[i] = encodePush(proto, kind, []byte(pattern), channel, message)
		}
	}
	if o := c.outbox; o != nil {
		o.push(frames[i])
	}
}

// encodePush encodes a pub/sub message: a push in RESP3, an array in RESP2.
// This is the one place messages are encoded.
func encodePush(proto int, kind string, parts ...[]byte) []byte {
	var b bytes.Buffer
	rw := redcon.NewWriter(&b)
	w := protocol.NewWriter(rw)
	w.SetProto(proto)
	w.Push(1 + len(parts))
	w.BulkString(kind)
	for _, p := range parts {
		w.Bulk(p)
	}
	rw.Flush()
	return b.Bytes()
}

// channelNames returns the active channels of space sp matching pattern
// (all when pattern is nil), sorted.
func (s *Server) channelNames(sp space, pattern []byte) []string {
	p := &s.pubsub
	p.mu.RLock()
	defer p.mu.RUnlock()
	var out []string
	for ch := range p.reg[sp] {
		if pattern == nil || store.Match(string(pattern), ch, false) {
			out = append(out, ch)
		}
	}
	sort.Strings(out)
	return out
}

// numSub is how many clients subscribe to channel in space sp.
func (s *Server) numSub(sp space, channel []byte) int64 {
	p := &s.pubsub
	p.mu.RLock()
	defer p.mu.RUnlock()
	return int64(len(p.reg[sp][string(channel)]))
}

// numChannels is how many channels (or patterns) of space sp have a
// subscriber: INFO's pubsub_channels, pubsub_patterns and
// pubsubshard_channels.
func (s *Server) numChannels(sp space) int64 {
	p := &s.pubsub
	p.mu.RLock()
	defer p.mu.RUnlock()
	return int64(len(p.reg[sp]))
}

// killDeniedSubscribers disconnects the clients of user u subscribed to a
// channel, pattern or shard channel that u's rules no longer allow, as
// Redis does after ACL SETUSER. It reads the server's registry, not the
// clients' own sets, which only their goroutines touch. A RESP3
// subscriber that runs the ACL SETUSER against itself is closed too,
// without the reply, as by Redis 7.0.
func (s *Server) killDeniedSubscribers(u *aclUser) {
	r := u.rules.Load()
	if r.allChannels {
		return
	}
	kill := map[*Client]struct{}{} // once each, however many denied names
	p := &s.pubsub
	p.mu.RLock()
	for sp := range nSpaces {
		for name, set := range p.reg[sp] {
			if r.channelPermitted(name, sp == spacePattern) {
				continue
			}
			for c := range set {
				if c.aclUser.Load() == u {
					kill[c] = struct{}{}
				}
			}
		}
	}
	p.mu.RUnlock()
	for c := range kill {
		c.kill()
	}
}
