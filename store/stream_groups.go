package store

import (
	"sort"

	"github.com/cairn-db/cairn/protocol"

	"github.com/tidwall/btree"
)

// streamGroup is a consumer group: where it has read up to, its pending
// entries list (PEL: delivered, not yet acknowledged) and its consumers.
// The PEL is a B-tree by ID; each consumer keeps its own B-tree over the
// same pendingEntry values, so both "all pending" and "pending of one
// consumer" are ordered walks that never scan the rest.
type streamGroup struct {
	name        string
	lastID      StreamID
	entriesRead int64 // logical read counter; -1 when unknown
	pel         *btree.BTreeG[*pendingEntry]
	consumers   []*streamConsumer // sorted by name
}

// streamConsumer is one consumer of a group.
type streamConsumer struct {
	name     string
	seenTime int64 // unix ms of its last read or claim (XINFO idle)
	pel      *btree.BTreeG[*pendingEntry]
}

// pendingEntry is one delivered, unacknowledged entry.
type pendingEntry struct {
	id            StreamID
	consumer      *streamConsumer
	deliveryTime  int64 // unix ms of the last delivery
	deliveryCount uint64
}

func pendingLess(a, b *pendingEntry) bool { return a.id.Less(b.id) }

func newPEL() *btree.BTreeG[*pendingEntry] {
	return btree.NewBTreeGOptions(pendingLess, btree.Options{NoLocks: true})
}

func newStreamGroup(name string, last StreamID, entriesRead int64) *streamGroup {
	return &streamGroup{name: name, lastID: last, entriesRead: entriesRead, pel: newPEL()}
}

func (g *streamGroup) memory() int {
	n := 96 + len(g.name) + g.pel.Len()*80
	for _, c := range g.consumers {
		n += 64 + len(c.name) + c.pel.Len()*16
	}
	return n
}

// pending returns the PEL entry for id.
func (g *streamGroup) pending(id StreamID) (*pendingEntry, bool) {
	return g.pel.Get(&pendingEntry{id: id})
}

// consumerIndex finds name among the consumers.
func (g *streamGroup) consumerIndex(name []byte) (int, bool) {
	i := sort.Search(len(g.consumers), func(i int) bool { return g.consumers[i].name >= string(name) })
	return i, i < len(g.consumers) && g.consumers[i].name == string(name)
}

// lookupConsumer returns the consumer called name, or nil.
func (g *streamGroup) lookupConsumer(name []byte) *streamConsumer {
	if i, ok := g.consumerIndex(name); ok {
		return g.consumers[i]
	}
	return nil
}

// addConsumer creates the consumer called name, which must not exist.
func (g *streamGroup) addConsumer(name []byte, now int64) *streamConsumer {
	i, _ := g.consumerIndex(name)
	c := &streamConsumer{name: string(name), seenTime: now, pel: newPEL()}
	g.consumers = append(g.consumers, nil)
	copy(g.consumers[i+1:], g.consumers[i:])
	g.consumers[i] = c
	return c
}

// removeConsumer drops consumer c and its pending entries; it returns how
// many entries were pending.
func (g *streamGroup) removeConsumer(c *streamConsumer, r *streamRec) int {
	n := c.pel.Len()
	c.pel.Scan(func(pe *pendingEntry) bool {
		g.pel.Delete(pe)
		r.dropPending(g, pe.id)
		return true
	})
	if i, ok := g.consumerIndex([]byte(c.name)); ok {
		g.consumers = append(g.consumers[:i], g.consumers[i+1:]...)
	}
	r.dropConsumer(g, c)
	return n
}

// ack removes id from the PEL; it reports whether it was pending.
func (g *streamGroup) ack(id StreamID, r *streamRec) bool {
	pe, ok := g.pel.Delete(&pendingEntry{id: id})
	if !ok {
		return false
	}
	pe.consumer.pel.Delete(pe)
	r.dropPending(g, id)
	return true
}

// assign makes c the owner of pe (which may be new, with no consumer).
func (g *streamGroup) assign(pe *pendingEntry, c *streamConsumer) {
	if pe.consumer == c {
		return
	}
	if pe.consumer != nil {
		pe.consumer.pel.Delete(pe)
	}
	pe.consumer = c
	c.pel.Set(pe)
}

// lookupOrCreateConsumer returns consumer name, creating it if needed, and
// refreshes its seen time (SLC_DEFAULT in Redis). created reports a new
// consumer, for the "xgroup-createconsumer" event.
func (g *streamGroup) lookupOrCreateConsumer(name []byte, now int64, r *streamRec) (c *streamConsumer, created bool) {
	c = g.lookupConsumer(name)
	if c == nil {
		c, created = g.addConsumer(name, now), true
	}
	c.seenTime = now
	r.consumer(g, c)
	return c, created
}

// deliver hands entries read with ">" to consumer c: it advances the
// group's last ID and read counter as Redis's streamReplyWithRange does
// and, unless noack, adds each entry to the PEL.
func (s *stream) deliver(g *streamGroup, c *streamConsumer, entries []StreamEntry, noack bool, now int64, r *streamRec) {
	for _, e := range entries {
		if g.lastID.Less(e.ID) {
			if g.entriesRead != -1 && !s.rangeHasTombstones(e.ID, maxID) {
				g.entriesRead++
			} else if s.entriesAdded != 0 {
				g.entriesRead = s.estimateEntriesRead(e.ID)
			}
			g.lastID = e.ID
		}
		if noack {
			continue
		}
		pe, ok := g.pending(e.ID)
		if !ok {
			pe = &pendingEntry{id: e.ID}
			g.pel.Set(pe)
		}
		g.assign(pe, c)
		pe.deliveryTime, pe.deliveryCount = now, 1
		r.pending(g, pe)
	}
	if len(entries) > 0 {
		r.group(g)
	}
}

// history returns up to count (0 = all) entries of c's PEL with IDs >=
// start, for XREADGROUP with an explicit ID. Entries still in the stream
// count as delivered again; deleted ones come back with nil fields.
func (s *stream) history(g *streamGroup, c *streamConsumer, start StreamID, count int, now int64, r *streamRec) []StreamEntry {
	out := []StreamEntry{}
	c.pel.Ascend(&pendingEntry{id: start}, func(pe *pendingEntry) bool {
		if count > 0 && len(out) >= count {
			return false
		}
		e, _, ok := s.find(pe.id)
		if !ok {
			out = append(out, StreamEntry{ID: pe.id})
			return true
		}
		out = append(out, StreamEntry{ID: pe.id, Fields: e.unpack()})
		pe.deliveryTime = now
		pe.deliveryCount++
		r.pending(g, pe)
		return true
	})
	return out
}

// MaxStreamID is the largest stream ID ("+").
var MaxStreamID = protocol.MaxStreamID

var maxID = protocol.MaxStreamID
