package store

// expiryHeap is a min-heap of the entries that have a TTL, ordered by
// expireAt. Each entry knows its index, so setting, changing and removing a
// TTL are O(log n), and the active expiry cycle takes due keys from the top
// in deadline order, the moment they are due.
type expiryHeap []*entry

func (h *expiryHeap) push(e *entry) {
	e.heapIdx = int32(len(*h))
	*h = append(*h, e)
	h.up(int(e.heapIdx))
}

func (h *expiryHeap) remove(e *entry) {
	i := int(e.heapIdx)
	last := len(*h) - 1
	if i != last {
		h.swap(i, last)
	}
	(*h)[last] = nil
	*h = (*h)[:last]
	e.heapIdx = -1
	if i != last {
		if !h.down(i) {
			h.up(i)
		}
	}
}

// fix restores the order after e.expireAt changed.
func (h *expiryHeap) fix(e *entry) {
	i := int(e.heapIdx)
	if !h.down(i) {
		h.up(i)
	}
}

func (h expiryHeap) top() *entry {
	if len(h) == 0 {
		return nil
	}
	return h[0]
}

func (h expiryHeap) swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].heapIdx = int32(i)
	h[j].heapIdx = int32(j)
}

func (h expiryHeap) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if h[p].expireAt <= h[i].expireAt {
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
		if r := l + 1; r < n && h[r].expireAt < h[l].expireAt {
			c = r
		}
		if h[i].expireAt <= h[c].expireAt {
			break
		}
		h.swap(i, c)
		i = c
	}
	return i > start
}
