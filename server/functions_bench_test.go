package server

import "testing"

// BenchmarkFCallVsEvalSHA runs the same one-INCR body as a function and
// as a cached script through the dispatcher, without the socket.
func BenchmarkFCallVsEvalSHA(b *testing.B) {
	s, c, out := startFake(b)
	s.execute(c, [][]byte{[]byte("FUNCTION"), []byte("LOAD"), []byte("#!lua name=b\nredis.register_function('incr1', function(keys) return redis.call('incr', keys[1]) end)")})
	s.execute(c, [][]byte{[]byte("SCRIPT"), []byte("LOAD"), []byte("return redis.call('incr', KEYS[1])")})
	sha := []byte(sha1hex([]byte("return redis.call('incr', KEYS[1])")))
	c.out.Flush()
	for _, bc := range []struct {
		name string
		args [][]byte
	}{
		{"fcall", [][]byte{[]byte("FCALL"), []byte("incr1"), []byte("1"), []byte("n")}},
		{"evalsha", [][]byte{[]byte("EVALSHA"), sha, []byte("1"), []byte("n")}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				out.Reset()
				s.execute(c, bc.args)
				c.out.Flush()
			}
			if out.Len() == 0 || out.Bytes()[0] != ':' {
				b.Fatalf("reply %q", out.Bytes())
			}
		})
	}
}
