package store

// expiryHeap is a min-heap of the entries that have a TTL. Each slot holds
// the deadline it is ordered by, so sifting reads only the heap's array,
// not the entries. A slot's deadline is the entry's expireAt, or an
// earlier one after the TTL was extended: extending a TTL (SET EX on a
// cached key, EXPIRE again) leaves the heap alone, and top re-files such
// an entry when it reaches the top. Each entry knows its slot, so adding,
// shortening and removing a TTL are O(log n), extending one is O(1), and
// the active expiry cycle takes due keys from the top in deadline order.
type expiryHeap []expirySlot

type expirySlot struct {
	at int64 // <= e.expireAt
	e  *entry
}

func (h *expiryHeap) push(e *entry) {
	e.heapIdx = int32(len(*h))
	*h = append(*h, expirySlot{e.expireAt, e})
	h.up(int(e.heapIdx))
}

func (h *expiryHeap) remove(e *entry) {
	i := int(e.heapIdx)
	last := len(*h) - 1
	if i != last {
		h.swap(i, last)
	}
	(*h)[last] = expirySlot{}
	*h = (*h)[:last]
	e.heapIdx = -1
	if i != last {
		if !h.down(i) {
			h.up(i)
		}
	}
}

// retime records that e.expireAt changed (e stays in the heap).
func (h expiryHeap) retime(e *entry) {
	i := int(e.heapIdx)
	if e.expireAt < h[i].at {
		h[i].at = e.expireAt
		h.up(i)
	}
}

// top returns the entry that expires first, or nil.
func (h expiryHeap) top() *entry {
	for len(h) > 0 {
		s := &h[0]
		if s.at == s.e.expireAt {
			return s.e
		}
		s.at = s.e.expireAt // extended since it was filed
		h.down(0)
	}
	return nil
}

// at returns the i-th entry in heap order (for sampling).
func (h expiryHeap) at(i int) *entry { return h[i].e }

func (h expiryHeap) swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].e.heapIdx = int32(i)
	h[j].e.heapIdx = int32(j)
}

func (h expiryHeap) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if h[p].at <= h[i].at {
			return
		}
		h.swap(i, p)
		i = p
	}
}

func (h expiryHeap) down(i int) bool {
	start := i
	n := len(h)
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		c := l
		if r := l + 1; r < n && h[r].at < h[l].at {
			c = r
		}
		if h[i].at <= h[c].at {
			break
		}
		h.swap(i, c)
		i = c
	}
	return i > start
}
