package store

import "encoding/binary"

// raxNodes is the number of nodes Redis's radix tree would have holding
// one 16-byte big-endian key (the node's first ID) per stream node, for
// XINFO STREAM's radix-tree-nodes. In a rax, a node with one child is a
// compressed node holding the whole edge, a node with several children
// branches on one byte, and each key ends in a leaf node.
func (s *stream) raxNodes() int {
	if len(s.nodes) == 0 {
		return 1
	}
	keys := make([][16]byte, len(s.nodes))
	for i, nd := range s.nodes {
		binary.BigEndian.PutUint64(keys[i][:8], nd.entries[0].id.Ms)
		binary.BigEndian.PutUint64(keys[i][8:], nd.entries[0].id.Seq)
	}
	if lcp := commonPrefix(keys, 0); lcp > 0 {
		// The root compresses the shared prefix into one edge.
		return 1 + 1 + raxBelow(keys, lcp)
	}
	return 1 + raxBelow(keys, 0)
}

// raxBelow counts the nodes under a node at depth d holding keys (sorted,
// distinct, sharing their first d bytes): a leaf, or a branch on byte d
// whose children each cost one node, plus one compressed node when their
// edge is longer than the branching byte.
func raxBelow(keys [][16]byte, d int) int {
	if d == 16 {
		return 0
	}
	n := 0
	for i := 0; i < len(keys); {
		j := i + 1
		for j < len(keys) && keys[j][d] == keys[i][d] {
			j++
		}
		group := keys[i:j]
		edge := 1 + commonPrefix(group, d+1)
		if edge == 1 {
			n++
		} else {
			n += 2
		}
		n += raxBelow(group, d+edge)
		i = j
	}
	return n
}

// commonPrefix is the length of the prefix keys share from byte d on.
func commonPrefix(keys [][16]byte, d int) int {
	if len(keys) == 1 {
		return 16 - d
	}
	first, last := keys[0], keys[len(keys)-1] // sorted: the extremes bound it
	n := 0
	for d+n < 16 && first[d+n] == last[d+n] {
		n++
	}
	return n
}
