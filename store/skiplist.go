package store

import "math/rand/v2"

// skiplist is Redis's sorted-set skip list: nodes ordered by (score,
// member), each level's forward link carrying its span (how many nodes it
// skips), so rank and by-rank lookups are O(log n) like insert and delete.
// See William Pugh's paper and Redis's t_zset.c, whose algorithms these
// are.
type skiplist struct {
	head   *zsNode
	tail   *zsNode
	length int
	level  int
}

type zsNode struct {
	member   string
	score    float64
	pos      int32 // position in the zset's dense array
	backward *zsNode
	level    []zsLevel
}

type zsLevel struct {
	forward *zsNode
	span    int
}

const zslMaxLevel = 32

func newSkiplist() *skiplist {
	return &skiplist{head: &zsNode{level: make([]zsLevel, zslMaxLevel)}, level: 1}
}

// newNode allocates a node with lvl levels. For the usual heights (all but
// one node in 256) the levels share the node's allocation: a walk along
// level 0 then touches one block of memory per node, not two — each a
// cache miss in a large set.
func newNode(member string, score float64, lvl int) *zsNode {
	var x *zsNode
	switch lvl {
	case 1:
		n := &struct {
			zsNode
			lv [1]zsLevel
		}{}
		x = &n.zsNode
		x.level = n.lv[:]
	case 2:
		n := &struct {
			zsNode
			lv [2]zsLevel
		}{}
		x = &n.zsNode
		x.level = n.lv[:]
	case 3:
		n := &struct {
			zsNode
			lv [3]zsLevel
		}{}
		x = &n.zsNode
		x.level = n.lv[:]
	case 4:
		n := &struct {
			zsNode
			lv [4]zsLevel
		}{}
		x = &n.zsNode
		x.level = n.lv[:]
	default:
		x = &zsNode{level: make([]zsLevel, lvl)}
	}
	x.member, x.score = member, score
	return x
}

// randomLevel returns a level with P(level > k) = 1/4^k, as Redis.
func randomLevel() int {
	l := 1
	for l < zslMaxLevel && rand.Uint32()&0xffff < 0xffff/4 {
		l++
	}
	return l
}

// zless orders elements by score, then member bytes.
func zless(s1 float64, m1 string, s2 float64, m2 string) bool {
	return s1 < s2 || (s1 == s2 && m1 < m2)
}

// insert adds a node for (score, member), which must not be present.
func (zl *skiplist) insert(score float64, member string) *zsNode {
	var update [zslMaxLevel]*zsNode
	var rank [zslMaxLevel]int
	x := zl.head
	for i := zl.level - 1; i >= 0; i-- {
		if i < zl.level-1 {
			rank[i] = rank[i+1]
		}
		for f := x.level[i].forward; f != nil && zless(f.score, f.member, score, member); f = x.level[i].forward {
			rank[i] += x.level[i].span
			x = f
		}
		update[i] = x
	}
	lvl := randomLevel()
	if lvl > zl.level {
		for i := zl.level; i < lvl; i++ {
			rank[i] = 0
			update[i] = zl.head
			update[i].level[i].span = zl.length
		}
		zl.level = lvl
	}
	x = newNode(member, score, lvl)
	for i := 0; i < lvl; i++ {
		x.level[i].forward = update[i].level[i].forward
		update[i].level[i].forward = x
		x.level[i].span = update[i].level[i].span - (rank[0] - rank[i])
		update[i].level[i].span = rank[0] - rank[i] + 1
	}
	for i := lvl; i < zl.level; i++ {
		update[i].level[i].span++
	}
	if update[0] != zl.head {
		x.backward = update[0]
	}
	if f := x.level[0].forward; f != nil {
		f.backward = x
	} else {
		zl.tail = x
	}
	zl.length++
	return x
}

// delete removes the node for (score, member) and reports whether it was there.
func (zl *skiplist) delete(score float64, member string) bool {
	var update [zslMaxLevel]*zsNode
	x := zl.head
	for i := zl.level - 1; i >= 0; i-- {
		for f := x.level[i].forward; f != nil && zless(f.score, f.member, score, member); f = x.level[i].forward {
			x = f
		}
		update[i] = x
	}
	x = x.level[0].forward
	if x == nil || x.score != score || x.member != member {
		return false
	}
	for i := 0; i < zl.level; i++ {
		if update[i].level[i].forward == x {
			update[i].level[i].span += x.level[i].span - 1
			update[i].level[i].forward = x.level[i].forward
		} else {
			update[i].level[i].span--
		}
	}
	if f := x.level[0].forward; f != nil {
		f.backward = x.backward
	} else {
		zl.tail = x.backward
	}
	for zl.level > 1 && zl.head.level[zl.level-1].forward == nil {
		zl.level--
	}
	zl.length--
	return true
}

// countWhile returns how many leading nodes satisfy pred, which must hold
// for a prefix of the order (e.g. "score < min"). It is the rank search
// every range command is built on.
func (zl *skiplist) countWhile(pred func(score float64, member string) bool) int {
	x, rank := zl.head, 0
	for i := zl.level - 1; i >= 0; i-- {
		for f := x.level[i].forward; f != nil && pred(f.score, f.member); f = x.level[i].forward {
			rank += x.level[i].span
			x = f
		}
	}
	return rank
}

// byRank returns the node at 0-based rank r, or nil.
func (zl *skiplist) byRank(r int) *zsNode {
	target := r + 1
	x, traversed := zl.head, 0
	for i := zl.level - 1; i >= 0; i-- {
		for x.level[i].forward != nil && traversed+x.level[i].span <= target {
			traversed += x.level[i].span
			x = x.level[i].forward
		}
		if traversed == target {
			return x
		}
	}
	return nil
}
