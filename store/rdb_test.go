package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestCRC64MatchesRedis(t *testing.T) {
	// The check value of Redis's crc64.c test.
	if got := crc64(0, []byte("123456789")); got != 0xe9c6d914c4b8d9ca {
		t.Fatalf("crc64 = %x", got)
	}
}

func TestLZFRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	for i := 0; i < 200; i++ {
		n := r.IntN(5000) + 21
		in := make([]byte, n)
		alphabet := 1 + r.IntN(255)
		for j := range in {
			if j > 10 && r.IntN(3) == 0 {
				in[j] = in[j-1-r.IntN(10)]
			} else {
				in[j] = byte(r.IntN(alphabet))
			}
		}
		c := lzfCompress(in, n-4, new(lzfScratch))
		if c == nil {
			if alphabet < 4 {
				t.Fatalf("%d bytes of %d symbols did not compress", n, alphabet)
			}
			continue
		}
		out, err := lzfDecompress(c, n)
		if err != nil || !bytes.Equal(out, in) {
			t.Fatalf("round trip of %d bytes: %v", n, err)
		}
		if _, err := lzfDecompress(c, n+1); err == nil {
			t.Fatal("a longer announced length was accepted")
		}
		if _, err := lzfDecompress(c[:len(c)-1], n); err == nil {
			t.Fatal("a truncated stream was accepted")
		}
	}
}

// payload wraps an object in a version-10 footer with a valid checksum.
func payload(obj []byte) []byte {
	b := binary.LittleEndian.AppendUint16(append([]byte{}, obj...), rdbVersion)
	return binary.LittleEndian.AppendUint64(b, crc64(0, b))
}

func lpOf(elems ...any) []byte {
	w := newLPWriter()
	for _, e := range elems {
		switch v := e.(type) {
		case int:
			w.int(int64(v))
		case string:
			w.str([]byte(v))
		}
	}
	return w.bytes()
}

func strObj(t byte, blob []byte) []byte { return appendRDBString([]byte{t}, blob) }

// streamObj is a one-node stream of entry 1-1 {f: v} with the given tail:
// everything after the listpacks (length, IDs, groups).
func streamObj(tail ...uint64) []byte {
	b := []byte{rdbTypeStreamListpack2, 1}
	b = appendRDBString(b, appendID(nil, StreamID{Ms: 1, Seq: 1}))
	b = appendRDBString(b, lpOf(1, 0, 1, "f", 0, streamItemSameFields, 0, 0, "v", 4))
	for _, v := range tail {
		b = appendRDBLen(b, v)
	}
	return b
}

// TestRestoreRejectsCorrupt: payloads with a valid checksum whose
// contents are malformed are refused with ErrBadDump, including those
// Redis's default shallow check lets in.
func TestRestoreRejectsCorrupt(t *testing.T) {
	lp := lpOf("a", "b")
	badBacklen := bytes.Clone(lp)
	badBacklen[len(badBacklen)-2]++
	badCount := bytes.Clone(lp)
	badCount[4] = 3
	intset := func(w, n uint32, vals ...int16) []byte {
		b := binary.LittleEndian.AppendUint32(nil, w)
		b = binary.LittleEndian.AppendUint32(b, n)
		for _, v := range vals {
			b = binary.LittleEndian.AppendUint16(b, uint16(v))
		}
		return b
	}
	zl := []byte{13, 0, 0, 0, 10, 0, 0, 0, 1, 0, 0, 0xf1, 0xff} // one entry: 0
	zlBadPrev := bytes.Clone(zl)
	zlBadPrev[10] = 3
	group := func(pel, consumerPEL int) []byte {
		b := streamObj(1, 1, 1, 1, 1, 0, 0, 1, 1)
		b = appendRDBString(b, []byte("g"))
		b = append(b, 1, 1, 1) // last ID 1-1, entries read 1
		b = appendRDBLen(b, uint64(pel))
		for range pel {
			b = appendID(b, StreamID{Ms: 1, Seq: 1})
			b = binary.LittleEndian.AppendUint64(b, 5)
			b = append(b, 1)
		}
		b = append(b, 1)
		b = appendRDBString(b, []byte("c"))
		b = binary.LittleEndian.AppendUint64(b, 5)
		b = appendRDBLen(b, uint64(consumerPEL))
		for range consumerPEL {
			b = appendID(b, StreamID{Ms: 1, Seq: 1})
		}
		return b
	}
	if err := restoreOne(payload(group(1, 1))); err != nil {
		t.Fatalf("valid stream with a group: %v", err)
	}
	for name, obj := range map[string][]byte{
		"empty list":            {rdbTypeList, 0},
		"empty hash listpack":   strObj(rdbTypeHashListpack, lpOf()),
		"duplicate set member":  append([]byte{rdbTypeSet, 2}, 1, 'x', 1, 'x'),
		"duplicate hash field":  append([]byte{rdbTypeHash, 2}, 1, 'f', 1, 'v', 1, 'f', 1, 'w'),
		"duplicate zset member": strObj(rdbTypeZSetListpack, lpOf("m", 1, "m", 2)),
		"NaN score":             strObj(rdbTypeZSetListpack, lpOf("m", "nan")),
		"non-numeric score":     strObj(rdbTypeZSetListpack, lpOf("m", "x")),
		"odd hash listpack":     strObj(rdbTypeHashListpack, lpOf("f", "v", "g")),
		"listpack backlen":      strObj(rdbTypeHashListpack, badBacklen),
		"listpack count":        strObj(rdbTypeHashListpack, badCount),
		"listpack truncated":    strObj(rdbTypeHashListpack, lp[:len(lp)-1]),
		"intset unsorted":       strObj(rdbTypeSetIntset, intset(2, 2, 7, -5)),
		"intset duplicate":      strObj(rdbTypeSetIntset, intset(2, 2, 7, 7)),
		"intset width":          strObj(rdbTypeSetIntset, intset(3, 1, 7)),
		"intset count":          strObj(rdbTypeSetIntset, intset(2, 3, 7)),
		"ziplist prevlen":       strObj(rdbTypeListZiplist, zlBadPrev),
		"quicklist container":   append([]byte{rdbTypeListQuicklist2, 1, 3}, appendRDBString(nil, lp)...),
		"huge count":            {rdbTypeList, 0x81, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
		"huge string":           {rdbTypeString, 0x80, 0x7f, 0xff, 0xff, 0xff},
		"LZF length lie":        {rdbTypeString, 0xc3, 2, 0x81, 0, 0, 0, 1, 0, 0, 0, 0, 0, 'a'},
		"unknown type":          {8, 0},
		"module type":           {7, 0},
		"stream length":         streamObj(2, 1, 1, 1, 1, 0, 0, 1, 0),
		"stream last ID":        streamObj(1, 1, 0, 1, 1, 0, 0, 1, 0),
		"PEL without consumer":  group(1, 0),
		"consumer PEL unknown":  group(0, 1),
	} {
		if err := restoreOne(payload(obj)); !errors.Is(err, ErrBadDump) {
			t.Errorf("%s: got %v, want ErrBadDump", name, err)
		}
	}
	p := payload(append([]byte{rdbTypeString}, 1, 'x'))
	for name, bad := range map[string][]byte{
		"checksum": append(bytes.Clone(p[:len(p)-1]), p[len(p)-1]^1),
		"version":  payload(nil)[:0],
		"short":    p[:9],
	} {
		if name == "version" {
			b := append([]byte{rdbTypeString, 1, 'x'}, rdbVersion+1, 0)
			bad = binary.LittleEndian.AppendUint64(b, crc64(0, b))
		}
		if err := restoreOne(bad); err != ErrDumpPayload {
			t.Errorf("%s: got %v, want ErrDumpPayload", name, err)
		}
	}
}

// restoreOne restores p into a fresh memory store.
func restoreOne(p []byte) error {
	s, err := Open(Options{Clock: NewManualClock(time.UnixMilli(1_700_000_000_000))})
	if err != nil {
		return err
	}
	return s.Update(0, func(tx *Tx) error {
		return tx.Restore([]byte("k"), p, RestoreOptions{Idle: -1, Freq: -1})
	})
}

// TestRestoreNewerEncodings covers the listpack set of Redis 7.2 and
// the integer encodings of listpacks, which Redis 7.0's DUMP never writes
// for every width.
func TestRestoreNewerEncodings(t *testing.T) {
	ints := []int64{0, 127, 128, -1, -4096, 4095, 4096, math.MinInt16, math.MaxInt16, 1 << 23, -1 << 23,
		math.MaxInt32, math.MinInt32, math.MaxInt64, math.MinInt64}
	w := newLPWriter()
	var want []string
	for _, v := range ints {
		w.int(v)
		want = append(want, strconv.FormatInt(v, 10))
	}
	w.str(bytes.Repeat([]byte("s"), 5000))
	elems, err := listpackElems(w.bytes())
	if err != nil || len(elems) != len(ints)+1 {
		t.Fatalf("listpack: %v, %d elements", err, len(elems))
	}
	for i, s := range want {
		if string(elems[i]) != s {
			t.Fatalf("element %d = %s, want %s", i, elems[i], s)
		}
	}
	if len(elems[len(ints)]) != 5000 {
		t.Fatal("long string element")
	}
	_, c, err := decodeObject(payload(strObj(rdbTypeSetListpack, lpOf("a", 1, "b"))))
	if err != nil || c.dump() != `{"1","a","b"}` {
		t.Fatalf("listpack set: %v %v", err, c)
	}
}

// BenchmarkDumpRestoreHash dumps and restores a 10,000-field hash (the
// shape of a migrated session or cache key).
func BenchmarkDumpRestoreHash(b *testing.B) {
	s, _ := Open(Options{})
	var p []byte
	s.Update(0, func(tx *Tx) error {
		for i := 0; i < 10000; i++ {
			f := []byte("field:" + strconv.Itoa(i))
			tx.HSet([]byte("h"), [][]byte{f, bytes.Repeat(f, 3)}, false)
		}
		p, _ = tx.Dump([]byte("h"))
		return nil
	})
	b.SetBytes(int64(len(p)))
	b.Run("dump", func(b *testing.B) {
		for b.Loop() {
			s.Update(0, func(tx *Tx) error { tx.Dump([]byte("h")); return nil })
		}
	})
	b.Run("restore", func(b *testing.B) {
		for b.Loop() {
			s.Update(0, func(tx *Tx) error {
				return tx.Restore([]byte("r"), p, RestoreOptions{Replace: true, Idle: -1, Freq: -1})
			})
		}
	})
}

// streamWithGroups is a one-entry stream with groups of the given names,
// each with consumers of the given names and an empty PEL.
func streamWithGroups(groups []string, consumers ...string) []byte {
	b := streamObj(1, 1, 1, 1, 1, 0, 0, 1, uint64(len(groups)))
	for _, g := range groups {
		b = appendRDBString(b, []byte(g))
		b = append(b, 1, 1, 1, 0) // last ID 1-1, entries read 1, empty PEL
		b = appendRDBLen(b, uint64(len(consumers)))
		for _, c := range consumers {
			b = appendRDBString(b, []byte(c))
			b = binary.LittleEndian.AppendUint64(b, 5)
			b = append(b, 0)
		}
	}
	return b
}

// TestRestoreStreamGroupOrder: groups and consumers in any order are
// kept sorted by name, as Cairn's lookups need; duplicates are refused.
func TestRestoreStreamGroupOrder(t *testing.T) {
	_, c, err := decodeObject(payload(streamWithGroups([]string{"b", "c", "a"}, "z", "x", "y")))
	if err != nil {
		t.Fatal(err)
	}
	s := c.(*stream)
	var names []string
	for _, g := range s.groups {
		names = append(names, g.name)
		for _, c := range g.consumers {
			names = append(names, c.name)
		}
	}
	if got := strings.Join(names, ","); got != "a,x,y,z,b,x,y,z,c,x,y,z" {
		t.Fatalf("groups and consumers: %s", got)
	}
	if s.lookupGroup([]byte("b")) == nil || s.groups[2].lookupConsumer([]byte("y")) == nil {
		t.Fatal("lookups fail after sorting")
	}
	for name, obj := range map[string][]byte{
		"duplicate group":    streamWithGroups([]string{"a", "b", "a"}),
		"duplicate consumer": streamWithGroups([]string{"a"}, "c", "d", "c"),
	} {
		if _, _, err := decodeObject(payload(obj)); err != errBadData {
			t.Errorf("%s: %v", name, err)
		}
	}
}
