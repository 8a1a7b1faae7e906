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

// pubsub is the registry of channel and pattern subscribers. PUBLISH takes
// the read lock and only appends to subscribers' outboxes, so it never
// waits on a network write.
type pubsub struct {
	mu       sync.RWMutex
	channels map[string]map[*Client]struct{}
	patterns map[string]map[*Client]struct{}
}

// subscriptions is one client's side of the registry. The maps are used
// only by the client's goroutine; the counts are read by CLIENT LIST.
type subscriptions struct {
	channels  map[string]struct{}
	patterns  map[string]struct{}
	nChannels atomic.Int32
	nPatterns atomic.Int32
}

// count is how many channels and patterns the client is subscribed to,
// the number Redis puts in (un)subscribe replies.
func (s *subscriptions) count() int64 { return int64(s.nChannels.Load() + s.nPatterns.Load()) }

// active reports whether the client is in subscribed mode.
func (s *subscriptions) active() bool { return s.count() > 0 }

// resp2Subscribed reports whether c is in RESP2's subscribed mode, where
// only (un)subscribing, PING, QUIT and RESET run and PING answers like a
// message. A RESP3 subscriber receives pushes and runs any command.
func (c *Client) resp2Subscribed() bool { return c.subs.active() && c.resp.Load() == 2 }

// subscribe adds c to channel (pattern when pat is set) and reports
// whether it was new.
func (s *Server) subscribe(c *Client, name string, pat bool) bool {
	s.startOutbox(c)
	mine, reg, n := &c.subs.channels, &s.pubsub.channels, &c.subs.nChannels
	if pat {
		mine, reg, n = &c.subs.patterns, &s.pubsub.patterns, &c.subs.nPatterns
	}
	if _, ok := (*mine)[name]; ok {
		return false
	}
	if *mine == nil {
		*mine = make(map[string]struct{})
	}
	(*mine)[name] = struct{}{}
	n.Add(1)
	p := &s.pubsub
	p.mu.Lock()
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

// unsubscribe removes c from channel (or pattern) and reports whether it
// was subscribed.
func (s *Server) unsubscribe(c *Client, name string, pat bool) bool {
	mine, reg, n := c.subs.channels, s.pubsub.channels, &c.subs.nChannels
	if pat {
		mine, reg, n = c.subs.patterns, s.pubsub.patterns, &c.subs.nPatterns
	}
	if _, ok := mine[name]; !ok {
		return false
	}
	delete(mine, name)
	n.Add(-1)
	p := &s.pubsub
	p.mu.Lock()
	if set := reg[name]; set != nil {
		delete(set, c)
		if len(set) == 0 {
			delete(reg, name)
		}
	}
	p.mu.Unlock()
	return true
}

// unsubscribeAll drops every subscription of c without replying (RESET,
// disconnect).
func (s *Server) unsubscribeAll(c *Client) {
	for name := range c.subs.channels {
		s.unsubscribe(c, name, false)
	}
	for name := range c.subs.patterns {
		s.unsubscribe(c, name, true)
	}
}

// publish sends message to the subscribers of channel and of the patterns
// matching it, and returns how many received it. Each message is encoded
// once per protocol version in use.
func (s *Server) publish(channel, message []byte) int64 {
	p := &s.pubsub
	p.mu.RLock()
	defer p.mu.RUnlock()
	var n int64
	var frames [2][]byte
	for c := range p.channels[string(channel)] {
		c.deliver(&frames, channel, message, "")
		n++
	}
	if len(p.patterns) > 0 {
		ch := string(channel)
		for pat, set := range p.patterns {
			if !store.Match(pat, ch, false) {
				continue
			}
			var frames [2][]byte
			for c := range set {
				c.deliver(&frames, channel, message, pat)
				n++
			}
		}
	}
	return n
}

// deliver queues one message for c, encoding it for c's protocol (as of
// now: HELLO may switch it while subscribed) on first use. pattern is
// empty for a channel message.
func (c *Client) deliver(frames *[2][]byte, channel, message []byte, pattern string) {
	proto := int(c.resp.Load())
	i := proto - 2
	if frames[i] == nil {
		if pattern == "" {
			frames[i] = encodePush(proto, "message", channel, message)
		} else {
			frames[i] = encodePush(proto, "pmessage", []byte(pattern), channel, message)
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

// channelNames returns the active channels matching pattern (all when
// pattern is nil), sorted.
func (s *Server) channelNames(pattern []byte) []string {
	p := &s.pubsub
	p.mu.RLock()
	defer p.mu.RUnlock()
	var out []string
	for ch := range p.channels {
		if pattern == nil || store.Match(string(pattern), ch, false) {
			out = append(out, ch)
		}
	}
	sort.Strings(out)
	return out
}

func (s *Server) numSub(channel []byte) int64 {
	p := &s.pubsub
	p.mu.RLock()
	defer p.mu.RUnlock()
	return int64(len(p.channels[string(channel)]))
}

func (s *Server) numChannels() int64 {
	p := &s.pubsub
	p.mu.RLock()
	defer p.mu.RUnlock()
	return int64(len(p.channels))
}

func (s *Server) numPat() int64 {
	p := &s.pubsub
	p.mu.RLock()
	defer p.mu.RUnlock()
	return int64(len(p.patterns))
}
