package server

import (
	"encoding/binary"
	"errors"
	"hash/crc64"
	"strconv"
)

// FUNCTION DUMP's payload, in Redis 7.0's format so payloads move between
// Cairn and Redis both ways: for each library, the opcode
// RDB_OPCODE_FUNCTION2 and its code as an RDB string; then the RDB version
// (2 bytes, little-endian) and the CRC64 (Jones, as Redis's crc64.c) of
// everything before, little-endian. Cairn writes plain strings; it reads
// every RDB string encoding, LZF-compressed ones included (what Redis
// writes for code longer than 20 bytes).

const (
	rdbOpFunction2     = 245
	rdbOpFunctionPreGA = 246
	rdbVersion         = 10 // Redis 7.0's
)

// crcJones is Redis's CRC-64/Jones table (reflected polynomial). Go's
// crc64 inverts the value before and after, which Redis's does not;
// redisCRC64 undoes that.
var crcJones = crc64.MakeTable(0x95ac9329ac4bc9b5)

func redisCRC64(b []byte) uint64 { return ^crc64.Update(^uint64(0), crcJones, b) }

// dumpLibraries builds the payload of libs' code.
func dumpLibraries(codes []string) []byte {
	var b []byte
	for _, code := range codes {
		b = append(b, rdbOpFunction2)
		b = appendRDBLen(b, uint64(len(code)))
		b = append(b, code...)
	}
	b = binary.LittleEndian.AppendUint16(b, rdbVersion)
	return binary.LittleEndian.AppendUint64(b, redisCRC64(b))
}

// appendRDBLen appends an RDB length.
func appendRDBLen(b []byte, n uint64) []byte {
	switch {
	case n < 1<<6:
		return append(b, byte(n))
	case n < 1<<14:
		return append(b, 0x40|byte(n>>8), byte(n))
	case n <= 0xffffffff:
		return binary.BigEndian.AppendUint32(append(b, 0x80), uint32(n))
	}
	return binary.BigEndian.AppendUint64(append(b, 0x81), n)
}

// Errors reading a payload, with Redis's texts.
var (
	errPayloadBad   = errors.New("DUMP payload version or checksum are wrong")
	errPayloadType  = errors.New("given type is not a function")
	errPayloadPreGA = errors.New("Pre-GA function format not supported")
	errPayloadRead  = errors.New("failed loading the given functions payload")
)

// parseLibraryDump returns the library codes of a payload.
func parseLibraryDump(p []byte) ([]string, error) {
	if len(p) < 10 {
		return nil, errPayloadBad
	}
	n := len(p)
	if binary.LittleEndian.Uint16(p[n-10:]) > rdbVersion || binary.LittleEndian.Uint64(p[n-8:]) != redisCRC64(p[:n-8]) {
		return nil, errPayloadBad
	}
	r := rdbReader{b: p[:n-10]}
	var codes []string
	for len(r.b) > 0 {
		switch op := r.b[0]; op {
		case rdbOpFunction2:
		case rdbOpFunctionPreGA:
			return nil, errPayloadPreGA
		default:
			return nil, errPayloadType
		}
		r.b = r.b[1:]
		code, ok := r.string()
		if !ok {
			return nil, errPayloadRead
		}
		codes = append(codes, code)
	}
	return codes, nil
}

// rdbReader reads RDB-encoded values from b.
type rdbReader struct{ b []byte }

// length reads an RDB length; special reports an encoded-string marker
// (11xxxxxx), whose 6 low bits are then returned.
func (r *rdbReader) length() (n uint64, special, ok bool) {
	if len(r.b) == 0 {
		return 0, false, false
	}
	c := r.b[0]
	switch c >> 6 {
	case 0:
		r.b = r.b[1:]
		return uint64(c & 0x3f), false, true
	case 1:
		if len(r.b) < 2 {
			return 0, false, false
		}
		n = uint64(c&0x3f)<<8 | uint64(r.b[1])
		r.b = r.b[2:]
		return n, false, true
	case 3:
		r.b = r.b[1:]
		return uint64(c & 0x3f), true, true
	}
	switch {
	case c == 0x80 && len(r.b) >= 5:
		n = uint64(binary.BigEndian.Uint32(r.b[1:5]))
		r.b = r.b[5:]
		return n, false, true
	case c == 0x81 && len(r.b) >= 9:
		n = binary.BigEndian.Uint64(r.b[1:9])
		r.b = r.b[9:]
		return n, false, true
	}
	return 0, false, false
}

// string reads an RDB string in any encoding: raw, integer, or LZF.
func (r *rdbReader) string() (string, bool) {
	n, special, ok := r.length()
	if !ok {
		return "", false
	}
	if !special {
		if uint64(len(r.b)) < n {
			return "", false
		}
		s := string(r.b[:n])
		r.b = r.b[n:]
		return s, true
	}
	switch n {
	case 0, 1, 2: // int8, int16, int32, little-endian
		size := 1 << n
		if len(r.b) < size {
			return "", false
		}
		var v int64
		switch size {
		case 1:
			v = int64(int8(r.b[0]))
		case 2:
			v = int64(int16(binary.LittleEndian.Uint16(r.b)))
		default:
			v = int64(int32(binary.LittleEndian.Uint32(r.b)))
		}
		r.b = r.b[size:]
		return strconv.FormatInt(v, 10), true
	case 3:
		clen, _, ok1 := r.length()
		ulen, _, ok2 := r.length()
		if !ok1 || !ok2 || uint64(len(r.b)) < clen || ulen > 1<<32 {
			return "", false
		}
		out, ok := lzfDecompress(r.b[:clen], int(ulen))
		r.b = r.b[clen:]
		return string(out), ok
	}
	return "", false
}

// lzfDecompress expands LZF data (liblzf's format, which Redis uses) into
// exactly n bytes.
func lzfDecompress(in []byte, n int) ([]byte, bool) {
	out := make([]byte, 0, n)
	for i := 0; i < len(in); {
		ctrl := int(in[i])
		i++
		if ctrl < 32 { // a literal run of ctrl+1 bytes
			ctrl++
			if i+ctrl > len(in) || len(out)+ctrl > n {
				return nil, false
			}
			out = append(out, in[i:i+ctrl]...)
			i += ctrl
			continue
		}
		length := ctrl >> 5 // a back reference
		if length == 7 {
			if i >= len(in) {
				return nil, false
			}
			length += int(in[i])
			i++
		}
		if i >= len(in) {
			return nil, false
		}
		ref := len(out) - (ctrl&0x1f)<<8 - int(in[i]) - 1
		i++
		length += 2
		if ref < 0 || len(out)+length > n {
			return nil, false
		}
		for k := 0; k < length; k++ { // may overlap what it appends
			out = append(out, out[ref+k])
		}
	}
	return out, len(out) == n
}
