package server

import "testing"

// BenchmarkTrackingWritePath measures a SET through the dispatcher with
// no client tracking (the one atomic load), with a BCAST client whose
// prefix the keys miss, and with a default-mode client whose keys the
// SETs invalidate (each SET's key was read just before: the table's insert
// and removal, and a message to a client with no outbox, which is dropped).
func BenchmarkTrackingWritePath(b *testing.B) {
	set := [][]byte{[]byte("SET"), []byte("key:000001"), []byte("value")}
	for _, mode := range []string{"off", "bcast", "default"} {
		b.Run(mode, func(b *testing.B) {
			s, c, out := startFake(b)
			other := &Client{ID: 1 << 40, srv: s}
			t := &s.tracking
			t.mu.Lock()
			t.on = map[*Client]struct{}{}
			t.keys = map[string]map[int64]struct{}{}
			t.prefixes = map[string]*bcastState{}
			switch mode {
			case "bcast":
				t.on[other] = struct{}{}
				t.addPrefix(other, "zzz")
				other.setTFlags(trackOn | trackBcast)
			case "default":
				t.on[other] = struct{}{}
				other.setTFlags(trackOn)
			}
			t.refresh()
			t.mu.Unlock()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if mode == "default" {
					t.mu.Lock()
					t.keys["key:000001"] = map[int64]struct{}{other.ID: {}}
					t.mu.Unlock()
				}
				out.Reset()
				s.execute(c, set)
				c.out.Flush()
			}
		})
	}
}
