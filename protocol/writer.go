package protocol

import (
	"strconv"

	"github.com/cairn-db/cairn/protocol/num"

	"github.com/tidwall/redcon"
)

// Writer encodes replies for one connection. Handlers describe a reply once
// (a map, a set, a double, a null) and the Writer encodes it in the protocol
// the connection negotiated: RESP2 by default, RESP3 after HELLO 3. In RESP2
// a map is a flat array of key/value pairs, a set an array, a double a bulk
// string, a boolean the integer 1 or 0, and every null a null bulk except
// NullArray's *-1.
//
// The bytes go to a redcon.Writer, which buffers them until the end of the
// connection's pipeline.
type Writer struct {
	w           *redcon.Writer
	proto       int
	scratch     [32]byte
	beforeFlush func() error
}

// NewWriter returns a RESP2 writer over w.
func NewWriter(w *redcon.Writer) *Writer {
	return &Writer{w: w, proto: 2}
}

// SetProto switches the encoding to RESP2 (2) or RESP3 (3).
func (w *Writer) SetProto(p int) { w.proto = p }

// Proto reports the protocol version in use.
func (w *Writer) Proto() int { return w.proto }

// Flush sends buffered replies to the client, after the hook set with
// SetBeforeFlush approves.
func (w *Writer) Flush() error {
	if w.beforeFlush != nil {
		if err := w.beforeFlush(); err != nil {
			return err
		}
	}
	return w.w.Flush()
}

// SetBeforeFlush installs f to run before every Flush; an error from f
// cancels the flush. The server uses it to make writes durable before
// their replies leave (appendfsync), when a command such as a blocking
// pop flushes early.
func (w *Writer) SetBeforeFlush(f func() error) { w.beforeFlush = f }

// Discard drops every reply not yet flushed.
func (w *Writer) Discard() { w.w.SetBuffer(nil) }

// Buffered is how many reply bytes wait to be flushed, for the client
// output buffer limit.
func (w *Writer) Buffered() int { return len(w.w.Buffer()) }

// OK writes the simple string +OK.
func (w *Writer) OK() { w.w.WriteRaw(okReply) }

var okReply = []byte("+OK\r\n")

// Status writes a simple string. CR and LF become spaces.
func (w *Writer) Status(s string) { w.w.WriteString(s) }

// Error writes an error reply. msg starts with its code (ERR, WRONGTYPE…).
func (w *Writer) Error(msg string) { w.w.WriteError(msg) }

// Bulk writes a bulk string.
func (w *Writer) Bulk(b []byte) { w.w.WriteBulk(b) }

// BulkString writes a bulk string.
func (w *Writer) BulkString(s string) { w.w.WriteBulkString(s) }

// BulkInt writes n formatted as a bulk string, as INCRBYFLOAT-style commands
// and CONFIG GET do.
func (w *Writer) BulkInt(n int64) {
	w.w.WriteBulk(strconv.AppendInt(w.scratch[:0], n, 10))
}

// Int writes an integer.
func (w *Writer) Int(n int64) { w.w.WriteInt64(n) }

// Array writes the header of an array of n elements.
func (w *Writer) Array(n int) { w.w.WriteArray(n) }

// Null writes the null reply: $-1 in RESP2, _ in RESP3.
func (w *Writer) Null() {
	if w.proto == 3 {
		w.w.WriteRaw(nullReply3)
		return
	}
	w.w.WriteNull()
}

// NullArray writes the null array (*-1) that RESP2 uses for a missing
// aggregate (BLPOP's timeout, LPOP with COUNT on a missing key); RESP3 has
// one null.
func (w *Writer) NullArray() {
	if w.proto == 3 {
		w.w.WriteRaw(nullReply3)
		return
	}
	w.w.WriteArray(-1)
}

var nullReply3 = []byte("_\r\n")

// Map writes the header of a map of n key/value pairs; the caller then
// writes 2n values.
func (w *Writer) Map(n int) { w.aggregate('%', n, 2*n) }

// Set writes the header of a set of n elements.
func (w *Writer) Set(n int) { w.aggregate('~', n, n) }

// Push writes the header of an out-of-band push message of n elements
// (pub/sub messages in RESP3).
func (w *Writer) Push(n int) { w.aggregate('>', n, n) }

func (w *Writer) aggregate(kind byte, n3, n2 int) {
	if w.proto == 3 {
		b := append(w.scratch[:0], kind)
		b = strconv.AppendInt(b, int64(n3), 10)
		w.w.WriteRaw(append(b, '\r', '\n'))
		return
	}
	w.w.WriteArray(n2)
}

// Double writes a floating-point reply: a RESP3 double, or in RESP2 a bulk
// string formatted as Redis formats doubles.
func (w *Writer) Double(f float64) {
	if w.proto == 3 {
		b := append(w.scratch[:0], ',')
		b = AppendDouble(b, f)
		w.w.WriteRaw(append(b, '\r', '\n'))
		return
	}
	w.w.WriteBulk(AppendDouble(w.scratch[:0], f))
}

// Bool writes a boolean: #t/#f in RESP3, the integer 1/0 in RESP2.
func (w *Writer) Bool(v bool) {
	if w.proto == 3 {
		if v {
			w.w.WriteRaw([]byte("#t\r\n"))
		} else {
			w.w.WriteRaw([]byte("#f\r\n"))
		}
		return
	}
	if v {
		w.w.WriteInt(1)
	} else {
		w.w.WriteInt(0)
	}
}

// Verbatim writes text that RESP3 marks as verbatim ("txt"), as INFO and
// CLIENT LIST replies are; RESP2 sends a bulk string.
func (w *Writer) Verbatim(s string) {
	if w.proto == 3 {
		b := append(w.scratch[:0], '=')
		b = strconv.AppendInt(b, int64(len(s)+4), 10)
		w.w.WriteRaw(append(b, "\r\ntxt:"...))
		w.w.WriteRaw([]byte(s + "\r\n"))
		return
	}
	w.w.WriteBulkString(s)
}

// Raw writes pre-encoded RESP.
func (w *Writer) Raw(b []byte) { w.w.WriteRaw(b) }

// AppendDouble formats f as Redis formats a double reply (see
// num.AppendFloat).
func AppendDouble(b []byte, f float64) []byte { return num.AppendFloat(b, f) }
