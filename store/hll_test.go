package store

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
)

// hllRegs decodes every register of a HyperLogLog string, or fails.
func hllRegs(t testing.TB, h []byte) *[hllRegisters]uint8 {
	t.Helper()
	var r [hllRegisters]uint8
	if !hllValid(h) || !hllMergeMax(&r, h) {
		t.Fatalf("not a valid HyperLogLog: %q", h)
	}
	return &r
}

func pfadd(t testing.TB, s *Store, key string, elems ...string) (bool, error) {
	var changed bool
	var err error
	s.Update(0, func(tx *Tx) error {
		args := make([][]byte, len(elems))
		for i, e := range elems {
			args[i] = []byte(e)
		}
		changed, err = tx.PFAdd([]byte(key), args)
		return nil
	})
	return changed, err
}

func getString(s *Store, key string) []byte {
	var v []byte
	s.Update(0, func(tx *Tx) error {
		got, _, _ := tx.Get([]byte(key))
		v = bytes.Clone(got)
		return nil
	})
	return v
}

// TestHLLBytesMatchRedis pins strings redis-server 7.0.15 produced.
func TestHLLBytesMatchRedis(t *testing.T) {
	s, _ := Open(Options{})
	if ok, err := pfadd(t, s, "e"); !ok || err != nil {
		t.Fatalf("PFADD e = %v, %v", ok, err)
	}
	if got, want := getString(s, "e"), "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xff"; string(got) != want {
		t.Fatalf("empty HLL %q, want %q", got, want)
	}
	pfadd(t, s, "h", "a", "b", "c")
	want := "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80`\xf3\x80P\xb1\x84K\xfb\x80BZ"
	if got := getString(s, "h"); string(got) != want {
		t.Fatalf("PFADD h a b c left %q, want %q", got, want)
	}
	var n int64
	s.Update(0, func(tx *Tx) error { n, _ = tx.PFCount([][]byte{[]byte("h")}); return nil })
	if n != 3 {
		t.Fatalf("PFCOUNT = %d", n)
	}
	want = "HYLL\x01\x00\x00\x00\x03\x00\x00\x00\x00\x00\x00\x00`\xf3\x80P\xb1\x84K\xfb\x80BZ"
	if got := getString(s, "h"); string(got) != want {
		t.Fatalf("after PFCOUNT %q, want %q (cached cardinality)", got, want)
	}
	if ok, _ := pfadd(t, s, "h", "a", "c"); ok {
		t.Fatal("PFADD of known elements reported a change")
	}
}

// TestHLLSparseToDensePromotion adds elements one by one and checks after
// each that the registers are the maximum of what was added, that the
// string stays sparse while it fits hll-sparse-max-bytes and becomes dense
// at the add that would take it past.
func TestHLLSparseToDensePromotion(t *testing.T) {
	for _, limit := range []int64{0, 50, 300, HLLSparseMaxBytes} {
		t.Run(fmt.Sprint(limit), func(t *testing.T) {
			s, _ := Open(Options{})
			s.SetHLLSparseMaxBytes(limit)
			var model [hllRegisters]uint8
			promoted := false
			for i := 0; i < 5000 && !promoted; i++ {
				ele := fmt.Sprintf("x%d", i)
				idx, cnt := hllPatLen([]byte(ele))
				before := getString(s, "k")
				changed, err := pfadd(t, s, "k", ele)
				if err != nil {
					t.Fatal(err)
				}
				h := getString(s, "k")
				if want := before == nil || int(model[idx]) < cnt; changed != want {
					t.Fatalf("add %d: changed %v, want %v", i, changed, want)
				}
				model[idx] = max(model[idx], uint8(cnt))
				if *hllRegs(t, h) != model {
					t.Fatalf("add %d: registers differ from the model", i)
				}
				switch h[4] {
				case hllEncSparse:
					if int64(len(h)) > max(limit, 18) {
						t.Fatalf("add %d: sparse string of %d bytes over the limit %d", i, len(h), limit)
					}
				case hllEncDense:
					promoted = true
					if len(h) != hllDenseSize {
						t.Fatalf("dense string of %d bytes", len(h))
					}
					if cnt <= hllSparseValMaxValue && before != nil && before[4] == hllEncSparse && limit > 0 && int64(len(before)) < limit-3 {
						t.Fatalf("add %d: promoted at %d bytes, under the limit %d", i, len(before), limit)
					}
				}
			}
			if !promoted {
				t.Fatal("never promoted")
			}
		})
	}
}

// TestHLLPromotionOnLargeRegister: a register value over 32 does not fit
// a VAL opcode, so the string becomes dense whatever its size.
func TestHLLPromotionOnLargeRegister(t *testing.T) {
	ed := hllEdit{h: newHLL()}
	r := ed.sparseSet(100, 33, HLLSparseMaxBytes)
	h := ed.h
	if r != 1 || h[4] != hllEncDense || denseGet(h[hllHdrSize:], 100) != 33 {
		t.Fatalf("r=%d encoding=%d", r, h[4])
	}
	if got := hllRegs(t, h); got[99] != 0 || got[101] != 0 {
		t.Fatal("neighbour registers changed")
	}
}

// TestHLLDenseRegisters sets every register of a dense string to random
// values and reads them back, as Redis's PFSELFTEST does.
func TestHLLDenseRegisters(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	regs := make([]byte, hllDenseSize-hllHdrSize)
	var want [hllRegisters]int
	for round := 0; round < 20; round++ {
		for i := range want {
			want[i] = r.IntN(hllRegMax + 1)
			denseSet(regs, i, want[i])
		}
		for i, v := range want {
			if got := denseGet(regs, i); got != v {
				t.Fatalf("register %d = %d, want %d", i, got, v)
			}
		}
	}
}

// TestHLLMergeSparseAndDense: PFMERGE of a sparse and a dense key is
// dense and holds the maximum of each register; of sparse keys only, it
// stays sparse; multi-key PFCOUNT counts the same union without writing.
func TestHLLMergeSparseAndDense(t *testing.T) {
	s, _ := Open(Options{})
	for i := 0; i < 20; i++ {
		pfadd(t, s, "sparse", fmt.Sprint("s", i))
		pfadd(t, s, "sparse2", fmt.Sprint("t", i))
	}
	for i := 0; i < 5000; i++ {
		pfadd(t, s, "dense", fmt.Sprint("d", i))
	}
	if getString(s, "sparse")[4] != hllEncSparse || getString(s, "dense")[4] != hllEncDense {
		t.Fatal("setup: wrong encodings")
	}
	merge := func(keys ...string) error {
		var err error
		s.Update(0, func(tx *Tx) error {
			var args [][]byte
			for _, k := range keys {
				args = append(args, []byte(k))
			}
			err = tx.PFMerge(args)
			return nil
		})
		return err
	}
	if err := merge("m", "sparse", "dense"); err != nil {
		t.Fatal(err)
	}
	var want [hllRegisters]uint8
	for _, k := range []string{"sparse", "dense"} {
		hllMergeMax(&want, getString(s, k))
	}
	m := getString(s, "m")
	if m[4] != hllEncDense || *hllRegs(t, m) != want {
		t.Fatal("sparse+dense merge: wrong encoding or registers")
	}
	if m[15]&0x80 == 0 {
		t.Fatal("merge left the cached cardinality valid")
	}
	if err := merge("m2", "sparse", "sparse2"); err != nil {
		t.Fatal(err)
	}
	if getString(s, "m2")[4] != hllEncSparse {
		t.Fatal("sparse+sparse merge became dense")
	}
	before := getString(s, "sparse")
	var union, single int64
	s.Update(0, func(tx *Tx) error {
		union, _ = tx.PFCount([][]byte{[]byte("sparse"), []byte("dense")})
		single, _ = tx.PFCount([][]byte{[]byte("m")})
		return nil
	})
	if union != single || union < 4900 || union > 5200 {
		t.Fatalf("union %d, merged %d", union, single)
	}
	if !bytes.Equal(before, getString(s, "sparse")) {
		t.Fatal("multi-key PFCOUNT wrote a key")
	}
}

// TestHLLRejectsCorruptInput: strings that are not HyperLogLogs get
// ErrNotHLL, corrupt sparse bodies ErrInvalidHLL, and nothing panics.
func TestHLLRejectsCorruptInput(t *testing.T) {
	hdr := "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80"
	cases := []struct {
		val        string
		add, count error
	}{
		{"hello", ErrNotHLL, ErrNotHLL},
		{"HYLL", ErrNotHLL, ErrNotHLL},
		{"HYLX" + hdr[4:] + "\x7f\xff", ErrNotHLL, ErrNotHLL},
		{"HYLL\x02" + hdr[5:] + "\x7f\xff", ErrNotHLL, ErrNotHLL},
		{"HYLL\x00" + hdr[5:] + "\x00", ErrNotHLL, ErrNotHLL}, // dense, wrong length
		{hdr, ErrInvalidHLL, ErrInvalidHLL},                   // no registers
		{hdr + "\x7f\xfe", nil, ErrInvalidHLL},                // 16383 registers: an add may succeed
		{hdr + "\x7f\xff\x00", nil, ErrInvalidHLL},            // one register too many
		{hdr + "\x7f", nil, ErrInvalidHLL},                    // truncated XZERO: Redis reads a 0 past the end
	}
	for _, c := range cases {
		s, _ := Open(Options{})
		s.Update(0, func(tx *Tx) error {
			tx.Set([]byte("k"), []byte(c.val), SetOptions{})
			return nil
		})
		var cerr error
		s.Update(0, func(tx *Tx) error { _, cerr = tx.PFCount([][]byte{[]byte("k")}); return nil })
		if !errors.Is(cerr, c.count) {
			t.Errorf("%q: PFCOUNT error %v, want %v", c.val, cerr, c.count)
		}
		if _, err := pfadd(t, s, "k", "a", "b"); c.add != nil && !errors.Is(err, c.add) {
			t.Errorf("%q: PFADD error %v, want %v", c.val, err, c.add)
		}
		s.Update(0, func(tx *Tx) error {
			if err := tx.PFMerge([][]byte{[]byte("d"), []byte("k")}); err == nil && c.count != nil && c.add != nil {
				t.Errorf("%q: PFMERGE accepted it", c.val)
			}
			return nil
		})
	}
	s, _ := Open(Options{})
	s.Update(0, func(tx *Tx) error {
		tx.SAdd([]byte("l"), [][]byte{[]byte("x")})
		if _, err := tx.PFAdd([]byte("l"), nil); err != ErrWrongType {
			t.Errorf("PFADD on a set: %v", err)
		}
		return nil
	})
}

// FuzzHLL feeds arbitrary strings to every HyperLogLog function: none may
// panic, and a string whose registers decode must keep decoding, with the
// registers only raised, after elements are added.
func FuzzHLL(f *testing.F) {
	hdr := "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80"
	f.Add([]byte(hdr+"\x7f\xff"), []byte("a"), uint16(5), uint8(3))
	f.Add([]byte(hdr+"`\xf3\x80P\xb1\x84K\xfb\x80BZ"), []byte("b"), uint16(16383), uint8(33))
	f.Add([]byte(hdr+"\x7f"), []byte(""), uint16(0), uint8(1))
	f.Add([]byte(hdr+"\x3f\x7f\xbf\x80\x80"), []byte("zz"), uint16(70), uint8(32))
	f.Fuzz(func(t *testing.T, body, ele []byte, index uint16, count uint8) {
		for _, h := range [][]byte{body, append([]byte(hdr), body...)} {
			if !hllValid(h) {
				continue
			}
			var regs [hllRegisters]uint8
			decodes := hllMergeMax(&regs, h)
			hllCount(h)
			(&hllEdit{h: bytes.Clone(h)}).toDense()
			ed2 := hllEdit{h: bytes.Clone(h)}
			r := ed2.add(ele, 200)
			ed2.add(ele[:len(ele)/2], 50)
			h2 := ed2.h
			if decodes && r < 0 {
				t.Fatalf("add to a decodable string failed: %q", h)
			}
			idx, cnt := int(index)%hllRegisters, int(count)%52
			if cnt == 0 {
				cnt = 1
			}
			ed3 := hllEdit{h: bytes.Clone(h)}
			r3 := ed3.add(nil, 3000)
			if h[4] == hllEncSparse {
				r3 = ed3.sparseSet(idx, cnt, 100)
			}
			h3 := ed3.h
			if !decodes {
				continue
			}
			for _, out := range [][]byte{h2, h3} {
				var after [hllRegisters]uint8
				if !hllValid(out) || !hllMergeMax(&after, out) {
					t.Fatalf("result no longer decodes: %q -> %q (r=%d)", h, out, r3)
				}
				for i := range after {
					if after[i] < regs[i] {
						t.Fatalf("register %d lowered", i)
					}
				}
			}
		}
	})
}

// BenchmarkHLL measures the hot paths: an add to a sparse and to a dense
// HyperLogLog, and counting a dense one (the cache made stale each time).
func BenchmarkHLL(b *testing.B) {
	se, de := hllEdit{h: newHLL()}, hllEdit{h: newHLL()}
	for i := 0; i < 500; i++ {
		se.add([]byte(fmt.Sprint("s", i)), HLLSparseMaxBytes)
	}
	for i := 0; i < 50000; i++ {
		de.add([]byte(fmt.Sprint("d", i)), HLLSparseMaxBytes)
	}
	sparse, dense := se.h, de.h
	ele := []byte("element-0000000")
	b.Run("add-sparse", func(b *testing.B) {
		ed := hllEdit{h: bytes.Clone(sparse)}
		for i := 0; b.Loop(); i++ {
			ele[len(ele)-1] = byte(i)
			ed.add(ele, HLLSparseMaxBytes)
			if len(ed.h) > 2000 {
				ed = hllEdit{h: append(ed.h[:0], sparse...)}
			}
		}
	})
	b.Run("add-dense", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			ele[len(ele)-1] = byte(i)
			(&hllEdit{h: dense}).add(ele, HLLSparseMaxBytes)
		}
	})
	b.Run("count-dense", func(b *testing.B) {
		for b.Loop() {
			hllCount(dense)
		}
	})
	b.Run("count-sparse", func(b *testing.B) {
		for b.Loop() {
			hllCount(sparse)
		}
	})
}

// TestDenseSetMarksItsChunks: every byte a register write changes lies in
// a chunk marked dirty, for every register, including those that straddle
// a chunk boundary. A byte outside them would be lost on the Pebble
// engine, which writes only the marked chunks.
func TestDenseSetMarksItsChunks(t *testing.T) {
	ed := hllEdit{h: newHLL()}
	if !ed.toDense() {
		t.Fatal("toDense failed")
	}
	for i := range hllRegisters {
		before := bytes.Clone(ed.h)
		ed.dirty = 0
		if !ed.denseSet(i, hllRegMax) {
			t.Fatalf("register %d: no change", i)
		}
		for b := range ed.h {
			if ed.h[b] != before[b] && ed.dirty&(1<<(b/chunkSize)) == 0 {
				t.Fatalf("register %d changed byte %d, in chunk %d, not marked (dirty %b)", i, b, b/chunkSize, ed.dirty)
			}
		}
	}
}

// TestHLLSelfTest: PFSELFTEST's checks pass on this register code.
func TestHLLSelfTest(t *testing.T) {
	if testing.Short() {
		t.Skip("ten million additions")
	}
	if msg := HLLSelfTest(HLLSparseMaxBytes); msg != "" {
		t.Fatal(msg)
	}
}

// TestPFDebugGetRegDensifies: GETREG returns the registers PFCOUNT's
// histogram is built from and leaves the HyperLogLog dense, with the same
// registers; DECODE describes the sparse form before.
func TestPFDebugGetRegDensifies(t *testing.T) {
	s, _ := Open(Options{Databases: 1})
	pfadd(t, s, "h", "a", "b", "c")
	s.Update(0, func(tx *Tx) error {
		before := *hllRegs(t, tx.lookupRead([]byte("h")).val())
		res, err := tx.PFDebug(HLLDecode, []byte("h"))
		if err != nil || res.Text == "" {
			t.Fatalf("DECODE = %q, %v", res.Text, err)
		}
		res, err = tx.PFDebug(HLLGetReg, []byte("h"))
		if err != nil || !res.Converted || len(res.Registers) != hllRegisters {
			t.Fatalf("GETREG = %d registers, converted %v, %v", len(res.Registers), res.Converted, err)
		}
		for i, v := range res.Registers {
			if uint8(v) != before[i] {
				t.Fatalf("register %d = %d, want %d", i, v, before[i])
			}
		}
		if res, _ := tx.PFDebug(HLLEncoding, []byte("h")); res.Text != "dense" {
			t.Fatalf("ENCODING after GETREG = %q", res.Text)
		}
		if _, err := tx.PFDebug(HLLDecode, []byte("h")); err != ErrHLLNotSparse {
			t.Fatalf("DECODE of a dense one: %v", err)
		}
		return nil
	})
}
