package store

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// checkList compares l with the model and checks the chunk invariants.
func checkList(t *testing.T, l *list, model [][]byte) {
	t.Helper()
	if l.n != len(model) {
		t.Fatalf("n = %d, model has %d", l.n, len(model))
	}
	count := 0
	var prev *listChunk
	for c := l.head; c != nil; c = c.next {
		if c.prev != prev || c.n == 0 || len(c.elems()) != c.n {
			t.Fatalf("bad chunk: prev ok %v n %d", c.prev == prev, c.n)
		}
		count += c.n
		prev = c
	}
	if prev != l.tail || count != l.n {
		t.Fatalf("chunks hold %d, n = %d", count, l.n)
	}
	i := 0
	l.each(0, func(j int, v []byte) bool {
		if j != i || !bytes.Equal(v, model[i]) {
			t.Fatalf("element %d = %q, want %q", j, v, model[i])
		}
		i++
		return true
	})
	l.eachBack(func(j int, v []byte) bool {
		if !bytes.Equal(v, model[j]) {
			t.Fatalf("backwards element %d = %q, want %q", j, v, model[j])
		}
		return true
	})
	for k := 0; k < 5 && len(model) > 0; k++ {
		j := rand.IntN(len(model))
		if !bytes.Equal(l.at(j), model[j]) {
			t.Fatalf("at(%d) = %q, want %q", j, l.at(j), model[j])
		}
	}
}

// TestListModel drives the deque with random operations and compares it
// with a plain slice after each one.
func TestListModel(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	l := newList()
	var model [][]byte
	val := func() []byte {
		if r.IntN(100) == 0 {
			return bytes.Repeat([]byte{'x'}, r.IntN(20000))
		}
		return []byte(fmt.Sprint(r.IntN(50), "-", r.IntN(1000)))
	}
	for step := 0; step < 20000; step++ {
		switch op := r.IntN(10); {
		case op < 3:
			v := val()
			l.pushBack(v)
			model = append(model, v)
		case op < 5:
			v := val()
			l.pushFront(v)
			model = append([][]byte{v}, model...)
		case op == 5 && len(model) > 0:
			if got := l.popFront(); !bytes.Equal(got, model[0]) {
				t.Fatalf("popFront %q want %q", got, model[0])
			}
			model = model[1:]
		case op == 6 && len(model) > 0:
			if got := l.popBack(); !bytes.Equal(got, model[len(model)-1]) {
				t.Fatalf("popBack %q", got)
			}
			model = model[:len(model)-1]
		case op == 7 && len(model) > 0:
			i, v := r.IntN(len(model)), val()
			l.set(i, v)
			model[i] = v
		case op == 8:
			i, v := r.IntN(len(model)+1), val()
			l.insert(i, v)
			model = slices.Insert(model, i, v)
		case op == 9 && len(model) > 0:
			v := model[r.IntN(len(model))]
			count := r.IntN(3)
			fromTail := r.IntN(2) == 0
			removed, _, _ := l.remove(v, count, fromTail)
			want := 0
			if fromTail {
				for i := len(model) - 1; i >= 0 && (count == 0 || want < count); i-- {
					if bytes.Equal(model[i], v) {
						model = slices.Delete(model, i, i+1)
						want++
					}
				}
			} else {
				for i := 0; i < len(model) && (count == 0 || want < count); {
					if bytes.Equal(model[i], v) {
						model = slices.Delete(model, i, i+1)
						want++
						continue
					}
					i++
				}
			}
			if removed != want {
				t.Fatalf("remove %d, want %d", removed, want)
			}
		}
		if step%97 == 0 || len(model) < 5 {
			checkList(t, l, model)
		}
		if r.IntN(500) == 0 && len(model) > 2 {
			k := r.IntN(len(model))
			l.dropFront(k)
			model = model[k:]
			k = r.IntN(len(model))
			l.dropBack(k)
			model = model[:len(model)-k]
			checkList(t, l, model)
		}
	}
	checkList(t, l, model)
}
