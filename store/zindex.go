package store

import "hash/maphash"

// nodeIndex maps a big sorted set's members to their skip-list nodes: an
// open-addressing table with linear probing that stores only node
// pointers (the member is the node's own string), 8 bytes a slot, where
// a Go map[string]*zsNode costs three times that per element. Deletion
// shifts later entries back, so there are no tombstones.
type nodeIndex struct {
	slots []*zsNode // length a power of two, at most 3/4 full
	n     int
}

var zindexSeed = maphash.MakeSeed()

func (ix *nodeIndex) home(m string) int {
	return int(maphash.String(zindexSeed, m) & uint64(len(ix.slots)-1))
}

// get returns the node of member m, or nil.
func (ix *nodeIndex) get(m string) *zsNode {
	if ix.n == 0 {
		return nil
	}
	mask := len(ix.slots) - 1
	for i := ix.home(m); ; i = (i + 1) & mask {
		nd := ix.slots[i]
		if nd == nil || nd.member == m {
			return nd
		}
	}
}

// put adds nd, whose member must be absent.
func (ix *nodeIndex) put(nd *zsNode) {
	if (ix.n+1)*4 > len(ix.slots)*3 {
		ix.resize(max(8, 2*len(ix.slots)))
	}
	mask := len(ix.slots) - 1
	i := ix.home(nd.member)
	for ix.slots[i] != nil {
		i = (i + 1) & mask
	}
	ix.slots[i] = nd
	ix.n++
}

func (ix *nodeIndex) resize(size int) {
	old := ix.slots
	ix.slots, ix.n = make([]*zsNode, size), 0
	for _, nd := range old {
		if nd != nil {
			ix.put(nd)
		}
	}
}

// del removes member m and reports whether it was there.
func (ix *nodeIndex) del(m string) bool {
	if ix.n == 0 {
		return false
	}
	mask := len(ix.slots) - 1
	i := ix.home(m)
	for {
		nd := ix.slots[i]
		if nd == nil {
			return false
		}
		if nd.member == m {
			break
		}
		i = (i + 1) & mask
	}
	// Backward-shift: move each later entry of the probe run into the
	// hole unless its home lies cyclically in (hole, its position].
	for j := (i + 1) & mask; ix.slots[j] != nil; j = (j + 1) & mask {
		k := ix.home(ix.slots[j].member)
		if (j > i && (k <= i || k > j)) || (j < i && k <= i && k > j) {
			ix.slots[i] = ix.slots[j]
			i = j
		}
	}
	ix.slots[i] = nil
	ix.n--
	return true
}
