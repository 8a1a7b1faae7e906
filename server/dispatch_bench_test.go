package server

import (
	"bytes"
	"testing"
)

// BenchmarkExecuteGet measures one GET through the dispatcher, with the
// per-command statistics and metrics it records.
func BenchmarkExecuteGet(b *testing.B) {
	s, err := Start(Config{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	var out bytes.Buffer
	c := newFakeClient(b, s, &out)
	s.execute(c, [][]byte{[]byte("SET"), []byte("key:000001"), []byte("value")})
	get := [][]byte{[]byte("GET"), []byte("key:000001")}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		out.Reset()
		s.execute(c, get)
		c.out.Flush()
	}
}
