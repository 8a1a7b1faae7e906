package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Stream records. Under the key's data prefix:
//
//	e ms seq                    an entry: its field/value pairs
//	g name                      a group: last-delivered ID, entries-read
//	c len32(group) group name   a consumer: seen time
//	p len32(group) group ms seq a pending entry: delivery time and count,
//	                            owner
//
// IDs are big-endian so entries sort by ID and a trim is one DeleteRange.
// The metadata record holds last-id, first-id, max-deleted-id and
// entries-added as of the last change other than an append: XADD writes
// only its entry, so a run of appends writes records next to each other
// and the engine can file them without rewriting older ones. Load counts
// the entries past the header's last-id as appended since (every removal
// rewrites the header), and recounts the length.
const (
	recStreamEntry    = 'e'
	recStreamGroup    = 'g'
	recStreamConsumer = 'c'
	recStreamPending  = 'p'
)

// streamRec writes the records of one stream's changes; with no engine
// its batch is nil and every method does nothing.
type streamRec struct {
	b   Batch
	p   dataPrefix
	buf []byte
}

// streamRec returns the record writer for stream entry e.
func (tx *Tx) streamRec(e *entry) *streamRec {
	b, p := tx.elements(e)
	return &streamRec{b: b, p: p}
}

func appendID(b []byte, id StreamID) []byte {
	b = binary.BigEndian.AppendUint64(b, id.Ms)
	return binary.BigEndian.AppendUint64(b, id.Seq)
}

func readID(b []byte) StreamID {
	return StreamID{Ms: binary.BigEndian.Uint64(b), Seq: binary.BigEndian.Uint64(b[8:])}
}

// entryKey builds the key in the prefix's own buffer, which has room for
// it: no allocation per XADD.
func (r *streamRec) entryKey(id StreamID) []byte {
	r.p.buf = appendID(append(r.p.buf[:r.p.n], recStreamEntry), id)
	return r.p.buf
}

func (r *streamRec) groupPart(tag byte, g *streamGroup) []byte {
	r.buf = append(r.buf[:0], tag)
	r.buf = binary.BigEndian.AppendUint32(r.buf, uint32(len(g.name)))
	return append(r.buf, g.name...)
}

// entry writes an entry's record; its value is the packed fields.
func (r *streamRec) entry(id StreamID, fields packedFields) {
	if r.b == nil {
		return
	}
	r.b.Set(r.entryKey(id), fields)
}

func (r *streamRec) dropEntry(id StreamID) {
	if r.b != nil {
		r.b.Delete(r.entryKey(id))
	}
}

// dropEntriesBefore deletes every entry record with an ID below id.
func (r *streamRec) dropEntriesBefore(id StreamID) {
	if r.b == nil {
		return
	}
	start := bytes.Clone(r.p.key([]byte{recStreamEntry}))
	r.b.DeleteRange(start, r.entryKey(id))
}

// dropAllEntries deletes every entry record.
func (r *streamRec) dropAllEntries() {
	if r.b == nil {
		return
	}
	start := bytes.Clone(r.p.key([]byte{recStreamEntry}))
	r.b.DeleteRange(start, r.p.key([]byte{recStreamEntry + 1}))
}

func (r *streamRec) group(g *streamGroup) {
	if r.b == nil {
		return
	}
	r.buf = append(append(r.buf[:0], recStreamGroup), g.name...)
	v := appendID(nil, g.lastID)
	v = binary.BigEndian.AppendUint64(v, uint64(g.entriesRead))
	r.b.Set(r.p.key(r.buf), v)
}

// dropGroup deletes g's record, its consumers and its PEL.
func (r *streamRec) dropGroup(g *streamGroup) {
	if r.b == nil {
		return
	}
	r.buf = append(append(r.buf[:0], recStreamGroup), g.name...)
	r.b.Delete(r.p.key(r.buf))
	for _, tag := range []byte{recStreamConsumer, recStreamPending} {
		k := bytes.Clone(r.p.key(r.groupPart(tag, g)))
		r.b.DeleteRange(k, prefixEnd(k))
	}
}

func (r *streamRec) consumer(g *streamGroup, c *streamConsumer) {
	if r.b == nil {
		return
	}
	r.buf = append(r.groupPart(recStreamConsumer, g), c.name...)
	r.b.Set(r.p.key(r.buf), binary.BigEndian.AppendUint64(nil, uint64(c.seenTime)))
}

func (r *streamRec) dropConsumer(g *streamGroup, c *streamConsumer) {
	if r.b == nil {
		return
	}
	r.buf = append(r.groupPart(recStreamConsumer, g), c.name...)
	r.b.Delete(r.p.key(r.buf))
}

func (r *streamRec) pending(g *streamGroup, pe *pendingEntry) {
	if r.b == nil {
		return
	}
	r.buf = appendID(r.groupPart(recStreamPending, g), pe.id)
	v := binary.BigEndian.AppendUint64(nil, uint64(pe.deliveryTime))
	v = binary.BigEndian.AppendUint64(v, pe.deliveryCount)
	r.b.Set(r.p.key(r.buf), append(v, pe.consumer.name...))
}

func (r *streamRec) dropPending(g *streamGroup, id StreamID) {
	if r.b == nil {
		return
	}
	r.buf = appendID(r.groupPart(recStreamPending, g), id)
	r.b.Delete(r.p.key(r.buf))
}

// meta encodes the stream's header for the metadata record.
func (s *stream) meta() []byte {
	b := make([]byte, 0, 56)
	b = appendID(b, s.lastID)
	b = appendID(b, s.firstID)
	b = appendID(b, s.maxDeletedID)
	return binary.BigEndian.AppendUint64(b, s.entriesAdded)
}

// newStreamFromMeta builds an empty stream from its metadata record.
func newStreamFromMeta(meta []byte) (*stream, error) {
	if len(meta) != 56 {
		return nil, fmt.Errorf("%w: stream header of %d bytes", ErrForeignData, len(meta))
	}
	s := newStream()
	s.lastID = readID(meta)
	s.firstID = readID(meta[16:])
	s.maxDeletedID = readID(meta[32:])
	s.entriesAdded = binary.BigEndian.Uint64(meta[48:])
	return s, nil
}

// writeElements writes every entry, group, consumer and pending entry.
func (s *stream) writeElements(b Batch, p dataPrefix) {
	r := &streamRec{b: b, p: p}
	for _, nd := range s.nodes {
		for i := range nd.entries {
			if f := nd.fields(i); f != nil {
				r.entry(nd.entries[i].id, f)
			}
		}
	}
	for _, g := range s.groups {
		r.group(g)
		for _, c := range g.consumers {
			r.consumer(g, c)
		}
		g.pel.Scan(func(pe *pendingEntry) bool {
			r.pending(g, pe)
			return true
		})
	}
}

// loadElement restores one record. Records arrive in key order, so
// consumers ('c') come before their group's own record ('g'): groups are
// created on first sight and filled in when their record arrives.
func (s *stream) loadElement(sub, v []byte) error {
	bad := fmt.Errorf("%w: bad stream record %q", ErrForeignData, sub)
	if len(sub) == 0 {
		return bad
	}
	switch sub[0] {
	case recStreamEntry:
		if len(sub) != 17 {
			return bad
		}
		if _, ok := packedFields(v).split(); !ok {
			return bad
		}
		id := readID(sub[1:])
		if s.lastID.Less(id) {
			s.lastID = id
			s.entriesAdded++
		}
		copy(s.appendEntry(id, len(v), streamNodeMax), v)
	case recStreamGroup:
		if len(v) != 24 {
			return bad
		}
		g := s.loadGroup(sub[1:])
		g.lastID = readID(v)
		g.entriesRead = int64(binary.BigEndian.Uint64(v[16:]))
	case recStreamConsumer, recStreamPending:
		if len(sub) < 5 || len(sub) < 5+int(binary.BigEndian.Uint32(sub[1:])) {
			return bad
		}
		n := int(binary.BigEndian.Uint32(sub[1:]))
		g := s.loadGroup(sub[5 : 5+n])
		rest := sub[5+n:]
		if sub[0] == recStreamConsumer {
			if len(v) != 8 {
				return bad
			}
			c := g.lookupConsumer(rest)
			if c == nil {
				c = g.addConsumer(rest, 0)
			}
			c.seenTime = int64(binary.BigEndian.Uint64(v))
			return nil
		}
		if len(rest) != 16 || len(v) < 16 {
			return bad
		}
		c := g.lookupConsumer(v[16:])
		if c == nil {
			c = g.addConsumer(v[16:], 0)
		}
		pe := &pendingEntry{id: readID(rest), deliveryTime: int64(binary.BigEndian.Uint64(v)),
			deliveryCount: binary.BigEndian.Uint64(v[8:])}
		g.pel.Set(pe)
		g.assign(pe, c)
	default:
		return bad
	}
	return nil
}

// loadGroup returns the group called name, creating it while loading.
func (s *stream) loadGroup(name []byte) *streamGroup {
	if g := s.lookupGroup(name); g != nil {
		return g
	}
	return s.addGroup(newStreamGroup(string(name), StreamID{}, -1))
}

// addGroup inserts g, whose name must be new, in name order.
func (s *stream) addGroup(g *streamGroup) *streamGroup {
	i, _ := s.groupIndex([]byte(g.name))
	s.groups = append(s.groups, nil)
	copy(s.groups[i+1:], s.groups[i:])
	s.groups[i] = g
	return g
}

// clone returns a deep copy (COPY).
func (s *stream) clone() collection {
	c := *s
	c.nodes = make([]*streamNode, len(s.nodes))
	for i, nd := range s.nodes {
		// The data is shared, clipped so that appends to either stream
		// copy it first: an entry's bytes are never written again.
		n := &streamNode{live: nd.live, entries: make([]streamEntry, len(nd.entries), max(len(nd.entries), 8)),
			data: slices.Clip(nd.data)}
		copy(n.entries, nd.entries)
		c.nodes[i] = n
	}
	c.groups = nil
	for _, g := range s.groups {
		ng := newStreamGroup(g.name, g.lastID, g.entriesRead)
		for _, cons := range g.consumers {
			nc := ng.addConsumer([]byte(cons.name), cons.seenTime)
			cons.pel.Scan(func(pe *pendingEntry) bool {
				npe := *pe
				npe.consumer = nc
				ng.pel.Set(&npe)
				nc.pel.Set(&npe)
				return true
			})
		}
		c.groups = append(c.groups, ng)
	}
	return &c
}

// dump renders the stream canonically: header, live entries, groups with
// their consumers and PEL.
func (s *stream) dump() string {
	var b strings.Builder
	fmt.Fprintf(&b, "len=%d last=%s first=%s maxdel=%s added=%d [", s.length, s.lastID, s.firstID, s.maxDeletedID, s.entriesAdded)
	for _, nd := range s.nodes {
		for i, e := range nd.entries {
			if e.deleted() {
				continue
			}
			b.WriteString(e.id.String())
			for _, f := range nd.fields(i).unpack() {
				b.WriteString(" " + strconv.Quote(string(f)))
			}
			b.WriteString("; ")
		}
	}
	b.WriteString("]")
	for _, g := range s.groups {
		fmt.Fprintf(&b, " group %q last=%s read=%d {", g.name, g.lastID, g.entriesRead)
		for _, c := range g.consumers {
			fmt.Fprintf(&b, " %q seen=%d pel=%d", c.name, c.seenTime, c.pel.Len())
		}
		b.WriteString(" } pel[")
		g.pel.Scan(func(pe *pendingEntry) bool {
			fmt.Fprintf(&b, " %s:%q:%d:%d", pe.id, pe.consumer.name, pe.deliveryTime, pe.deliveryCount)
			return true
		})
		b.WriteString(" ]")
	}
	return b.String()
}

// errorf wraps a sentinel with detail, keeping errors.Is working.
func errorf(base error, detail string) error { return fmt.Errorf("%w: %s", base, detail) }
