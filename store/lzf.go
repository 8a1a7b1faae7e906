package store

import (
	"errors"
	"sync"
)

// errLZF: an LZF stream that is corrupt or does not decompress to the
// announced length.
var errLZF = errors.New("store: corrupt LZF data")

// lzfDecompress expands the LZF stream in (Redis's lzf_d.c format) into
// exactly n bytes. The caller has bounded n, so a lying length cannot
// make it allocate more than the payload allows.
func lzfDecompress(in []byte, n int) ([]byte, error) {
	out := make([]byte, 0, n)
	for ip := 0; ip < len(in); {
		ctrl := int(in[ip])
		ip++
		if ctrl < 32 { // a literal run of ctrl+1 bytes
			ctrl++
			if ip+ctrl > len(in) || len(out)+ctrl > n {
				return nil, errLZF
			}
			out = append(out, in[ip:ip+ctrl]...)
			ip += ctrl
			continue
		}
		// A back reference: length (ctrl>>5)+2, extended by one byte when 7.
		l := ctrl >> 5
		if l == 7 {
			if ip >= len(in) {
				return nil, errLZF
			}
			l += int(in[ip])
			ip++
		}
		if ip >= len(in) {
			return nil, errLZF
		}
		ref := len(out) - (ctrl&0x1f)<<8 - int(in[ip]) - 1
		ip++
		l += 2
		if ref < 0 || len(out)+l > n {
			return nil, errLZF
		}
		for i := 0; i < l; i++ { // byte by byte: the copy may overlap itself
			out = append(out, out[ref+i])
		}
	}
	if len(out) != n {
		return nil, errLZF
	}
	return out, nil
}

// lzfScratch is lzfCompress's working memory, reused across the
// strings of one DUMP: clearing and allocating it per short hash field
// would cost more than compressing it.
type lzfScratch struct {
	htab [1 << 14]int32
	out  []byte
	raw  bool // rdbcompression no: strings go as they are
}

// lzfScratchPool keeps working memory between DUMPs: a fresh 64 KiB table
// per value would be zeroed for every key of an RDB snapshot.
var lzfScratchPool = sync.Pool{New: func() any { return new(lzfScratch) }}

// lzfCompress compresses in as Redis's lzf_c.c format (a greedy matcher
// with a 3-byte hash, not byte-identical to Redis's). It returns nil when
// the result would not be shorter than max bytes, as Redis gives up then.
// The result lives in z until the next call.
func lzfCompress(in []byte, max int, z *lzfScratch) []byte {
	const (
		maxBits = 14
		maxOff  = 1 << 13
		maxRef  = (1 << 8) + (1 << 3) // longest back reference: 264
		maxLit  = 1 << 5
	)
	if len(in) < 4 || max <= 0 {
		return nil
	}
	// A table about the input's size, so a short string clears little.
	hashBits := uint(8)
	for hashBits < maxBits && 1<<hashBits < len(in) {
		hashBits++
	}
	htab := z.htab[:1<<hashBits]
	clear(htab)
	out := z.out[:0]
	defer func() { z.out = out[:0] }()
	lit := 0 // literal bytes pending before ip
	flush := func(end int) bool {
		for lit > 0 {
			k := min(lit, maxLit)
			if len(out)+1+k > max {
				return false
			}
			out = append(out, byte(k-1))
			out = append(out, in[end-lit:end-lit+k]...)
			lit -= k
		}
		return true
	}
	ip := 0
	for ip+2 < len(in) {
		h := (uint32(in[ip])<<16 | uint32(in[ip+1])<<8 | uint32(in[ip+2])) * 2654435761 >> (32 - hashBits)
		ref := int(htab[h]) - 1
		htab[h] = int32(ip + 1)
		off := ip - ref - 1
		if ref >= 0 && off < maxOff && in[ref] == in[ip] && in[ref+1] == in[ip+1] && in[ref+2] == in[ip+2] {
			l := 3
			for ip+l < len(in) && l < maxRef && in[ref+l] == in[ip+l] {
				l++
			}
			if !flush(ip) {
				return nil
			}
			l -= 2
			if l < 7 {
				out = append(out, byte(off>>8|l<<5))
			} else {
				out = append(out, byte(off>>8|7<<5), byte(l-7))
			}
			out = append(out, byte(off))
			if len(out) > max {
				return nil
			}
			ip += l + 2
			continue
		}
		lit++
		ip++
	}
	lit += len(in) - ip
	if !flush(len(in)) || len(out) >= max {
		return nil
	}
	return out
}
