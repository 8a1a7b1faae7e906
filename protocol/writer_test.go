package protocol

import (
	"bytes"
	"math"
	"strconv"
	"testing"

	"github.com/tidwall/redcon"
)

// TestWriterProtocols: one description of a reply, two encodings.
func TestWriterProtocols(t *testing.T) {
	write := func(w *Writer) {
		w.Map(1)
		w.BulkString("k")
		w.Double(1.5)
		w.Set(3)
		w.Boolean(true)
		w.Boolean(false)
		w.Bool(true)
		w.Null()
		w.NullArray()
		w.Double(math.Inf(-1))
		w.Verbatim("hi")
		w.Pairs(2)
		w.Pair()
		w.BulkString("a")
		w.Double(1)
		w.Pair()
		w.BulkString("b")
		w.Double(2)
		w.BigNumber("12345678901234567890")
		w.BigNumber("123\r\n4") // a script's {big_number=…}: no line breaks
		w.VerbatimFormat("mkd", "# x")
		w.EntryMap(1)
		w.MapEntry()
		w.BulkString("k")
		w.Array(0)
	}
	for _, c := range []struct {
		proto int
		want  string
	}{
		{2, "*2\r\n$1\r\nk\r\n$3\r\n1.5\r\n*3\r\n:1\r\n:0\r\n:1\r\n$-1\r\n*-1\r\n$4\r\n-inf\r\n$2\r\nhi\r\n" +
			"*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$20\r\n12345678901234567890\r\n$6\r\n123  4\r\n$3\r\n# x\r\n*1\r\n*2\r\n$1\r\nk\r\n*0\r\n"},
		{3, "%1\r\n$1\r\nk\r\n,1.5\r\n~3\r\n#t\r\n#f\r\n:1\r\n_\r\n_\r\n,-inf\r\n=6\r\ntxt:hi\r\n" +
			"*2\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nb\r\n,2\r\n(12345678901234567890\r\n(123  4\r\n=7\r\nmkd:# x\r\n%1\r\n$1\r\nk\r\n*0\r\n"},
	} {
		var buf bytes.Buffer
		w := NewWriter(redcon.NewWriter(&buf))
		w.SetProto(c.proto)
		write(w)
		w.Flush()
		if buf.String() != c.want {
			t.Errorf("RESP%d:\n got %q\nwant %q", c.proto, buf.String(), c.want)
		}
	}
}

func TestAppendDouble(t *testing.T) {
	for f, want := range map[float64]string{1.5: "1.5", 0.1: "0.10000000000000001", 3: "3",
		1e20: "1e+20", math.Inf(1): "inf", -2.5: "-2.5",
		// Seen from redis-server 7.0.15 (ZSCORE in RESP3): %.17g.
		1e-7: "9.9999999999999995e-08", 0.1 + 1: "1.1000000000000001", 123456789012: "123456789012"} {
		if got := string(AppendDouble(nil, f)); got != want {
			t.Errorf("AppendDouble(%v) = %q, want %q", f, got, want)
		}
	}
}

// TestWriterStreamID: IDs of every length come out as Redis's bulk
// strings, whether or not they share the previous ID's milliseconds.
func TestWriterStreamID(t *testing.T) {
	var buf bytes.Buffer
	rw := redcon.NewWriter(&buf)
	w := NewWriter(rw)
	ids := []StreamID{{0, 1}, {0, 2}, {1, 0}, {1712345678901, 0}, {1712345678901, 7}, {math.MaxUint64, math.MaxUint64}, {5, 123456}}
	want := ""
	for _, id := range ids {
		w.StreamID(id)
		s := id.String()
		want += "$" + strconv.Itoa(len(s)) + "\r\n" + s + "\r\n"
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if buf.String() != want {
		t.Fatalf("got %q, want %q", buf.String(), want)
	}
}

// TestBufferedWithoutCopy: Buffered reads redcon's pending length in
// place (redcon only offers a copy), and agrees with the copy.
func TestBufferedWithoutCopy(t *testing.T) {
	if redconBufOffset == 0 {
		t.Fatal("redcon.Writer no longer keeps its buffer in field b: Buffered copies it again")
	}
	var out bytes.Buffer
	w := NewWriter(redcon.NewWriter(&out))
	for i := range 100 {
		w.BulkString(strconv.Itoa(i))
		if got, want := w.Buffered(), len(w.w.Buffer()); got != want {
			t.Fatalf("after %d replies Buffered = %d, want %d", i+1, got, want)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if w.Buffered() != 0 {
		t.Fatalf("after Flush Buffered = %d", w.Buffered())
	}
	if n := testing.AllocsPerRun(100, func() { w.Buffered() }); n != 0 {
		t.Fatalf("Buffered allocates %.0f times", n)
	}
}
