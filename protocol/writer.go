package protocol

import (
	"reflect"
	"strconv"
	"strings"
	"unsafe"

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
	// The digits of the milliseconds of the last stream ID written: the
	// IDs of consecutive XADDs mostly share them.
	idMs    uint64
	idMsLen int
	idMsBuf [20]byte
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
// output buffer limit, which checks it after every command.
func (w *Writer) Buffered() int { return pendingLen(w.w) }

// redconBufOffset is where redcon.Writer keeps its unflushed bytes, or 0
// if a redcon version lays it out otherwise. redcon has no way to ask
// for their length: Buffer returns a copy, and copying a growing buffer
// after every command of a pipeline is quadratic.
var redconBufOffset = func() uintptr {
	f, ok := reflect.TypeFor[redcon.Writer]().FieldByName("b")
	if !ok || f.Type != reflect.TypeFor[[]byte]() {
		return 0
	}
	return f.Offset
}()

// Held is the capacity of the reply buffer: the memory the writer holds
// for the client, whether or not it was sent (redcon lets a buffer over
// 256 KiB go once flushed).
func (w *Writer) Held() int {
	if redconBufOffset == 0 {
		return w.Buffered()
	}
	return cap(*(*[]byte)(unsafe.Add(unsafe.Pointer(w.w), redconBufOffset)))
}

// pendingLen is len(w.Buffer()) without the copy.
func pendingLen(w *redcon.Writer) int {
	if redconBufOffset == 0 {
		return len(w.Buffer())
	}
	return len(*(*[]byte)(unsafe.Add(unsafe.Pointer(w), redconBufOffset)))
}

// Retarget sends later replies to rw instead (a subscriber's queue), in
// the same protocol.
func (w *Writer) Retarget(rw *redcon.Writer) { w.w = rw }

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

// StreamID writes id as the bulk string "ms-seq".
func (w *Writer) StreamID(id StreamID) {
	if w.idMsLen == 0 || id.Ms != w.idMs {
		w.idMs, w.idMsLen = id.Ms, len(strconv.AppendUint(w.idMsBuf[:0], id.Ms, 10))
	}
	var buf [64]byte // "$41\r\n" and the longest ID, 41 bytes, and "\r\n"
	b := append(buf[:0], '$', '0', '0', '\r', '\n')
	b = append(b, w.idMsBuf[:w.idMsLen]...)
	b = append(b, '-')
	b = strconv.AppendUint(b, id.Seq, 10)
	n := len(b) - 5
	b[1], b[2] = '0'+byte(n/10), '0'+byte(n%10)
	if n < 10 {
		b = b[1:] // one digit of length: drop the leading zero's slot
		b[0], b[1] = '$', '0'+byte(n)
	}
	w.w.WriteRaw(append(b, '\r', '\n'))
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

// Pairs writes the header of n two-element pairs, as ZRANGE WITHSCORES,
// ZRANDMEMBER WITHSCORES, ZPOPMIN with a count and HRANDFIELD WITHVALUES
// reply: RESP2 flattens them into one array of 2n elements, RESP3 nests
// each pair in an array of two (Redis 7). Call Pair before writing each
// pair's two elements.
func (w *Writer) Pairs(n int) {
	if w.proto == 3 {
		w.w.WriteArray(n)
		return
	}
	w.w.WriteArray(2 * n)
}

// Pair starts one pair of a Pairs reply: an array of two in RESP3,
// nothing in RESP2.
func (w *Writer) Pair() {
	if w.proto == 3 {
		w.w.WriteRaw(pairReply3)
	}
}

var pairReply3 = []byte("*2\r\n") // also RESP2's map entry

// EntryMap writes the header of a map of n entries that RESP2 sends as an
// array of [key, value] arrays rather than flattened (XREAD and
// XREADGROUP, keyed by stream). Call MapEntry before each entry's key.
func (w *Writer) EntryMap(n int) {
	if w.proto == 3 {
		w.aggregate('%', n, 0)
		return
	}
	w.w.WriteArray(n)
}

// MapEntry starts one entry of an EntryMap: an array of two in RESP2,
// nothing in RESP3.
func (w *Writer) MapEntry() {
	if w.proto != 3 {
		w.w.WriteRaw(pairReply3)
	}
}

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

// Bool writes a yes/no answer as the integer 1 or 0, in both protocols:
// every Redis 7 command that answers yes or no (SETNX, EXPIRE, PERSIST,
// RENAMENX, MOVE, COPY, HSETNX, HEXISTS, SISMEMBER, SMOVE…) replies with
// an integer even in RESP3. Use Boolean for a RESP3 boolean.
func (w *Writer) Bool(v bool) {
	if v {
		w.w.WriteRaw(oneReply)
	} else {
		w.w.WriteRaw(zeroReply)
	}
}

// Boolean writes a RESP3 boolean (#t/#f), or the integer 1/0 in RESP2, as
// Redis's addReplyBool. No Redis 7 command replies with one; a Lua script
// that calls redis.setresp(3) and returns a boolean does.
func (w *Writer) Boolean(v bool) {
	switch {
	case w.proto != 3:
		w.Bool(v)
	case v:
		w.w.WriteRaw(trueReply)
	default:
		w.w.WriteRaw(falseReply)
	}
}

var (
	oneReply   = []byte(":1\r\n")
	zeroReply  = []byte(":0\r\n")
	trueReply  = []byte("#t\r\n")
	falseReply = []byte("#f\r\n")
)

// Verbatim writes text that RESP3 marks as verbatim ("txt"), as INFO and
// CLIENT LIST replies are; RESP2 sends a bulk string.
func (w *Writer) Verbatim(s string) { w.VerbatimFormat("txt", s) }

// VerbatimFormat writes a verbatim string with a three-letter format
// ("txt", "mkd"), as Redis's addReplyVerbatim: a bulk string in RESP2.
func (w *Writer) VerbatimFormat(format, s string) {
	if w.proto == 3 {
		b := append(w.scratch[:0], '=')
		b = strconv.AppendInt(b, int64(len(s)+4), 10)
		b = append(b, '\r', '\n')
		b = append(b, format...)
		w.w.WriteRaw(append(b, ':'))
		w.w.WriteRaw(bytesOf(s)) // copied into the buffer
		w.w.WriteRaw(crlf)
		return
	}
	w.w.WriteBulkString(s)
}

// BigNumber writes an integer too large for a 64-bit reply, given as its
// decimal digits: a RESP3 big number, a bulk string in RESP2 (Redis's
// addReplyBigNum). Line breaks, which a script's {big_number=…} may hold,
// become spaces, as Redis maps them, so they cannot end the reply early.
func (w *Writer) BigNumber(digits string) {
	if strings.ContainsAny(digits, "\r\n") {
		digits = strings.NewReplacer("\r", " ", "\n", " ").Replace(digits)
	}
	if w.proto == 3 {
		w.w.WriteRaw(bigNumberMark)
		w.w.WriteRaw(bytesOf(digits)) // copied into the buffer
		w.w.WriteRaw(crlf)
		return
	}
	w.w.WriteBulkString(digits)
}

var (
	crlf          = []byte("\r\n")
	bigNumberMark = []byte("(")
)

// bytesOf views s as bytes without copying, for WriteRaw, which copies.
func bytesOf(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// Raw writes pre-encoded RESP.
func (w *Writer) Raw(b []byte) { w.w.WriteRaw(b) }

// AppendDouble formats f as Redis formats a double reply (see
// num.AppendFloat).
func AppendDouble(b []byte, f float64) []byte { return num.AppendFloat(b, f) }
