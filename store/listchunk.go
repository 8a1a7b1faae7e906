package store

import "encoding/binary"

// A list is a doubly linked run of chunks, each a buffer of packed
// elements, like Redis's quicklist of listpacks. Every element is encoded
// as
//
//	uvarint(len) bytes reversed-uvarint(len)
//
// so a chunk can be read from either end: pushes and pops at both ends of
// the list touch only the end chunk, and no operation copies more than one
// chunk. A small element costs its bytes plus two or four bytes of length.
const (
	// listChunkBytes bounds a chunk's packed bytes (Redis's default
	// list-max-listpack-size -2 is 8 KiB). A larger element gets a chunk
	// of its own.
	listChunkBytes = 8192
	// listChunkMax bounds a chunk's element count, so finding an element
	// inside a chunk stays cheap.
	listChunkMax = 512
	// listChunkOverhead estimates a chunk's struct and slice header.
	listChunkOverhead = 64
)

// listChunk holds consecutive elements packed in buf[lo:hi].
type listChunk struct {
	prev, next *listChunk
	buf        []byte
	lo, hi     int
	n          int
}

func uvarintLen(x int) int {
	n := 1
	for x >= 0x80 {
		x >>= 7
		n++
	}
	return n
}

// encodedLen is the bytes element v takes in a chunk.
func encodedLen(v []byte) int { return 2*uvarintLen(len(v)) + len(v) }

// putElem encodes v at the start of buf, which must have room.
func putElem(buf, v []byte) int {
	h := binary.PutUvarint(buf, uint64(len(v)))
	copy(buf[h:], v)
	t := h + len(v)
	for i := 0; i < h; i++ {
		buf[t+i] = buf[h-1-i]
	}
	return t + h
}

// elemAt decodes the element starting at off and returns it (capacity
// clipped, so appending to it cannot touch the buffer) and the offset of
// the next element.
func (c *listChunk) elemAt(off int) ([]byte, int) {
	l, h := binary.Uvarint(c.buf[off:c.hi])
	start := off + h
	end := start + int(l)
	return c.buf[start:end:end], end + h
}

// elemBefore decodes the element ending at end and returns it and the
// offset where it starts.
func (c *listChunk) elemBefore(end int) ([]byte, int) {
	var l uint64
	var shift uint
	i := end - 1
	for {
		b := c.buf[i]
		l |= uint64(b&0x7f) << shift
		if b < 0x80 {
			break
		}
		shift += 7
		i--
	}
	h := end - i
	vend := end - h
	vstart := vend - int(l)
	return c.buf[vstart:vend:vend], vstart - h
}

func (c *listChunk) used() int { return c.hi - c.lo }

// fits reports whether an element of need bytes may join the chunk.
func (c *listChunk) fits(need int) bool {
	return c.n == 0 || (c.used()+need <= listChunkBytes && c.n < listChunkMax)
}

func (c *listChunk) pushBack(v []byte) {
	need := encodedLen(v)
	if c.hi+need > len(c.buf) {
		c.makeRoom(need, false)
	}
	c.hi += putElem(c.buf[c.hi:], v)
	c.n++
}

func (c *listChunk) pushFront(v []byte) {
	need := encodedLen(v)
	if c.lo < need {
		c.makeRoom(need, true)
	}
	c.lo -= need
	putElem(c.buf[c.lo:], v)
	c.n++
}

// makeRoom moves the packed bytes to the far end of the buffer so need
// bytes fit at the front (or back), first growing the buffer when it is
// more than three quarters full. Moving in place is amortised: it happens
// only after a quarter of the buffer was consumed at the other end. Slices
// returned by earlier pops of this chunk may be overwritten.
func (c *listChunk) makeRoom(need int, front bool) {
	used := c.used()
	want := used + need
	size := len(c.buf)
	if want > size*3/4 {
		size = max(64, 2*want)
		if size > listChunkBytes {
			size = max(listChunkBytes, want)
		}
	}
	nb := c.buf
	if size != len(c.buf) {
		nb = make([]byte, size)
	}
	lo := 0
	if front {
		lo = size - used
	}
	copy(nb[lo:], c.buf[c.lo:c.hi])
	c.buf, c.lo, c.hi = nb, lo, lo+used
}

// nextChunk returns the chunk to push to beyond full, the end chunk that
// has no room left (nil for an empty list), sealing full. A list that
// filled a chunk at one end will likely fill the next with elements like
// its last: the new buffer gets full's size at once (up to
// listChunkBytes), rather than growing to it by copies, with its free
// room on the side pushes come from (front).
func nextChunk(full *listChunk, front bool) *listChunk {
	if full == nil {
		return &listChunk{}
	}
	full.seal()
	size := min(full.used(), listChunkBytes)
	c := &listChunk{buf: make([]byte, size)}
	if front {
		c.lo, c.hi = size, size
	}
	return c
}

// seal trims the buffer of a chunk that has just filled up and is no
// longer at an end, where it would stay with up to half its buffer
// unused. It copies at most one chunk, once per chunk filled.
func (c *listChunk) seal() {
	if used := c.used(); len(c.buf)-used > used/8 {
		nb := make([]byte, used)
		copy(nb, c.buf[c.lo:c.hi])
		c.buf, c.lo, c.hi = nb, 0, used
	}
}

func (c *listChunk) popFront() []byte {
	v, next := c.elemAt(c.lo)
	c.lo = next
	c.n--
	return v
}

func (c *listChunk) popBack() []byte {
	v, start := c.elemBefore(c.hi)
	c.hi = start
	c.n--
	return v
}

// offset returns the buffer offset of element k, walking from the nearer
// end of the chunk.
func (c *listChunk) offset(k int) int {
	if k <= c.n/2 {
		off := c.lo
		for ; k > 0; k-- {
			_, off = c.elemAt(off)
		}
		return off
	}
	off := c.hi
	for k = c.n - k; k > 0; k-- {
		_, off = c.elemBefore(off)
	}
	return off
}

// elems decodes every element of the chunk; the slices alias its buffer.
func (c *listChunk) elems() [][]byte {
	out := make([][]byte, 0, c.n)
	for off := c.lo; off < c.hi; {
		var v []byte
		v, off = c.elemAt(off)
		out = append(out, v)
	}
	return out
}

// packChunks encodes elems into new chunks of exactly the bytes they need.
func packChunks(elems [][]byte) []*listChunk {
	var out []*listChunk
	for i := 0; i < len(elems); {
		size, j := 0, i
		for j < len(elems) {
			need := encodedLen(elems[j])
			if j > i && (size+need > listChunkBytes || j-i >= listChunkMax) {
				break
			}
			size += need
			j++
		}
		c := &listChunk{buf: make([]byte, size)}
		for _, v := range elems[i:j] {
			c.hi += putElem(c.buf[c.hi:], v)
		}
		c.n = j - i
		out = append(out, c)
		i = j
	}
	return out
}
