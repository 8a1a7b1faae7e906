package store

import (
	"encoding/binary"
	"errors"
	"math"
	"strconv"
)

// This file reads Redis's packed encodings found inside DUMP payloads:
// listpacks (Redis 7), ziplists (older payloads) and intsets. Each reader
// validates the whole blob before anything is built from it, since a
// payload comes from the network: every length is checked against the
// bytes present, and a malformed blob is errBadData.

// errBadData: a payload that does not decode (RESTORE's "Bad data format").
var errBadData = errors.New("store: bad data format")

// listpackElems decodes a listpack into its elements, integers rendered as
// decimal strings (the bytes they stand for).
func listpackElems(lp []byte) ([][]byte, error) {
	if len(lp) < 7 || int(binary.LittleEndian.Uint32(lp)) != len(lp) || lp[len(lp)-1] != 0xff {
		return nil, errBadData
	}
	count := int(binary.LittleEndian.Uint16(lp[4:]))
	var out [][]byte
	p := 6
	for p < len(lp)-1 {
		start := p
		b := lp[p]
		var v []byte
		var n int // bytes of encoding and data
		switch {
		case b&0x80 == 0: // 7-bit unsigned integer
			v, n = strconv.AppendInt(nil, int64(b&0x7f), 10), 1
		case b&0xc0 == 0x80: // string of up to 63 bytes
			n = 1 + int(b&0x3f)
		case b&0xe0 == 0xc0: // 13-bit signed integer
			if p+2 > len(lp) {
				return nil, errBadData
			}
			u := int64(b&0x1f)<<8 | int64(lp[p+1])
			if u >= 1<<12 {
				u -= 1 << 13
			}
			v, n = strconv.AppendInt(nil, u, 10), 2
		case b&0xf0 == 0xe0: // string of up to 4095 bytes
			if p+2 > len(lp) {
				return nil, errBadData
			}
			n = 2 + (int(b&0x0f)<<8 | int(lp[p+1]))
		case b == 0xf0: // string with a 32-bit length
			if p+5 > len(lp) {
				return nil, errBadData
			}
			l := binary.LittleEndian.Uint32(lp[p+1:])
			if uint64(l) > uint64(len(lp)) {
				return nil, errBadData
			}
			n = 5 + int(l)
		case b >= 0xf1 && b <= 0xf4: // 16, 24, 32 or 64-bit signed integer
			w := [...]int{2, 3, 4, 8}[b-0xf1]
			if p+1+w > len(lp) {
				return nil, errBadData
			}
			var u uint64
			for i := w - 1; i >= 0; i-- {
				u = u<<8 | uint64(lp[p+1+i])
			}
			sh := 64 - 8*w
			v, n = strconv.AppendInt(nil, int64(u<<sh)>>sh, 10), 1+w
		default:
			return nil, errBadData
		}
		if v == nil { // a string: its bytes follow the header
			hdr := 1
			switch {
			case b&0xc0 == 0x80:
			case b&0xf0 == 0xe0:
				hdr = 2
			default:
				hdr = 5
			}
			if p+n > len(lp)-1 {
				return nil, errBadData
			}
			v = lp[p+hdr : p+n]
		}
		p += n
		// The back length: n in 7-bit groups, most significant first when
		// read backwards, so the lowest group is the last byte.
		bl := backlenSize(n)
		if p+bl > len(lp)-1 {
			return nil, errBadData
		}
		got := 0
		for i := 0; i < bl; i++ {
			c := int(lp[p+bl-1-i])
			got |= (c & 0x7f) << (7 * i)
			if (c&0x80 != 0) != (i != bl-1) {
				return nil, errBadData
			}
		}
		if got != p-start {
			return nil, errBadData
		}
		p += bl
		out = append(out, v)
		if len(out) > len(lp) {
			return nil, errBadData
		}
	}
	if p != len(lp)-1 || (count != 0xffff && count != len(out)) {
		return nil, errBadData
	}
	return out, nil
}

// backlenSize is how many bytes a listpack back length of l takes.
func backlenSize(l int) int {
	switch {
	case l <= 127:
		return 1
	case l < 16383:
		return 2
	case l < 2097151:
		return 3
	case l < 268435455:
		return 4
	}
	return 5
}

// ziplistElems decodes a ziplist (the encoding of Redis before 7.0) into
// its elements, integers as decimal strings.
func ziplistElems(zl []byte) ([][]byte, error) {
	if len(zl) < 11 || int(binary.LittleEndian.Uint32(zl)) != len(zl) || zl[len(zl)-1] != 0xff {
		return nil, errBadData
	}
	tail := int(binary.LittleEndian.Uint32(zl[4:]))
	count := int(binary.LittleEndian.Uint16(zl[8:]))
	var out [][]byte
	p, prev, last := 10, 0, 10
	for p < len(zl)-1 {
		start := p
		// The previous entry's length: one byte, or 0xfe and four more.
		pl := int(zl[p])
		p++
		if pl == 0xfe {
			if p+4 > len(zl) {
				return nil, errBadData
			}
			pl = int(binary.LittleEndian.Uint32(zl[p:]))
			p += 4
		} else if pl == 0xff {
			return nil, errBadData
		}
		if pl != prev {
			return nil, errBadData
		}
		if p >= len(zl)-1 {
			return nil, errBadData
		}
		b := zl[p]
		var v []byte
		var slen, hdr int = -1, 1
		switch b >> 6 {
		case 0:
			slen = int(b & 0x3f)
		case 1:
			if p+2 > len(zl) {
				return nil, errBadData
			}
			slen, hdr = int(b&0x3f)<<8|int(zl[p+1]), 2
		case 2:
			if p+5 > len(zl) { // 10xxxxxx: Redis ignores the low bits
				return nil, errBadData
			}
			slen, hdr = int(binary.BigEndian.Uint32(zl[p+1:])), 5
		default:
			var w int
			switch b {
			case 0xc0:
				w = 2
			case 0xd0:
				w = 4
			case 0xe0:
				w = 8
			case 0xf0:
				w = 3
			case 0xfe:
				w = 1
			default:
				if b < 0xf1 || b > 0xfd {
					return nil, errBadData
				}
				v = strconv.AppendInt(nil, int64(b&0x0f)-1, 10)
			}
			if v == nil {
				if p+1+w > len(zl)-1 {
					return nil, errBadData
				}
				var u uint64
				for i := w - 1; i >= 0; i-- {
					u = u<<8 | uint64(zl[p+1+i])
				}
				sh := 64 - 8*w
				v = strconv.AppendInt(nil, int64(u<<sh)>>sh, 10)
			}
			p += 1 + w
		}
		if slen >= 0 {
			if slen > len(zl) || p+hdr+slen > len(zl)-1 {
				return nil, errBadData
			}
			v = zl[p+hdr : p+hdr+slen]
			p += hdr + slen
		}
		prev, last = p-start, start
		out = append(out, v)
	}
	if p != len(zl)-1 || (count != 0xffff && count != len(out)) || (len(out) > 0 && tail != last) {
		return nil, errBadData
	}
	return out, nil
}

// intsetElems decodes an intset: a 4-byte width (2, 4 or 8), a 4-byte
// count, then the integers little-endian, strictly ascending.
func intsetElems(is []byte) ([][]byte, error) {
	if len(is) < 8 {
		return nil, errBadData
	}
	w := int(binary.LittleEndian.Uint32(is))
	n := uint64(binary.LittleEndian.Uint32(is[4:]))
	if (w != 2 && w != 4 && w != 8) || 8+n*uint64(w) != uint64(len(is)) {
		return nil, errBadData
	}
	out := make([][]byte, 0, n)
	var prev int64
	for i := 0; i < int(n); i++ {
		var u uint64
		for j := w - 1; j >= 0; j-- {
			u = u<<8 | uint64(is[8+i*w+j])
		}
		sh := 64 - 8*w
		v := int64(u<<sh) >> sh
		if i > 0 && v <= prev {
			return nil, errBadData
		}
		prev = v
		out = append(out, strconv.AppendInt(nil, v, 10))
	}
	return out, nil
}

// lpWriter builds a listpack (for the stream nodes DUMP writes).
type lpWriter struct {
	b []byte
	n int
}

func newLPWriter() *lpWriter { return &lpWriter{b: make([]byte, 6, 64)} }

// entry appends one element's encoding and data, then its back length.
func (w *lpWriter) entry(start int) {
	l := len(w.b) - start
	bl := backlenSize(l)
	for i := bl - 1; i >= 0; i-- {
		c := byte(l >> (7 * i) & 0x7f)
		if i != bl-1 {
			c |= 0x80
		}
		w.b = append(w.b, c)
	}
	w.n++
}

// int appends an integer in the smallest encoding, as lpAppendInteger.
func (w *lpWriter) int(v int64) {
	start := len(w.b)
	switch {
	case v >= 0 && v <= 127:
		w.b = append(w.b, byte(v))
	case v >= -4096 && v <= 4095:
		u := uint64(v) & 0x1fff
		w.b = append(w.b, 0xc0|byte(u>>8), byte(u))
	default:
		var width int
		var tag byte
		switch {
		case v >= math.MinInt16 && v <= math.MaxInt16:
			width, tag = 2, 0xf1
		case v >= -1<<23 && v < 1<<23:
			width, tag = 3, 0xf2
		case v >= math.MinInt32 && v <= math.MaxInt32:
			width, tag = 4, 0xf3
		default:
			width, tag = 8, 0xf4
		}
		w.b = append(w.b, tag)
		for i := 0; i < width; i++ {
			w.b = append(w.b, byte(uint64(v)>>(8*i)))
		}
	}
	w.entry(start)
}

// str appends a string element (never integer-encoded: Redis reads both).
func (w *lpWriter) str(s []byte) {
	start := len(w.b)
	switch l := len(s); {
	case l < 64:
		w.b = append(w.b, 0x80|byte(l))
	case l < 4096:
		w.b = append(w.b, 0xe0|byte(l>>8), byte(l))
	default:
		w.b = binary.LittleEndian.AppendUint32(append(w.b, 0xf0), uint32(l))
	}
	w.b = append(w.b, s...)
	w.entry(start)
}

// bytes finishes the listpack: header (total bytes, element count, or
// 65535 when it does not fit) and terminator.
func (w *lpWriter) bytes() []byte {
	w.b = append(w.b, 0xff)
	binary.LittleEndian.PutUint32(w.b, uint32(len(w.b)))
	binary.LittleEndian.PutUint16(w.b[4:], uint16(min(w.n, 0xffff)))
	return w.b
}

// zipmapElems decodes a zipmap (the hash encoding of Redis before 2.6):
// a count byte, then per pair a length, the field, a length, a free-space
// byte, the value and that many unused bytes, then 0xff. A length is one
// byte below 254, else 254 and four bytes little-endian.
func zipmapElems(zm []byte) ([][]byte, error) {
	if len(zm) < 2 || zm[len(zm)-1] != 0xff {
		return nil, errBadData
	}
	p := 1
	length := func() (int, bool) {
		if p >= len(zm) {
			return 0, false
		}
		l := int(zm[p])
		p++
		if l < 254 {
			return l, true
		}
		if l == 255 || p+4 > len(zm) {
			return 0, false
		}
		l = int(binary.LittleEndian.Uint32(zm[p:]))
		p += 4
		return l, l <= len(zm)
	}
	var out [][]byte
	for p < len(zm)-1 {
		fl, ok := length()
		if !ok || p+fl > len(zm)-1 {
			return nil, errBadData
		}
		f := zm[p : p+fl]
		p += fl
		vl, ok := length()
		if !ok || p >= len(zm)-1 {
			return nil, errBadData
		}
		free := int(zm[p])
		p++
		if p+vl+free > len(zm)-1 {
			return nil, errBadData
		}
		out = append(out, f, zm[p:p+vl])
		p += vl + free
	}
	if p != len(zm)-1 || (zm[0] < 254 && int(zm[0]) != len(out)/2) {
		return nil, errBadData
	}
	return out, nil
}
