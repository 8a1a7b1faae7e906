package store

// This file holds the consumer-group commands' operations. Errors name
// the problem (ErrNoGroup, ErrBusyGroup); the server words the reply.

// StreamExists reports whether key holds a stream (WRONGTYPE if it holds
// something else).
func (tx *Tx) StreamExists(key []byte) (bool, error) {
	_, s, err := tx.lookupStream(key)
	return s != nil, err
}

// GroupExists reports whether the stream at key has group.
func (tx *Tx) GroupExists(key, group []byte) (bool, error) {
	_, s, err := tx.lookupStream(key)
	if s == nil {
		return false, err
	}
	return s.lookupGroup(group) != nil, nil
}

// lookupGroup returns the stream and the group, or ErrNoGroup.
func (tx *Tx) lookupGroup(key, group []byte) (*entry, *stream, *streamGroup, error) {
	e, s, err := tx.lookupStreamWrite(key)
	if err != nil {
		return nil, nil, nil, err
	}
	if s == nil {
		return nil, nil, nil, ErrNoGroup
	}
	g := s.lookupGroup(group)
	if g == nil {
		return nil, nil, nil, ErrNoGroup
	}
	return e, s, g, nil
}

// GroupStart says where XGROUP CREATE / SETID start a group.
type GroupStart struct {
	ID   StreamID
	Last bool // "$": the stream's last ID
	// EntriesRead is the group's read counter; -1 = unknown (the default).
	EntriesRead int64
}

// XGroupCreate creates group on the stream at key (creating an empty
// stream with mkstream). ErrNoSuchKey: the key is missing without mkstream.
func (tx *Tx) XGroupCreate(key, group []byte, at GroupStart, mkstream bool) error {
	e, s, err := tx.lookupStreamWrite(key)
	if err != nil {
		return err
	}
	if e == nil && !mkstream {
		return ErrNoSuchKey
	}
	if e != nil && s.lookupGroup(group) != nil {
		return ErrBusyGroup
	}
	if e == nil {
		e, s = tx.createStream(key)
		tx.saveMeta(e)
	}
	id := at.ID
	if at.Last {
		id = s.lastID
	}
	g := s.addGroup(newStreamGroup(string(group), id, at.EntriesRead))
	tx.streamRec(e).group(g)
	tx.notify(key, EventStream, "xgroup-create")
	return nil
}

// XGroupSetID moves group's last-delivered ID. ErrNoSuchKey: no key;
// ErrNoGroup: no group.
func (tx *Tx) XGroupSetID(key, group []byte, at GroupStart) error {
	e, s, g, err := tx.groupForAdmin(key, group)
	if err != nil {
		return err
	}
	g.lastID = at.ID
	if at.Last {
		g.lastID = s.lastID
	}
	g.entriesRead = at.EntriesRead
	tx.streamRec(e).group(g)
	tx.notify(key, EventStream, "xgroup-setid")
	return nil
}

// groupForAdmin is lookupGroup for XGROUP, which tells a missing key
// (ErrNoSuchKey) from a missing group (ErrNoGroup).
func (tx *Tx) groupForAdmin(key, group []byte) (*entry, *stream, *streamGroup, error) {
	e, s, err := tx.lookupStreamWrite(key)
	if err != nil {
		return nil, nil, nil, err
	}
	if e == nil {
		return nil, nil, nil, ErrNoSuchKey
	}
	g := s.lookupGroup(group)
	if g == nil {
		return e, s, nil, ErrNoGroup
	}
	return e, s, g, nil
}

// XGroupDestroy deletes group and reports whether it existed. Clients
// blocked on the group are woken to get their NOGROUP error.
func (tx *Tx) XGroupDestroy(key, group []byte) (bool, error) {
	e, s, _, err := tx.groupForAdmin(key, group)
	if err == ErrNoGroup {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	i, _ := s.groupIndex(group)
	g := s.groups[i]
	s.groups = append(s.groups[:i], s.groups[i+1:]...)
	tx.streamRec(e).dropGroup(g)
	tx.notify(key, EventStream, "xgroup-destroy")
	tx.MarkReady(tx.dbIndex, e.key)
	return true, nil
}

// XGroupCreateConsumer creates consumer in group; false if it existed.
func (tx *Tx) XGroupCreateConsumer(key, group, consumer []byte) (bool, error) {
	e, _, g, err := tx.groupForAdmin(key, group)
	if err != nil {
		return false, err
	}
	if g.lookupConsumer(consumer) != nil {
		return false, nil
	}
	c := g.addConsumer(consumer, tx.now)
	tx.streamRec(e).consumer(g, c)
	tx.notify(key, EventStream, "xgroup-createconsumer")
	return true, nil
}

// XGroupDelConsumer deletes consumer and returns how many entries it had
// pending (they leave the PEL).
func (tx *Tx) XGroupDelConsumer(key, group, consumer []byte) (int, error) {
	e, _, g, err := tx.groupForAdmin(key, group)
	if err != nil {
		return 0, err
	}
	c := g.lookupConsumer(consumer)
	if c == nil {
		return 0, nil
	}
	n := g.removeConsumer(c, tx.streamRec(e))
	tx.notify(key, EventStream, "xgroup-delconsumer")
	return n, nil
}

// XReadGroupArgs are one key's part of XREADGROUP.
type XReadGroupArgs struct {
	Group, Consumer []byte
	// New is ">": entries never delivered to the group. Otherwise the
	// consumer's own pending entries with IDs after After are returned.
	New   bool
	After StreamID
	Count int // 0 = no limit
	NoAck bool
}

// XReadGroup reads for a consumer of a group, creating the consumer if
// needed. served is false when a ">" read found nothing new (the client
// may block); a history read is always served, possibly with no entries.
func (tx *Tx) XReadGroup(key []byte, a XReadGroupArgs) (entries []StreamEntry, served bool, err error) {
	e, s, g, err := tx.lookupGroup(key, a.Group)
	if err != nil {
		return nil, false, err
	}
	if a.New && (s.length == 0 || !g.lastID.Less(s.lastLiveID())) {
		return nil, false, nil
	}
	// Like Redis, the consumer is created only when the read is served.
	r := tx.streamRec(e)
	c := tx.streamConsumer(key, g, a.Consumer, r)
	if !a.New {
		start, _ := a.After.Next()
		return s.history(g, c, start, a.Count, tx.now, r), true, nil
	}
	start, _ := g.lastID.Next()
	entries = s.rangeEntries(start, maxID, a.Count, false)
	s.deliver(g, c, entries, a.NoAck, tx.now, r)
	return entries, true, nil
}

// XAck acknowledges ids in group and returns how many were pending.
func (tx *Tx) XAck(key, group []byte, ids []StreamID) (int, error) {
	e, _, g, err := tx.lookupGroup(key, group)
	if err == ErrNoGroup {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	r := tx.streamRec(e)
	n := 0
	for _, id := range ids {
		if g.ack(id, r) {
			n++
		}
	}
	return n, nil
}

// streamConsumer looks up or creates a consumer for a read or a claim,
// raising "xgroup-createconsumer" when it is new, as Redis does.
func (tx *Tx) streamConsumer(key []byte, g *streamGroup, name []byte, r *streamRec) *streamConsumer {
	c, created := g.lookupOrCreateConsumer(name, tx.now, r)
	if created {
		tx.notify(key, EventStream, "xgroup-createconsumer")
	}
	return c
}
