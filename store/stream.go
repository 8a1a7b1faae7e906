package store

import (
	"math"
	"slices"
	"sort"
	"unsafe"

	"github.com/cairn-db/cairn/protocol"
)

// StreamID is a stream entry ID (milliseconds, sequence).
type StreamID = protocol.StreamID

// StreamEntry is one entry as commands return it. Fields alternates field
// and value; it is nil for an entry that no longer exists (a PEL entry
// whose message was deleted), which replies show as a null.
type StreamEntry struct {
	ID     StreamID
	Fields [][]byte
}

// streamNodeMax is how many entries (live or deleted) one node holds by
// default, as Redis's stream-node-max-entries (EncodingLimits): approximate
// trimming ("~") drops whole nodes, so keeping Redis's node size keeps
// its results. Loading rebuilds nodes of this size.
const streamNodeMax = 100

// stream is a Redis stream: entries in ID order in a slice of fixed-size
// nodes, plus the metadata and consumer groups XINFO reports.
//
// Appending writes into the last node, or starts a new one: O(1). A lookup
// by ID binary-searches the nodes by their first ID and then the node:
// O(log n). XDEL marks an entry deleted in place, as Redis does (the node
// keeps its slot count) and frees a node once none of its entries is live;
// trimming drops whole nodes from the front by re-slicing, so nothing
// after them is copied.
type stream struct {
	nodes        []*streamNode
	length       int
	lastID       StreamID // the largest ID ever added (or set by XSETID)
	firstID      StreamID // the first live entry; 0-0 when empty
	maxDeletedID StreamID // the largest ID removed by XDEL (or XSETID)
	entriesAdded uint64   // every entry ever added
	groups       []*streamGroup
}

// streamNode holds up to streamNodeMax entries. Their packed fields lie
// back to back in data, which only grows: an entry's bytes are never
// written again once appended (unpacked fields alias them), and deleting
// an entry leaves its bytes in place until the node goes, as in Redis's
// listpacks. Neither entries nor data holds a pointer, so the GC marks a
// node's arrays without scanning them, and an XADD allocates nothing
// once a node has room.
type streamNode struct {
	entries []streamEntry
	data    []byte
	live    int
}

// streamEntry is an entry's ID and where its packed fields are in its
// node's data: data[off:end], empty once the entry is deleted (packed
// fields never are).
type streamEntry struct {
	id       StreamID
	off, end uint32
}

// deleted reports whether the entry was removed (XDEL or a trim inside
// its node).
func (e *streamEntry) deleted() bool { return e.off == e.end }

// fields returns entry i's packed fields, nil once deleted. The slice's
// capacity is clipped so appending to it cannot touch the node.
func (nd *streamNode) fields(i int) packedFields {
	e := &nd.entries[i]
	if e.deleted() {
		return nil
	}
	return packedFields(nd.data[e.off:e.end:e.end])
}

// seal trims the data of a node that has just filled up, when regrowing
// left much of it unused: once per node, and the bytes it copies stay
// valid where unpacked fields alias them.
func (nd *streamNode) seal() {
	if len(nd.data) < cap(nd.data)-cap(nd.data)/8 {
		nd.data = slices.Clone(nd.data)
	}
}

// remove marks entry i deleted.
func (nd *streamNode) remove(i int) {
	e := &nd.entries[i]
	e.end = e.off
	nd.live--
}

// pos is the position of an entry: node index and index in the node.
type streamPos struct{ n, i int }

func newStream() *stream { return &stream{} }

func (s *stream) kind() Kind       { return KindStream }
func (s *stream) encoding() string { return "stream" }

// size counts the stream itself as well as its entries and groups: a
// stream is not deleted when its last entry goes, as in Redis.
func (s *stream) size() int { return 1 + s.length + len(s.groups) }

func (s *stream) memory() int {
	n := 96 + 8*cap(s.nodes)
	for _, nd := range s.nodes {
		n += 80 + cap(nd.entries)*int(unsafe.Sizeof(streamEntry{})) + cap(nd.data)
	}
	for _, g := range s.groups {
		n += g.memory()
	}
	return n
}

// lastNode returns the node appends go to, or nil.
func (s *stream) lastNode() *streamNode {
	if len(s.nodes) == 0 {
		return nil
	}
	return s.nodes[len(s.nodes)-1]
}

const (
	// streamNodeBytes bounds a node's data so that offsets fit in uint32;
	// an entry that would cross it starts a new node (only entries of
	// hundreds of megabytes can).
	streamNodeBytes = math.MaxInt32
	// streamNodePrealloc caps the data a new node reserves up front.
	streamNodePrealloc = 32 << 10
)

// appendEntry adds an entry whose ID is greater than every other, with n
// bytes of packed fields, and returns those bytes for the caller to fill.
// A node holds at most nodeMax entries (0: no limit), as Redis's
// stream-node-max-entries.
func (s *stream) appendEntry(id StreamID, n, nodeMax int) packedFields {
	nd := s.lastNode()
	if nd == nil || nodeMax > 0 && len(nd.entries) >= nodeMax || len(nd.data)+n > streamNodeBytes {
		// A stream that filled a node will likely fill the next with
		// entries like its last: size both arrays at once rather than
		// regrow them. A first node starts small, as most streams in a
		// keyspace may be short.
		size := 8
		if nd != nil {
			nd.seal()
			size = min(max(nodeMax, 8), streamNodeMax)
		}
		nd = &streamNode{
			entries: make([]streamEntry, 0, size),
			data:    make([]byte, 0, min(size*n, streamNodePrealloc)),
		}
		s.nodes = append(s.nodes, nd)
	}
	off := len(nd.data)
	nd.data = slices.Grow(nd.data, n)[:off+n]
	nd.entries = append(nd.entries, streamEntry{id: id, off: uint32(off), end: uint32(off + n)})
	nd.live++
	s.length++
	if s.length == 1 {
		s.firstID = id
	}
	return packedFields(nd.data[off : off+n : off+n])
}

// nextAutoID is the ID "*" gives at time now (ms): now-0, or the last
// ID's sequence plus one when the clock has not moved past it. ok is
// false when the stream has used the largest possible ID.
func (s *stream) nextAutoID(now int64) (StreamID, bool) {
	if now > 0 && uint64(now) > s.lastID.Ms {
		return StreamID{Ms: uint64(now)}, true
	}
	return s.lastID.Next()
}

// seek returns the position of the first entry (live or deleted) whose ID
// is >= id; n == len(nodes) when there is none.
func (s *stream) seek(id StreamID) streamPos {
	n := sort.Search(len(s.nodes), func(i int) bool {
		es := s.nodes[i].entries
		return !es[len(es)-1].id.Less(id)
	})
	if n == len(s.nodes) {
		return streamPos{n, 0}
	}
	es := s.nodes[n].entries
	i := sort.Search(len(es), func(i int) bool { return !es[i].id.Less(id) })
	return streamPos{n, i}
}

// find returns the packed fields and position of the live entry with id.
func (s *stream) find(id StreamID) (packedFields, streamPos, bool) {
	p := s.seek(id)
	if p.n == len(s.nodes) {
		return nil, p, false
	}
	nd := s.nodes[p.n]
	if nd.entries[p.i].id != id || nd.entries[p.i].deleted() {
		return nil, p, false
	}
	return nd.fields(p.i), p, true
}

// exists reports whether a live entry has id.
func (s *stream) exists(id StreamID) bool {
	_, _, ok := s.find(id)
	return ok
}

// at returns the entry at p.
func (s *stream) at(p streamPos) *streamEntry { return &s.nodes[p.n].entries[p.i] }

// next advances p to the following slot; valid reports whether one exists.
func (s *stream) next(p streamPos) (streamPos, bool) {
	p.i++
	if p.i >= len(s.nodes[p.n].entries) {
		p.n, p.i = p.n+1, 0
	}
	return p, p.n < len(s.nodes)
}

// prev moves p to the preceding slot.
func (s *stream) prev(p streamPos) (streamPos, bool) {
	p.i--
	if p.i < 0 {
		p.n--
		if p.n < 0 {
			return p, false
		}
		p.i = len(s.nodes[p.n].entries) - 1
	}
	return p, true
}

// rangeEntries returns up to count (0 = all) live entries with start <=
// ID <= end, in ID order or, with rev, backwards.
func (s *stream) rangeEntries(start, end StreamID, count int, rev bool) []StreamEntry {
	var out []StreamEntry
	if end.Less(start) || s.length == 0 {
		return out
	}
	var p streamPos
	var ok bool
	if rev {
		// The last slot <= end: the first >= end, or the one before it.
		p = s.seek(end)
		ok = true
		if p.n == len(s.nodes) || s.at(p).id != end {
			p, ok = s.prev(p)
		}
	} else {
		p = s.seek(start)
		ok = p.n < len(s.nodes)
	}
	for ok && (count == 0 || len(out) < count) {
		e := s.at(p)
		if rev && e.id.Less(start) || !rev && end.Less(e.id) {
			break
		}
		if !e.deleted() {
			out = append(out, StreamEntry{ID: e.id, Fields: s.nodes[p.n].fields(p.i).unpack()})
		}
		if rev {
			p, ok = s.prev(p)
		} else {
			p, ok = s.next(p)
		}
	}
	return out
}

// lastLiveID returns the ID of the last live entry (0-0 when empty).
func (s *stream) lastLiveID() StreamID {
	for n := len(s.nodes) - 1; n >= 0; n-- {
		es := s.nodes[n].entries
		for i := len(es) - 1; i >= 0; i-- {
			if !es[i].deleted() {
				return es[i].id
			}
		}
	}
	return StreamID{}
}

// firstLiveID returns the ID of the first live entry (0-0 when empty).
func (s *stream) firstLiveID() StreamID {
	for _, nd := range s.nodes {
		for i := range nd.entries {
			if !nd.entries[i].deleted() {
				return nd.entries[i].id
			}
		}
	}
	return StreamID{}
}

// deleteAt marks the entry at p deleted, freeing its node when it was the
// node's last live entry. It reports whether the node was removed.
func (s *stream) deleteAt(p streamPos) bool {
	nd := s.nodes[p.n]
	nd.remove(p.i)
	s.length--
	if nd.live > 0 {
		return false
	}
	if p.n == 0 {
		s.nodes[0] = nil
		s.nodes = s.nodes[1:]
	} else {
		s.nodes = append(s.nodes[:p.n], s.nodes[p.n+1:]...)
	}
	return true
}

// del deletes the live entries with the given IDs and returns how many
// it deleted. Like Redis it records the largest deleted ID and moves
// first-id when the first entry goes.
func (s *stream) del(ids []StreamID) int {
	n := 0
	for _, id := range ids {
		_, p, ok := s.find(id)
		if !ok {
			continue
		}
		s.deleteAt(p)
		n++
		if s.maxDeletedID.Less(id) {
			s.maxDeletedID = id
		}
		if s.length == 0 {
			s.firstID = StreamID{}
		} else if id == s.firstID {
			s.firstID = s.firstLiveID()
		}
	}
	return n
}

// TrimStrategy is how XADD and XTRIM trim.
type TrimStrategy uint8

// Trim strategies.
const (
	TrimNone   TrimStrategy = iota
	TrimMaxLen              // keep at most MaxLen entries
	TrimMinID               // drop entries with IDs below MinID
)

// TrimArgs are the trimming options of XADD and XTRIM.
type TrimArgs struct {
	Strategy TrimStrategy
	MaxLen   int64
	MinID    StreamID
	// Approx ("~") removes only whole nodes, as Redis does.
	Approx bool
	// Limit caps how many entries one trim removes (0 = no cap).
	// TrimDefaultLimit is Redis's cap for "~" without LIMIT: 100 nodes.
	Limit int64
}

// TrimDefaultLimit as TrimArgs.Limit asks for Redis's default cap of an
// approximate trim: 100 * stream-node-max-entries, within [10000 when
// that is 0, 1000000].
const TrimDefaultLimit = -1

// resolveLimit resolves TrimDefaultLimit under a node size of nodeMax.
func (a *TrimArgs) resolveLimit(nodeMax int) {
	if a.Limit != TrimDefaultLimit {
		return
	}
	a.Limit = 100 * int64(nodeMax)
	if a.Limit <= 0 {
		a.Limit = 10000
	}
	a.Limit = min(a.Limit, 1000000)
}

// trim removes entries from the front per a and returns how many. It
// follows Redis's streamTrim: whole nodes go while they may, then (unless
// approximate) single entries of the next node.
func (s *stream) trim(a TrimArgs) int64 {
	if a.Strategy == TrimNone {
		return 0
	}
	var deleted int64
	drop := 0
	for drop < len(s.nodes) {
		if a.Strategy == TrimMaxLen && int64(s.length) <= a.MaxLen {
			break
		}
		nd := s.nodes[drop]
		if a.Limit > 0 && deleted+int64(nd.live) > a.Limit {
			break
		}
		var whole bool
		if a.Strategy == TrimMaxLen {
			whole = int64(s.length-nd.live) >= a.MaxLen
		} else {
			whole = nd.entries[len(nd.entries)-1].id.Less(a.MinID)
		}
		if whole {
			s.length -= nd.live
			deleted += int64(nd.live)
			s.nodes[drop] = nil
			drop++
			continue
		}
		if a.Approx {
			break
		}
		for i := range nd.entries {
			e := &nd.entries[i]
			if a.Strategy == TrimMaxLen && int64(s.length) <= a.MaxLen ||
				a.Strategy == TrimMinID && !e.id.Less(a.MinID) {
				break
			}
			if !e.deleted() {
				nd.remove(i)
				s.length--
				deleted++
			}
		}
		break
	}
	s.nodes = s.nodes[drop:]
	if len(s.nodes) == 0 {
		s.nodes = nil
	}
	if s.length == 0 {
		s.firstID = StreamID{}
	} else {
		s.firstID = s.firstLiveID()
	}
	return deleted
}

// lookupGroup returns the group called name.
func (s *stream) lookupGroup(name []byte) *streamGroup {
	i, ok := s.groupIndex(name)
	if !ok {
		return nil
	}
	return s.groups[i]
}

// groupIndex finds name in the groups, kept sorted by name as Redis's
// radix tree lists them.
func (s *stream) groupIndex(name []byte) (int, bool) {
	i := sort.Search(len(s.groups), func(i int) bool { return s.groups[i].name >= string(name) })
	return i, i < len(s.groups) && s.groups[i].name == string(name)
}

// estimateEntriesRead is Redis's streamEstimateDistanceFromFirstEverEntry:
// the logical read counter of id, or -1 when it cannot be known.
func (s *stream) estimateEntriesRead(id StreamID) int64 {
	if s.entriesAdded == 0 {
		return 0
	}
	if s.length == 0 && id.Compare(s.lastID) < 1 {
		return int64(s.entriesAdded)
	}
	switch id.Compare(s.lastID) {
	case 0:
		return int64(s.entriesAdded)
	case 1:
		return -1
	}
	if s.maxDeletedID.IsZero() || s.maxDeletedID.Less(s.firstID) {
		switch id.Compare(s.firstID) {
		case -1:
			return int64(s.entriesAdded) - int64(s.length)
		case 0:
			return int64(s.entriesAdded) - int64(s.length) + 1
		}
	}
	return -1
}

// rangeHasTombstones is Redis's streamRangeHasTombstones: whether the
// last XDEL fell inside [start, end] of the live stream.
func (s *stream) rangeHasTombstones(start, end StreamID) bool {
	if s.length == 0 || s.maxDeletedID.IsZero() {
		return false
	}
	if s.maxDeletedID.Less(s.firstID) {
		return false
	}
	return !s.maxDeletedID.Less(start) && !end.Less(s.maxDeletedID)
}

// lag is the number of entries a group has yet to read, or -1 when it
// cannot be known (Redis's streamReplyWithCGLag).
func (s *stream) lag(g *streamGroup) int64 {
	if s.entriesAdded == 0 {
		return 0
	}
	if g.entriesRead != -1 && !s.rangeHasTombstones(g.lastID, protocol.MaxStreamID) {
		return int64(s.entriesAdded) - g.entriesRead
	}
	if r := s.estimateEntriesRead(g.lastID); r != -1 {
		return int64(s.entriesAdded) - r
	}
	return -1
}
