package store

import (
	"bytes"
	"encoding/binary"
	"slices"
	"strconv"
	"strings"
)

// Streams in DUMP payloads (Redis 7.0's RDB_TYPE_STREAM_LISTPACKS_2; the
// older STREAM_LISTPACKS lacks the first ID, max deleted ID, entries
// added and groups' entries read). The entries are listpacks keyed by
// their master ID; each starts with a master entry (live count, deleted
// count, the master fields, 0), then every entry: flags, ms and seq
// relative to the master ID, either the values only (SAMEFIELDS: the
// master's fields) or a field count and field/value pairs, then the
// entry's element count.

// Stream entry flags in a listpack.
const (
	streamItemDeleted    = 1
	streamItemSameFields = 2
)

// stream decodes a stream: entries, metadata, consumer groups with their
// PEL and consumers. IDs must ascend, the length must match the live
// entries, and every pending entry must belong to one consumer.
func (r *rdbReader) stream(v2 bool) (collection, error) {
	s := newStream()
	nodes, err := r.count()
	if err != nil {
		return nil, err
	}
	var last StreamID
	for range nodes {
		key, err := r.str()
		if err != nil || len(key) != 16 {
			return nil, errBadData
		}
		elems, err := r.blob(listpackElems)
		if err != nil {
			return nil, err
		}
		if last, err = s.loadListpack(readID(key), elems, last); err != nil {
			return nil, err
		}
	}
	var hdr [3]uint64 // length, last ID ms and seq
	for i := range 3 {
		if hdr[i], err = r.u64(); err != nil {
			return nil, err
		}
	}
	if hdr[0] != uint64(s.length) {
		return nil, errBadData
	}
	s.lastID = StreamID{Ms: hdr[1], Seq: hdr[2]}
	if s.lastID.Less(last) {
		return nil, errBadData
	}
	if v2 {
		var ids [5]uint64 // first ID, max deleted ID, entries added
		for i := range ids {
			if ids[i], err = r.u64(); err != nil {
				return nil, err
			}
		}
		// The first ID is derived from the entries (appendEntry set it).
		s.maxDeletedID = StreamID{Ms: ids[2], Seq: ids[3]}
		s.entriesAdded = ids[4]
	} else {
		s.entriesAdded = uint64(s.length)
	}
	groups, err := r.count()
	if err != nil {
		return nil, err
	}
	// Groups and consumers are sorted once at the end: Redis writes them
	// in name order, but inserting a crafted unsorted list one by one
	// would take quadratic time.
	for range groups {
		g, err := r.streamGroup(s, v2)
		if err != nil {
			return nil, err
		}
		s.groups = append(s.groups, g)
	}
	if !sortUnique(s.groups, func(g *streamGroup) string { return g.name }) {
		return nil, errBadData
	}
	return s, nil
}

// sortUnique sorts items by name and reports whether the names are
// distinct.
func sortUnique[T any](items []T, name func(T) string) bool {
	slices.SortFunc(items, func(a, b T) int { return strings.Compare(name(a), name(b)) })
	for i := 1; i < len(items); i++ {
		if name(items[i-1]) == name(items[i]) {
			return false
		}
	}
	return true
}

// u64 reads a plain RDB length used as a number.
func (r *rdbReader) u64() (uint64, error) {
	n, special, err := r.length()
	if err != nil || special {
		return 0, errBadData
	}
	return n, nil
}

// msTime reads an 8-byte little-endian millisecond time.
func (r *rdbReader) msTime() (int64, error) {
	v, err := r.bytes(8)
	if err != nil {
		return 0, err
	}
	return int64(binary.LittleEndian.Uint64(v)), nil
}

// streamGroup reads one consumer group of s, with its PEL and consumers.
func (r *rdbReader) streamGroup(s *stream, v2 bool) (*streamGroup, error) {
	name, err := r.str()
	if err != nil {
		return nil, err
	}
	var id [2]uint64
	for i := range id {
		if id[i], err = r.u64(); err != nil {
			return nil, err
		}
	}
	g := newStreamGroup(string(name), StreamID{Ms: id[0], Seq: id[1]}, -1)
	if v2 {
		n, err := r.u64()
		if err != nil {
			return nil, err
		}
		g.entriesRead = int64(n) // -1 (unknown) is saved as 2^64-1
	} else {
		g.entriesRead = s.estimateEntriesRead(g.lastID)
	}
	n, err := r.count()
	if err != nil {
		return nil, err
	}
	for range n {
		raw, err := r.bytes(16)
		if err != nil {
			return nil, err
		}
		pe := &pendingEntry{id: readID(raw)}
		if pe.deliveryTime, err = r.msTime(); err != nil {
			return nil, err
		}
		if pe.deliveryCount, err = r.u64(); err != nil {
			return nil, err
		}
		if _, dup := g.pending(pe.id); dup {
			return nil, errBadData
		}
		g.pel.Set(pe)
	}
	consumers, err := r.count()
	if err != nil {
		return nil, err
	}
	for range consumers {
		cname, err := r.str()
		if err != nil {
			return nil, err
		}
		seen, err := r.msTime()
		if err != nil {
			return nil, err
		}
		c := &streamConsumer{name: string(cname), seenTime: seen, pel: newPEL()}
		g.consumers = append(g.consumers, c)
		n, err := r.count()
		if err != nil {
			return nil, err
		}
		for range n {
			raw, err := r.bytes(16)
			if err != nil {
				return nil, err
			}
			pe, ok := g.pending(readID(raw))
			if !ok || pe.consumer != nil {
				return nil, errBadData
			}
			g.assign(pe, c)
		}
	}
	if !sortUnique(g.consumers, func(c *streamConsumer) string { return c.name }) {
		return nil, errBadData
	}
	ok := true
	g.pel.Scan(func(pe *pendingEntry) bool {
		ok = pe.consumer != nil
		return ok
	})
	if !ok {
		return nil, errBadData
	}
	return g, nil
}

// loadListpack appends the live entries of one stream listpack whose
// master ID is master; IDs must exceed last, the previous node's last.
func (s *stream) loadListpack(master StreamID, el [][]byte, last StreamID) (StreamID, error) {
	p := 0
	next := func() ([]byte, bool) {
		if p >= len(el) {
			return nil, false
		}
		p++
		return el[p-1], true
	}
	num := func() (int64, bool) {
		v, ok := next()
		if !ok {
			return 0, false
		}
		n, err := strconv.ParseInt(string(v), 10, 64)
		return n, err == nil
	}
	count, ok1 := num()
	deleted, ok2 := num()
	nmaster, ok3 := num()
	if !ok1 || !ok2 || !ok3 || count < 0 || deleted < 0 || nmaster <= 0 || int64(p)+nmaster > int64(len(el)) || count+deleted == 0 {
		return last, errBadData
	}
	masterFields := el[p : p+int(nmaster)]
	p += int(nmaster)
	if z, ok := num(); !ok || z != 0 {
		return last, errBadData
	}
	var live, dead int64
	fields := make([][]byte, 0, 2*nmaster)
	for p < len(el) {
		start := p
		flags, ok1 := num()
		msd, ok2 := num()
		seqd, ok3 := num()
		if !ok1 || !ok2 || !ok3 || flags&^(streamItemDeleted|streamItemSameFields) != 0 {
			return last, errBadData
		}
		id := StreamID{Ms: master.Ms + uint64(msd), Seq: master.Seq + uint64(seqd)}
		if !last.Less(id) || id.Less(master) { // 0-0 is no entry's ID
			return last, errBadData
		}
		last = id
		fields = fields[:0]
		if flags&streamItemSameFields != 0 {
			if p+int(nmaster) > len(el) {
				return last, errBadData
			}
			for i, f := range masterFields {
				fields = append(fields, f, el[p+i])
			}
			p += int(nmaster)
		} else {
			nf, ok := num()
			if !ok || nf <= 0 || nf > int64(len(el)-p)/2 {
				return last, errBadData
			}
			fields = append(fields, el[p:p+2*int(nf)]...)
			p += 2 * int(nf)
		}
		elems := int64(p - start)
		if lc, ok := num(); !ok || lc != elems {
			return last, errBadData
		}
		if flags&streamItemDeleted != 0 {
			dead++
			continue
		}
		live++
		s.appendEntry(id, packedLen(fields), streamNodeMax).pack(fields)
	}
	if live != count || dead != deleted {
		return last, errBadData
	}
	return last, nil
}

// appendRDBStream serializes s as STREAM_LISTPACKS_2: a listpack per
// node of live entries (deleted ones are left out, so a node's deleted
// count is 0), each entry sharing the node's first fields when it can.
func appendRDBStream(b []byte, s *stream) []byte {
	b = append(b, rdbTypeStreamListpack2)
	var lps [][]byte
	var keys []StreamID
	for _, nd := range s.nodes {
		var w *lpWriter
		var master StreamID
		var mfields [][]byte
		for i := range nd.entries {
			f := nd.fields(i).unpack()
			if f == nil {
				continue
			}
			id := nd.entries[i].id
			if w == nil {
				master = id
				w = newLPWriter()
				w.int(int64(nd.live))
				w.int(0)
				w.int(int64(len(f) / 2))
				for j := 0; j < len(f); j += 2 {
					mfields = append(mfields, f[j])
					w.str(f[j])
				}
				w.int(0)
			}
			start := w.n
			same := len(f) == 2*len(mfields)
			for j := 0; same && j < len(mfields); j++ {
				same = bytes.Equal(f[2*j], mfields[j])
			}
			if same {
				w.int(streamItemSameFields)
			} else {
				w.int(0)
			}
			w.int(int64(id.Ms - master.Ms))
			w.int(int64(id.Seq - master.Seq))
			if same {
				for j := 1; j < len(f); j += 2 {
					w.str(f[j])
				}
			} else {
				w.int(int64(len(f) / 2))
				for _, v := range f {
					w.str(v)
				}
			}
			w.int(int64(w.n - start))
		}
		if w != nil {
			lps = append(lps, w.bytes())
			keys = append(keys, master)
		}
	}
	b = appendRDBLen(b, uint64(len(lps)))
	for i, lp := range lps {
		b = appendRDBString(b, appendID(nil, keys[i]))
		b = appendRDBString(b, lp)
	}
	for _, v := range []uint64{uint64(s.length), s.lastID.Ms, s.lastID.Seq, s.firstID.Ms, s.firstID.Seq,
		s.maxDeletedID.Ms, s.maxDeletedID.Seq, s.entriesAdded, uint64(len(s.groups))} {
		b = appendRDBLen(b, v)
	}
	for _, g := range s.groups {
		b = appendRDBString(b, []byte(g.name))
		b = appendRDBLen(appendRDBLen(b, g.lastID.Ms), g.lastID.Seq)
		b = appendRDBLen(b, uint64(g.entriesRead))
		b = appendRDBLen(b, uint64(g.pel.Len()))
		g.pel.Scan(func(pe *pendingEntry) bool {
			b = appendID(b, pe.id)
			b = binary.LittleEndian.AppendUint64(b, uint64(pe.deliveryTime))
			b = appendRDBLen(b, pe.deliveryCount)
			return true
		})
		b = appendRDBLen(b, uint64(len(g.consumers)))
		for _, c := range g.consumers {
			b = appendRDBString(b, []byte(c.name))
			b = binary.LittleEndian.AppendUint64(b, uint64(c.seenTime))
			b = appendRDBLen(b, uint64(c.pel.Len()))
			c.pel.Scan(func(pe *pendingEntry) bool {
				b = appendID(b, pe.id)
				return true
			})
		}
	}
	return b
}
