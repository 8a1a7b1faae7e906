package store

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// TestStreamMatchesModel drives the chunked stream and a plain sorted
// slice with the same random appends, deletes, trims and ranges, and
// checks that they agree.
func TestStreamMatchesModel(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	s := newStream()
	var model []StreamID
	next := StreamID{Ms: 1}
	for step := 0; step < 20000; step++ {
		switch op := r.IntN(10); {
		case op < 6:
			appendFields(s, next, "f", strings.Repeat("v", r.IntN(300)))
			model = append(model, next)
			next.Seq += uint64(1 + r.IntN(3))
		case op < 8 && len(model) > 0:
			id := model[r.IntN(len(model))]
			if s.del([]StreamID{id}) != 1 {
				t.Fatalf("step %d: del %v failed", step, id)
			}
			model = removeID(model, id)
		case op == 8 && r.IntN(20) == 0:
			maxLen := int64(r.IntN(len(model) + 1))
			s.trim(TrimArgs{Strategy: TrimMaxLen, MaxLen: maxLen})
			if int64(len(model)) > maxLen {
				model = model[int64(len(model))-maxLen:]
			}
		default:
			if len(model) == 0 {
				continue
			}
			a, b := model[r.IntN(len(model))], model[r.IntN(len(model))]
			if b.Less(a) {
				a, b = b, a
			}
			got := s.rangeEntries(a, b, 0, r.IntN(2) == 0)
			want := 0
			for _, id := range model {
				if !id.Less(a) && !b.Less(id) {
					want++
				}
			}
			if len(got) != want {
				t.Fatalf("step %d: range %v..%v: %d entries, want %d", step, a, b, len(got), want)
			}
		}
		if s.length != len(model) {
			t.Fatalf("step %d: length %d, want %d", step, s.length, len(model))
		}
		if len(model) > 0 && (s.firstID != model[0] || s.lastLiveID() != model[len(model)-1]) {
			t.Fatalf("step %d: first %v last %v, want %v %v", step, s.firstID, s.lastLiveID(), model[0], model[len(model)-1])
		}
	}
	for _, nd := range s.nodes {
		if nd.live == 0 || len(nd.entries) > streamNodeMax {
			t.Fatalf("node with %d live of %d entries", nd.live, len(nd.entries))
		}
		live := 0
		for i, e := range nd.entries {
			if e.off > e.end || int(e.end) > len(nd.data) {
				t.Fatalf("entry %v at [%d:%d] of %d bytes", e.id, e.off, e.end, len(nd.data))
			}
			if f := nd.fields(i); f != nil {
				live++
				if got := f.unpack(); len(got) != 2 || string(got[0]) != "f" {
					t.Fatalf("entry %v unpacks to %q", e.id, got)
				}
			}
		}
		if live != nd.live {
			t.Fatalf("node counts %d live entries, holds %d", nd.live, live)
		}
	}
}

// appendFields appends an entry with the given fields to s.
func appendFields(s *stream, id StreamID, fields ...string) {
	fs := make([][]byte, len(fields))
	for i, f := range fields {
		fs[i] = []byte(f)
	}
	s.appendEntry(id, packedLen(fs), streamNodeMax).pack(fs)
}

// TestStreamCloneIsolated: a clone shares its nodes' bytes, and entries
// appended to either stream afterwards stay out of the other.
func TestStreamCloneIsolated(t *testing.T) {
	s := newStream()
	appendFields(s, StreamID{Ms: 1}, "f", "one")
	c := s.clone().(*stream)
	appendFields(s, StreamID{Ms: 2}, "f", "two")
	appendFields(c, StreamID{Ms: 2}, "f", "TWO")
	for _, x := range []struct {
		s    *stream
		want string
	}{{s, "two"}, {c, "TWO"}} {
		es := x.s.rangeEntries(StreamID{}, maxID, 0, false)
		if len(es) != 2 || string(es[0].Fields[1]) != "one" || string(es[1].Fields[1]) != x.want {
			t.Fatalf("entries %v, want one and %s", es, x.want)
		}
	}
}

func removeID(ids []StreamID, id StreamID) []StreamID {
	for i, x := range ids {
		if x == id {
			return append(ids[:i], ids[i+1:]...)
		}
	}
	return ids
}

// TestStreamApproxTrimDropsWholeNodes: "~" removes only whole nodes of
// 100 entries, as Redis's listpacks.
func TestStreamApproxTrimDropsWholeNodes(t *testing.T) {
	s := newStream()
	for i := 1; i <= 250; i++ {
		appendFields(s, StreamID{Ms: uint64(i)})
	}
	if n := s.trim(TrimArgs{Strategy: TrimMaxLen, MaxLen: 120, Approx: true}); n != 100 || s.length != 150 {
		t.Fatalf("approx trim removed %d, length %d; want 100, 150", n, s.length)
	}
	if n := s.trim(TrimArgs{Strategy: TrimMaxLen, MaxLen: 120}); n != 30 || s.firstID != (StreamID{Ms: 131}) {
		t.Fatalf("exact trim removed %d, first %v", n, s.firstID)
	}
	if n := s.trim(TrimArgs{Strategy: TrimMinID, MinID: StreamID{Ms: 240}, Approx: true, Limit: 50}); n != 0 {
		t.Fatalf("limited trim removed %d", n)
	}
}

// TestPackedFields: fields survive packing, including empty ones and none;
// a deleted entry's nil unpacks to nil; malformed records are refused.
func TestPackedFields(t *testing.T) {
	for _, in := range [][][]byte{
		{[]byte("f"), []byte("v")},
		{[]byte(""), []byte(strings.Repeat("x", 300)), []byte("a"), []byte("")},
		{},
	} {
		p := make(packedFields, packedLen(in))
		p.pack(in)
		got, ok := p.split()
		if !ok || len(got) != len(in) {
			t.Fatalf("%q: split %q, %v", in, got, ok)
		}
		for i := range in {
			if string(got[i]) != string(in[i]) {
				t.Fatalf("%q: field %d is %q", in, i, got[i])
			}
		}
		if len(in) < 2 {
			continue
		}
		_ = append(got[0], 'X') // appending to a field must not overwrite the next
		if string(p.unpack()[1]) != string(in[1]) {
			t.Fatalf("%q: append to a field overwrote the next", in)
		}
	}
	if packedFields(nil).unpack() != nil {
		t.Fatal("nil fields unpack to non-nil")
	}
	for _, bad := range []string{"", "\x02\x01a", "\x01\x05ab", "\x01\x01ab"} {
		if _, ok := packedFields(bad).split(); ok {
			t.Errorf("%q: split accepted it", bad)
		}
	}
}
