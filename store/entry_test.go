package store

import (
	"bytes"
	"fmt"
	"math"
	"runtime"
	"testing"
	"unsafe"
)

// The entry's size is what lets newEntry's tails fill size classes.
func TestEntrySize(t *testing.T) {
	if n := unsafe.Sizeof(entry{}); n != 56 {
		t.Fatalf("entry is %d bytes; newEntry's tails (entryTails) assume 56", n)
	}
}

// TestNewEntryAllocates checks that newEntry makes one allocation of the
// size keyBytes and memory() assume, for keys and values of every tail.
func TestNewEntryAllocates(t *testing.T) {
	for _, need := range []int{0, 1, 8, 9, 24, 40, 56, 57, 100, 120, 121, 136, 152, 168, 184, 185, 200} {
		key := bytes.Repeat([]byte("k"), need/2)
		val := bytes.Repeat([]byte("v"), need-len(key))
		const n = 10000
		keep := make([]*entry, n)
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		for i := range keep {
			e, spare := newEntry(key, len(val))
			if len(spare) < len(val) {
				t.Fatalf("need %d: spare %d", need, len(spare))
			}
			keep[i] = e
		}
		runtime.ReadMemStats(&m1)
		// Other goroutines (the runtime's, the race detector's) may
		// allocate a little meanwhile.
		if got, want := float64(m1.TotalAlloc-m0.TotalAlloc)/n, float64(56+tailSize(need)); got < want || got > want*1.05 {
			t.Errorf("need %d: %.1f bytes an entry, want %.0f", need, got, want)
		}
		if got := m1.Mallocs - m0.Mallocs; got < n || got > n+n/20 {
			t.Errorf("need %d: %d allocations for %d entries", need, got, n)
		}
		runtime.KeepAlive(keep)
	}
}

// TestInlineValues exercises the string value in the entry's allocation:
// overwrites that fit and that do not, APPEND and SETRANGE past the inline
// room, SET … GET keeping the old bytes intact, and RENAME and COPY of an
// inline value.
func TestInlineValues(t *testing.T) {
	s, _ := Open(Options{Databases: 2})
	get := func(key string) string {
		var v []byte
		s.View(0, func(tx *Tx) error { v, _, _ = tx.Get([]byte(key)); v = bytes.Clone(v); return nil })
		return string(v)
	}
	upd := func(f func(tx *Tx)) {
		s.Update(0, func(tx *Tx) error { f(tx); return nil })
		if err := s.CheckMemory(); err != nil {
			t.Fatal(err)
		}
	}
	long := string(bytes.Repeat([]byte("L"), 300))
	upd(func(tx *Tx) { tx.Set([]byte("k"), []byte("hello"), SetOptions{}) })
	upd(func(tx *Tx) {
		if e := tx.db.keys.get([]byte("k")); !e.inline() {
			t.Error("a 5-byte value is not inline")
		}
	})
	upd(func(tx *Tx) { tx.Set([]byte("k"), []byte("hi"), SetOptions{}) })
	if v := get("k"); v != "hi" {
		t.Fatalf("k = %q", v)
	}
	var old []byte
	upd(func(tx *Tx) {
		r, _ := tx.Set([]byte("k"), []byte("yo"), SetOptions{Get: true})
		old = r.Old
	})
	if string(old) != "hi" || get("k") != "yo" {
		t.Fatalf("SET GET: old %q, k = %q", old, get("k"))
	}
	upd(func(tx *Tx) { tx.Set([]byte("k"), []byte(long), SetOptions{}) })
	if v := get("k"); v != long {
		t.Fatalf("k = %q", v)
	}
	upd(func(tx *Tx) { tx.Set([]byte("a"), []byte("abc"), SetOptions{}) })
	for i := range 40 {
		upd(func(tx *Tx) { tx.Append([]byte("a"), []byte(fmt.Sprint(i%10))) })
	}
	want := "abc" + string(bytes.Repeat([]byte("0123456789"), 4))
	if v := get("a"); v != want {
		t.Fatalf("after APPEND: %q", v)
	}
	upd(func(tx *Tx) { tx.SetRange([]byte("r"), 2, []byte("xy")) })
	upd(func(tx *Tx) { tx.SetRange([]byte("r"), 60, []byte("z")) })
	if v := get("r"); v != "\x00\x00xy"+string(make([]byte, 56))+"z" {
		t.Fatalf("after SETRANGE: %q", v)
	}
	upd(func(tx *Tx) { tx.Set([]byte("src"), []byte("value"), SetOptions{}) })
	upd(func(tx *Tx) { tx.Rename([]byte("src"), []byte("dst"), false) })
	upd(func(tx *Tx) { tx.Copy([]byte("dst"), []byte("cp"), 0, false) })
	upd(func(tx *Tx) { tx.Set([]byte("dst"), []byte("VALUE"), SetOptions{}) })
	if get("dst") != "VALUE" || get("cp") != "value" || get("src") != "" {
		t.Fatalf("after RENAME and COPY: dst %q cp %q src %q", get("dst"), get("cp"), get("src"))
	}
	upd(func(tx *Tx) { tx.IncrBy([]byte("n"), 5) })
	upd(func(tx *Tx) { tx.IncrBy([]byte("n"), 1_000_000_000_000) })
	if v := get("n"); v != "1000000000005" {
		t.Fatalf("n = %q", v)
	}
	upd(func(tx *Tx) { tx.Set([]byte(""), []byte("empty key"), SetOptions{}) })
	upd(func(tx *Tx) { tx.Append([]byte(""), []byte("!")) })
	if v := get(""); v != "empty key!" {
		t.Fatalf("empty key = %q", v)
	}
	upd(func(tx *Tx) { tx.Set([]byte("e"), nil, SetOptions{}) })
	upd(func(tx *Tx) {
		if v, ok, _ := tx.Get([]byte("e")); !ok || v == nil || len(v) != 0 {
			t.Fatalf("empty value: %q %v", v, ok)
		}
	})
}

// TestSetInPlace: overwriting a small string with one that fits its
// inline room allocates nothing, and creating a key allocates once.
func TestSetInPlace(t *testing.T) {
	s, _ := Open(Options{Databases: 1})
	key, val := []byte("rate:10123:10456"), []byte(`{"rate":12.34,"svc":"ground","zone":123}`)
	s.Update(0, func(tx *Tx) error { tx.Set(key, val, SetOptions{}); return nil })
	short := val[:20]
	if n := testing.AllocsPerRun(100, func() {
		s.Update(0, func(tx *Tx) error { tx.Set(key, short, SetOptions{}); tx.Set(key, val, SetOptions{}); return nil })
	}); n != 0 {
		t.Errorf("overwriting an inline value: %v allocations", n)
	}
	i := 0
	keys := make([][]byte, 200)
	for j := range keys {
		keys[j] = fmt.Appendf(nil, "rate:%05d:%05d", j, j)
	}
	if n := testing.AllocsPerRun(100, func() {
		s.Update(0, func(tx *Tx) error { tx.Set(keys[i], val, SetOptions{}); return nil })
		i++
	}); n > 1 {
		t.Errorf("creating a key: %v allocations, want 1", n)
	}
}

// TestStringsStopAt2GiB: with proto-max-bulk-len raised past what an
// entry's uint32 length holds, SETRANGE and APPEND refuse to go beyond it
// (checked before anything is allocated).
func TestStringsStopAt2GiB(t *testing.T) {
	s, _ := Open(Options{Databases: 1})
	s.SetMaxStringLen(1 << 40)
	s.Update(0, func(tx *Tx) error {
		if _, err := tx.SetRange([]byte("k"), 3<<30, []byte("x")); err != ErrTooLarge {
			t.Errorf("SETRANGE at 3 GiB: %v, want ErrTooLarge", err)
		}
		if _, err := tx.SetRange([]byte("k"), maxValLen, []byte("x")); err != ErrTooLarge {
			t.Errorf("SETRANGE past 2 GiB: %v, want ErrTooLarge", err)
		}
		// offset+len overflows int64: still refused, not a panic.
		if _, err := tx.SetRange([]byte("k"), math.MaxInt64, []byte("x")); err != ErrTooLarge {
			t.Errorf("SETRANGE at MaxInt64: %v, want ErrTooLarge", err)
		}
		return nil
	})
}

// TestEntryValueSwitches exercises the one pointer an entry holds for a
// string's bytes or a collection: each kind reads back as itself, a typed
// view of the wrong kind panics, and a key goes from collection to string
// (SET over a list) and back (LPUSH after DEL), and is copied and renamed
// as a collection, with used memory checked after each step.
func TestEntryValueSwitches(t *testing.T) {
	var e entry
	for _, c := range []collection{newList(), &hash{}, &set{}, &zset{}, &stream{}} {
		e.setColl(c)
		if e.kind() != c.kind() || !e.isColl() || e.coll() != c {
			t.Fatalf("%v: kind %v, coll %v", c.kind(), e.kind(), e.coll())
		}
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("list() of a stream did not panic")
			}
		}()
		e.list()
	}()
	e.clearColl()
	if e.isColl() || e.kind() != KindString || e.coll() != nil || e.val() != nil {
		t.Fatalf("after clearColl: kind %v", e.kind())
	}

	s, _ := Open(Options{Databases: 1})
	upd := func(f func(tx *Tx) error) {
		t.Helper()
		if err := s.Update(0, f); err != nil {
			t.Fatal(err)
		}
		if err := s.CheckMemory(); err != nil {
			t.Fatal(err)
		}
	}
	k := []byte("k")
	upd(func(tx *Tx) error {
		_, err := tx.ListPush(k, ListHead, [][]byte{[]byte("a"), []byte("b")}, false)
		return err
	})
	upd(func(tx *Tx) error { _, err := tx.Set(k, []byte("now a string"), SetOptions{}); return err })
	upd(func(tx *Tx) error {
		if v, ok, err := tx.Get(k); err != nil || !ok || string(v) != "now a string" || tx.Type(k) != KindString {
			t.Fatalf("after SET over a list: %q %v %v %v", v, ok, err, tx.Type(k))
		}
		tx.Del(k)
		_, err := tx.ListPush(k, ListTail, [][]byte{[]byte("x")}, false)
		return err
	})
	upd(func(tx *Tx) error { _, err := tx.Copy(k, []byte("c"), 0, false); return err })
	upd(func(tx *Tx) error { _, err := tx.Rename(k, []byte("r"), false); return err })
	upd(func(tx *Tx) error {
		for _, key := range []string{"c", "r"} {
			got, err := tx.ListRange([]byte(key), 0, -1)
			if err != nil || len(got) != 1 || string(got[0]) != "x" {
				t.Fatalf("%s: %q %v", key, got, err)
			}
		}
		if _, _, err := tx.Get([]byte("r")); err != ErrWrongType {
			t.Fatalf("GET of a list: %v", err)
		}
		return nil
	})
}
