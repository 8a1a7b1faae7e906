package store

// XAddArgs are XADD's arguments.
type XAddArgs struct {
	// ID is the explicit ID; unused with AutoID. With AutoSeq ("ms-*")
	// only ID.Ms is given and the store picks the sequence.
	ID         StreamID
	AutoID     bool
	AutoSeq    bool
	NoMkStream bool
	Trim       TrimArgs
	// Fields alternates field and value.
	Fields [][]byte
}

// lookupStream returns the stream at key, or nil.
func (tx *Tx) lookupStream(key []byte) (*entry, *stream, error) {
	e, err := tx.lookupKind(key, KindStream)
	if e == nil {
		return nil, nil, err
	}
	return e, e.stream(), nil
}

// lookupStreamWrite is lookupStream for commands that modify the stream.
func (tx *Tx) lookupStreamWrite(key []byte) (*entry, *stream, error) {
	e, err := tx.lookupWriteKind(key, KindStream)
	if e == nil {
		return nil, nil, err
	}
	return e, e.stream(), nil
}

// createStream adds an empty stream at key.
func (tx *Tx) createStream(key []byte) (*entry, *stream) {
	e := tx.create(key)
	s := newStream()
	e.setColl(s)
	return e, s
}

// XAdd appends an entry to the stream at key, creating it unless
// NoMkStream, then trims per a.Trim. ok is false when the key is missing
// and NoMkStream is set.
func (tx *Tx) XAdd(key []byte, a XAddArgs) (id StreamID, ok bool, err error) {
	e, s, err := tx.lookupStreamWrite(key)
	if err != nil {
		return id, false, err
	}
	created := e == nil
	if created {
		if a.NoMkStream {
			return id, false, nil
		}
		e, s = tx.createStream(key)
	}
	if s.lastID == maxID {
		return id, false, ErrStreamExhausted
	}
	switch {
	case a.AutoID:
		id, _ = s.nextAutoID(tx.now)
	case a.AutoSeq:
		switch {
		case a.ID.Ms > s.lastID.Ms:
			id = StreamID{Ms: a.ID.Ms}
		case a.ID.Ms == s.lastID.Ms && s.lastID.Seq != maxID.Seq:
			id = StreamID{Ms: a.ID.Ms, Seq: s.lastID.Seq + 1}
		default:
			return id, false, ErrStreamIDTooSmall
		}
	default:
		if !s.lastID.Less(a.ID) {
			return id, false, ErrStreamIDTooSmall
		}
		id = a.ID
	}
	nodeMax := tx.lim().StreamNodeEntries
	fields := s.appendEntry(id, packedLen(a.Fields), nodeMax)
	fields.pack(a.Fields)
	s.lastID = id
	s.entriesAdded++
	r := tx.streamRec(e)
	r.entry(id, fields)
	tx.notify(key, EventStream, "xadd")
	a.Trim.resolveLimit(nodeMax)
	trimmed := s.trimRecords(a.Trim, r) > 0
	if trimmed {
		tx.notify(key, EventStream, "xtrim")
	}
	// An append changes only last-id and entries-added, which load
	// recovers from the entries past the header's last-id; see
	// stream_records.go.
	if created || trimmed {
		tx.saveMeta(e)
	}
	tx.MarkReady(tx.dbIndex, e.key)
	return id, true, nil
}

// trimRecords trims s and deletes the records of what it removed.
func (s *stream) trimRecords(a TrimArgs, r *streamRec) int64 {
	n := s.trim(a)
	if n > 0 {
		if s.length == 0 {
			r.dropAllEntries()
		} else {
			r.dropEntriesBefore(s.firstID)
		}
	}
	return n
}

// XTrim trims the stream at key and returns how many entries it removed.
func (tx *Tx) XTrim(key []byte, a TrimArgs) (int64, error) {
	e, s, err := tx.lookupStreamWrite(key)
	if e == nil {
		return 0, err
	}
	a.resolveLimit(tx.lim().StreamNodeEntries)
	n := s.trimRecords(a, tx.streamRec(e))
	if n > 0 {
		tx.saveMeta(e)
		tx.notify(key, EventStream, "xtrim")
	}
	return n, nil
}

// XLen returns the number of entries in the stream at key.
func (tx *Tx) XLen(key []byte) (int, error) {
	_, s, err := tx.lookupStream(key)
	if s == nil {
		return 0, err
	}
	return s.length, nil
}

// XRange returns up to count (0 = all) entries with start <= ID <= end,
// backwards with rev.
func (tx *Tx) XRange(key []byte, start, end StreamID, count int, rev bool) ([]StreamEntry, error) {
	_, s, err := tx.lookupStream(key)
	if s == nil {
		return nil, err
	}
	return s.rangeEntries(start, end, count, rev), nil
}

// XDel deletes the entries with the given IDs and returns how many
// existed.
func (tx *Tx) XDel(key []byte, ids []StreamID) (int, error) {
	e, s, err := tx.lookupStreamWrite(key)
	if e == nil {
		return 0, err
	}
	r := tx.streamRec(e)
	n := 0
	for _, id := range ids {
		if s.del([]StreamID{id}) == 1 {
			r.dropEntry(id)
			n++
		}
	}
	if n > 0 {
		tx.saveMeta(e)
		tx.notify(key, EventStream, "xdel")
	}
	return n, nil
}

// XSetIDArgs are XSETID's arguments. EntriesAdded is -1 when not given;
// a zero MaxDeletedID is "not given", as in Redis.
type XSetIDArgs struct {
	LastID       StreamID
	EntriesAdded int64
	MaxDeletedID StreamID
}

// XSetID errors, distinguished for their reply texts.
var (
	ErrSetIDBelowTop      = errorf(ErrStreamSetID, "below top item")
	ErrSetIDAddedBelowLen = errorf(ErrStreamSetID, "entries added below length")
)

// XSetID sets the stream's last ID and, optionally, its entries-added
// counter and max-deleted ID.
func (tx *Tx) XSetID(key []byte, a XSetIDArgs) error {
	e, s, err := tx.lookupStreamWrite(key)
	if err != nil {
		return err
	}
	if e == nil {
		return ErrNoSuchKey
	}
	if s.length > 0 {
		if a.LastID.Less(s.lastLiveID()) {
			return ErrSetIDBelowTop
		}
		if a.EntriesAdded != -1 && int64(s.length) > a.EntriesAdded {
			return ErrSetIDAddedBelowLen
		}
	}
	s.lastID = a.LastID
	if a.EntriesAdded != -1 {
		s.entriesAdded = uint64(a.EntriesAdded)
	}
	if !a.MaxDeletedID.IsZero() {
		s.maxDeletedID = a.MaxDeletedID
	}
	tx.saveMeta(e)
	tx.notify(key, EventStream, "xsetid")
	return nil
}

// XLastID returns the stream's last ID (0-0 when the key is missing), for
// XREAD's "$".
func (tx *Tx) XLastID(key []byte) (StreamID, error) {
	_, s, err := tx.lookupStream(key)
	if s == nil {
		return StreamID{}, err
	}
	return s.lastID, nil
}

// XRead returns up to count (0 = all) entries with IDs after after.
// served is false when there is none, so XREAD may block.
func (tx *Tx) XRead(key []byte, after StreamID, count int) (entries []StreamEntry, served bool, err error) {
	_, s, err := tx.lookupStream(key)
	if s == nil || s.length == 0 || !after.Less(s.lastLiveID()) {
		return nil, false, err
	}
	start, _ := after.Next()
	return s.rangeEntries(start, maxID, count, false), true, nil
}

// streamGone is called when e is deleted or overwritten: if it held a
// stream, clients blocked on it in XREADGROUP must be told (Redis 7.0
// unblocks them with an error), so the key is marked ready.
func (tx *Tx) streamGone(e *entry) {
	if e.kind() == KindStream {
		tx.MarkReady(tx.dbIndex, e.key)
	}
}
