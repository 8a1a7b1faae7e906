package store

// StreamInfo is what XINFO STREAM reports.
type StreamInfo struct {
	Length        int
	Nodes         int // radix-tree-keys: Cairn's nodes play Redis's listpacks
	RaxNodes      int // radix-tree-nodes: what Redis's tree of them would have
	LastID        StreamID
	MaxDeletedID  StreamID
	EntriesAdded  uint64
	FirstRecorded StreamID // recorded-first-entry-id
	Groups        int
	// First and Last are the edge entries (nil when empty); without FULL.
	First, Last *StreamEntry
	// Entries and GroupsFull are filled with FULL.
	Entries    []StreamEntry
	GroupsFull []GroupInfoFull
}

// GroupInfo is one group as XINFO GROUPS reports it.
type GroupInfo struct {
	Name            string
	Consumers       int
	Pending         int
	LastDeliveredID StreamID
	EntriesRead     int64 // -1: unknown (null)
	Lag             int64 // -1: unknown (null)
}

// GroupInfoFull is one group in XINFO STREAM FULL.
type GroupInfoFull struct {
	GroupInfo
	PEL       []PendingFull
	Consumers []ConsumerInfoFull
}

// PendingFull is one PEL entry in XINFO STREAM FULL.
type PendingFull struct {
	ID            StreamID
	Consumer      string
	DeliveryTime  int64
	DeliveryCount uint64
}

// ConsumerInfoFull is one consumer in XINFO STREAM FULL.
type ConsumerInfoFull struct {
	Name     string
	SeenTime int64
	Pending  int // the whole PEL's size; PEL may be cut by COUNT
	PEL      []PendingFull
}

// ConsumerInfo is one consumer as XINFO CONSUMERS reports it.
type ConsumerInfo struct {
	Name    string
	Pending int
	Idle    int64
}

// XInfoStream describes the stream at key. With full, count limits the
// entries and each PEL listed (0 = all). ErrNoSuchKey when missing.
func (tx *Tx) XInfoStream(key []byte, full bool, count int) (StreamInfo, error) {
	var in StreamInfo
	_, s, err := tx.lookupStream(key)
	if err != nil {
		return in, err
	}
	if s == nil {
		return in, ErrNoSuchKey
	}
	in = StreamInfo{Length: s.length, Nodes: len(s.nodes), RaxNodes: s.raxNodes(), LastID: s.lastID, MaxDeletedID: s.maxDeletedID,
		EntriesAdded: s.entriesAdded, FirstRecorded: s.firstID, Groups: len(s.groups)}
	if !full {
		if f := s.rangeEntries(StreamID{}, maxID, 1, false); len(f) == 1 {
			in.First = &f[0]
		}
		if l := s.rangeEntries(StreamID{}, maxID, 1, true); len(l) == 1 {
			in.Last = &l[0]
		}
		return in, nil
	}
	in.Entries = s.rangeEntries(StreamID{}, maxID, count, false)
	for _, g := range s.groups {
		gf := GroupInfoFull{GroupInfo: s.groupInfo(g)}
		gf.PEL = pelFull(g.pel.Len(), count, func(yield func(*pendingEntry) bool) { g.pel.Scan(yield) })
		for _, c := range g.consumers {
			gf.Consumers = append(gf.Consumers, ConsumerInfoFull{Name: c.name, SeenTime: c.seenTime, Pending: c.pel.Len(),
				PEL: pelFull(c.pel.Len(), count, func(yield func(*pendingEntry) bool) { c.pel.Scan(yield) })})
		}
		in.GroupsFull = append(in.GroupsFull, gf)
	}
	return in, nil
}

func pelFull(n, count int, scan func(func(*pendingEntry) bool)) []PendingFull {
	out := make([]PendingFull, 0, n)
	scan(func(pe *pendingEntry) bool {
		if count > 0 && len(out) >= count {
			return false
		}
		out = append(out, PendingFull{ID: pe.id, Consumer: pe.consumer.name, DeliveryTime: pe.deliveryTime, DeliveryCount: pe.deliveryCount})
		return true
	})
	return out
}

func (s *stream) groupInfo(g *streamGroup) GroupInfo {
	return GroupInfo{Name: g.name, Consumers: len(g.consumers), Pending: g.pel.Len(),
		LastDeliveredID: g.lastID, EntriesRead: g.entriesRead, Lag: s.lag(g)}
}

// XInfoGroups lists the stream's groups. ErrNoSuchKey when missing.
func (tx *Tx) XInfoGroups(key []byte) ([]GroupInfo, error) {
	_, s, err := tx.lookupStream(key)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return nil, ErrNoSuchKey
	}
	out := make([]GroupInfo, 0, len(s.groups))
	for _, g := range s.groups {
		out = append(out, s.groupInfo(g))
	}
	return out, nil
}

// XInfoConsumers lists group's consumers. ErrNoSuchKey when the key is
// missing, ErrNoGroup when the group is.
func (tx *Tx) XInfoConsumers(key, group []byte) ([]ConsumerInfo, error) {
	_, s, err := tx.lookupStream(key)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return nil, ErrNoSuchKey
	}
	g := s.lookupGroup(group)
	if g == nil {
		return nil, ErrNoGroup
	}
	out := make([]ConsumerInfo, 0, len(g.consumers))
	for _, c := range g.consumers {
		out = append(out, ConsumerInfo{Name: c.name, Pending: c.pel.Len(), Idle: max(tx.now-c.seenTime, 0)})
	}
	return out, nil
}
