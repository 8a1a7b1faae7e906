package server

import (
	"bytes"
	"testing"

	"github.com/tidwall/redcon"

	"github.com/cairn-db/cairn/protocol"
	"github.com/cairn-db/cairn/store"
)

// XREAD's reply is a map of key to entries in RESP3 and an array of
// [key, entries] pairs in RESP2, as Redis 7 sends them.
func TestXReadReplyShapes(t *testing.T) {
	res := []keyEntries{{[]byte("s"), []store.StreamEntry{{ID: store.StreamID{Ms: 1, Seq: 2}, Fields: [][]byte{[]byte("f"), []byte("v")}}}}}
	for _, tc := range []struct {
		proto int
		want  string
	}{
		{2, "*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-2\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n"},
		{3, "%1\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-2\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n"},
	} {
		var buf bytes.Buffer
		rw := redcon.NewWriter(&buf)
		w := protocol.NewWriter(rw)
		w.SetProto(tc.proto)
		writeKeyEntries(w, res)
		rw.Flush()
		if buf.String() != tc.want {
			t.Errorf("RESP%d: %q, want %q", tc.proto, buf.String(), tc.want)
		}
	}
}
