package store

// PendingSummary is XPENDING's summary form.
type PendingSummary struct {
	Count       int
	First, Last StreamID
	// Consumers lists the consumers with pending entries, by name.
	Consumers []ConsumerPending
}

// ConsumerPending is one consumer's pending count.
type ConsumerPending struct {
	Name  string
	Count int
}

// XPendingSummary returns the group's PEL summary.
func (tx *Tx) XPendingSummary(key, group []byte) (PendingSummary, error) {
	var sum PendingSummary
	_, _, g, err := tx.lookupGroup(key, group)
	if err != nil {
		return sum, err
	}
	sum.Count = g.pel.Len()
	if sum.Count == 0 {
		return sum, nil
	}
	first, _ := g.pel.Min()
	last, _ := g.pel.Max()
	sum.First, sum.Last = first.id, last.id
	for _, c := range g.consumers {
		if n := c.pel.Len(); n > 0 {
			sum.Consumers = append(sum.Consumers, ConsumerPending{Name: c.name, Count: n})
		}
	}
	return sum, nil
}

// PendingInfo is one entry of XPENDING's extended form.
type PendingInfo struct {
	ID            StreamID
	Consumer      string
	Idle          int64 // ms since the last delivery
	DeliveryCount uint64
}

// XPendingArgs select XPENDING's extended form.
type XPendingArgs struct {
	Start, End StreamID
	Count      int
	MinIdle    int64
	Consumer   []byte // nil: every consumer
}

// XPendingRange lists pending entries in [Start, End], at most Count.
func (tx *Tx) XPendingRange(key, group []byte, a XPendingArgs) ([]PendingInfo, error) {
	_, _, g, err := tx.lookupGroup(key, group)
	if err != nil {
		return nil, err
	}
	out := []PendingInfo{}
	pel := g.pel
	if a.Consumer != nil {
		c := g.lookupConsumer(a.Consumer)
		if c == nil {
			return out, nil
		}
		pel = c.pel
	}
	if a.Count <= 0 {
		return out, nil
	}
	pel.Ascend(&pendingEntry{id: a.Start}, func(pe *pendingEntry) bool {
		if a.End.Less(pe.id) {
			return false
		}
		idle := tx.now - pe.deliveryTime
		if a.MinIdle > 0 && idle < a.MinIdle {
			return true
		}
		out = append(out, PendingInfo{ID: pe.id, Consumer: pe.consumer.name, Idle: max(idle, 0), DeliveryCount: pe.deliveryCount})
		return len(out) < a.Count
	})
	return out, nil
}

// XClaimArgs are XCLAIM's options.
type XClaimArgs struct {
	MinIdle int64
	IDs     []StreamID
	// DeliveryTime is the new delivery time (unix ms); -1 = now.
	DeliveryTime int64
	RetryCount   int64 // -1 = not given
	Force        bool
	JustID       bool
	LastID       StreamID
}

// XClaim moves pending entries to consumer, as Redis's XCLAIM: entries
// gone from the stream leave the PEL; with Force, entries of the stream
// not yet pending are added. It returns the claimed entries.
func (tx *Tx) XClaim(key, group, consumer []byte, a XClaimArgs) ([]StreamEntry, error) {
	e, s, g, err := tx.lookupGroup(key, group)
	if err != nil {
		return nil, err
	}
	r := tx.streamRec(e)
	if g.lastID.Less(a.LastID) {
		g.lastID = a.LastID
		r.group(g)
	}
	when := a.DeliveryTime
	if when < 0 || when > tx.now {
		when = tx.now
	}
	var c *streamConsumer
	out := []StreamEntry{}
	for _, id := range a.IDs {
		pe, pending := g.pending(id)
		se, _, exists := s.find(id)
		if !exists {
			if pending {
				g.ack(id, r)
			}
			continue
		}
		if a.Force && !pending {
			pe = &pendingEntry{id: id, deliveryTime: tx.now, deliveryCount: 1}
			g.pel.Set(pe)
			pending = true
		}
		if !pending {
			continue
		}
		if pe.consumer != nil && a.MinIdle > 0 && tx.now-pe.deliveryTime < a.MinIdle {
			continue
		}
		if c == nil {
			c = tx.streamConsumer(key, g, consumer, r)
		}
		g.assign(pe, c)
		pe.deliveryTime = when
		if a.RetryCount >= 0 {
			pe.deliveryCount = uint64(a.RetryCount)
		} else if !a.JustID {
			pe.deliveryCount++
		}
		r.pending(g, pe)
		out = append(out, StreamEntry{ID: id, Fields: se.unpack()})
	}
	return out, nil
}

// AutoClaimResult is XAUTOCLAIM's reply: the cursor to continue from
// (0-0 when the scan is complete), the claimed entries, and the IDs that
// were pending but no longer exist in the stream (removed from the PEL).
type AutoClaimResult struct {
	Next    StreamID
	Claimed []StreamEntry
	Deleted []StreamID
}

// XAutoClaim claims up to count entries pending for at least minIdle ms,
// scanning the PEL from start and looking at no more than 10*count
// entries, as Redis does.
func (tx *Tx) XAutoClaim(key, group, consumer []byte, minIdle int64, start StreamID, count int, justID bool) (AutoClaimResult, error) {
	res := AutoClaimResult{Claimed: []StreamEntry{}, Deleted: []StreamID{}}
	e, s, g, err := tx.lookupGroup(key, group)
	if err != nil {
		return res, err
	}
	r := tx.streamRec(e)
	attempts := count * 10
	var visit []*pendingEntry
	g.pel.Ascend(&pendingEntry{id: start}, func(pe *pendingEntry) bool {
		if attempts == 0 || count == 0 {
			res.Next = pe.id
			return false
		}
		attempts--
		visit = append(visit, pe)
		// A claimed entry counts, and so does a deleted one (reported
		// in the third reply element), as in Redis's xautoclaimCommand:
		// COUNT bounds the reply's size.
		if !s.exists(pe.id) || minIdle == 0 || tx.now-pe.deliveryTime >= minIdle {
			count--
		}
		return true
	})
	var c *streamConsumer
	for _, pe := range visit {
		se, _, exists := s.find(pe.id)
		if !exists {
			g.ack(pe.id, r)
			res.Deleted = append(res.Deleted, pe.id)
			continue
		}
		if minIdle > 0 && tx.now-pe.deliveryTime < minIdle {
			continue
		}
		if c == nil {
			c = tx.streamConsumer(key, g, consumer, r)
		}
		g.assign(pe, c)
		pe.deliveryTime = tx.now
		if !justID {
			pe.deliveryCount++
		}
		r.pending(g, pe)
		res.Claimed = append(res.Claimed, StreamEntry{ID: pe.id, Fields: se.unpack()})
	}
	return res, nil
}
