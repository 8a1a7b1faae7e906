package server

import (
	"bytes"
	"strconv"
	"testing"
)

// BenchmarkPublish measures PUBLISH and SPUBLISH through the dispatcher to
// a channel nobody subscribes to, with 100 pattern subscriptions that do
// not match it: PUBLISH tests each pattern, SPUBLISH (whose namespace has
// no patterns) none.
func BenchmarkPublish(b *testing.B) {
	for _, name := range []string{"PUBLISH", "SPUBLISH"} {
		b.Run(name, func(b *testing.B) {
			s, c, out := startFake(b)
			sub := newFakeClient(b, s, &bytes.Buffer{})
			b.Cleanup(func() { s.forget(sub) }) // ends its outbox, which Close waits for
			for i := range 100 {
				s.subscribe(sub, "other:"+strconv.Itoa(i)+":*", spacePattern)
			}
			args := [][]byte{[]byte(name), []byte("news:sport"), []byte("hello")}
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				out.Reset()
				s.execute(c, args)
				c.out.Flush()
			}
			b.StopTimer()
			if want := ":0\r\n"; out.String() != want {
				b.Fatalf("%s replied %q", name, out.String())
			}
		})
	}
}
