package store

import (
	"encoding/binary"
	"strconv"
	"testing"
	"time"
)

// fuzzSeeds are DUMP payloads of every type and encoding Cairn reads:
// Cairn's own (built through the commands' operations) and hand-built
// packed ones.
func fuzzSeeds(t testing.TB) [][]byte {
	s, err := Open(Options{Clock: NewManualClock(time.UnixMilli(1_700_000_000_000))})
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	s.Update(0, func(tx *Tx) error {
		b := func(v ...string) [][]byte {
			out := make([][]byte, len(v))
			for i, s := range v {
				out[i] = []byte(s)
			}
			return out
		}
		tx.Set([]byte("s"), []byte("hello"), SetOptions{})
		tx.Set([]byte("i"), []byte("-123456"), SetOptions{})
		tx.Set([]byte("z"), make([]byte, 100), SetOptions{})
		tx.ListPush([]byte("l"), ListTail, b("a", "1", "bb", "-5"), false)
		tx.SAdd([]byte("set"), b("a", "b", "3"))
		tx.HSet([]byte("h"), b("f", "v", "g", "12"), false)
		tx.ZAdd([]byte("zs"), ZAddOptions{}, []float64{1, 2.5}, b("m", "n"))
		for i := 1; i <= 5; i++ {
			tx.XAdd([]byte("x"), XAddArgs{ID: StreamID{Ms: uint64(i), Seq: 1}, Fields: b("f", strconv.Itoa(i))})
		}
		tx.XGroupCreate([]byte("x"), []byte("g"), GroupStart{EntriesRead: -1}, false)
		tx.XReadGroup([]byte("x"), XReadGroupArgs{Group: []byte("g"), Consumer: []byte("c"), New: true, Count: 2})
		tx.XDel([]byte("x"), []StreamID{{Ms: 3, Seq: 1}})
		for _, k := range []string{"s", "i", "z", "l", "set", "h", "zs", "x"} {
			p, ok := tx.Dump([]byte(k))
			if !ok {
				t.Fatalf("DUMP %s: no such key", k)
			}
			out = append(out, p)
		}
		return nil
	})
	zl := []byte{13, 0, 0, 0, 10, 0, 0, 0, 1, 0, 0, 0xf1, 0xff}
	out = append(out,
		payload(strObj(rdbTypeHashListpack, lpOf("f", 1, "g", "v"))),
		payload(strObj(rdbTypeZSetListpack, lpOf("a", 1, "b", "2.5"))),
		payload(append([]byte{rdbTypeListQuicklist2, 2, 2}, append(appendRDBString(nil, lpOf("a", 300)), 1, 1, 'p')...)),
		payload(strObj(rdbTypeSetIntset, []byte{2, 0, 0, 0, 2, 0, 0, 0, 1, 0, 2, 0})),
		payload(strObj(rdbTypeListZiplist, zl)),
		payload(append([]byte{rdbTypeZSet, 1, 1, 'm'}, 3, '1', '.', '5')),
		payload(strObj(rdbTypeHashZipmap, []byte("\x02\x01f\x02\x00v1\x03xyz\x02\x01ab\x00\xff"))),
	)
	return out
}

// resign replaces p's footer with a valid one, so that mutations reach
// the decoder instead of failing the checksum.
func resign(p []byte) []byte {
	if len(p) < 10 {
		return p
	}
	b := binary.LittleEndian.AppendUint16(append([]byte{}, p[:len(p)-10]...), rdbVersion)
	return binary.LittleEndian.AppendUint64(b, crc64(0, b))
}

// FuzzRestore feeds mutated payloads to RESTORE: it must never panic,
// and what it accepts must dump and restore again to the same value with
// the memory accounting intact.
func FuzzRestore(f *testing.F) {
	for _, p := range fuzzSeeds(f) {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, p []byte) {
		s, err := Open(Options{Clock: NewManualClock(time.UnixMilli(1_700_000_000_000))})
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range [][]byte{p, resign(p)} {
			s.Update(0, func(tx *Tx) error {
				if tx.Restore([]byte("k"), q, RestoreOptions{Replace: true, Idle: -1, Freq: -1}) != nil {
					return nil
				}
				d, ok := tx.Dump([]byte("k"))
				if !ok {
					t.Fatal("DUMP of a restored value: no such key")
				}
				if err := tx.Restore([]byte("k2"), d, RestoreOptions{Replace: true, Idle: -1, Freq: -1}); err != nil {
					t.Fatalf("RESTORE of Cairn's own DUMP: %v", err)
				}
				a, b := tx.lookup([]byte("k")), tx.lookup([]byte("k2"))
				if a.kind() != b.kind() || (a.isColl() && a.coll().dump() != b.coll().dump()) ||
					(!a.isColl() && string(a.val()) != string(b.val())) {
					t.Fatal("a restored value changed over DUMP and RESTORE")
				}
				return nil
			})
		}
		if err := s.CheckMemory(); err != nil {
			t.Fatal(err)
		}
	})
}
