package protocol

import (
	"bytes"
	"errors"
	"io"

	"github.com/tidwall/redcon"
)

// RequestReader reads a client's request stream and splits it into
// commands, in one pass over the bytes. It checks the framing as Redis's
// processMultibulkBuffer does:
//
//   - a multibulk count that is not an integer, or over 2^31-1, is
//     "invalid multibulk length"; a count of 0 or less is ignored;
//   - a bulk length that is not an integer, negative, or over
//     proto-max-bulk-len is "invalid bulk length", found as soon as the
//     header arrives rather than after the payload;
//   - a missing '$' is "expected '$', got 'x'";
//   - the two bytes after a payload are skipped, whatever they are;
//   - header lines and inline requests are capped at 64 KiB.
//
// The requests before a fault are returned with it, to be answered first;
// then the client gets "-ERR Protocol error: …" and the connection closes,
// as in Redis.
type RequestReader struct {
	rd io.Reader
	// MaxBulkLen returns proto-max-bulk-len.
	MaxBulkLen func() int64
	// AuthRequired reports whether the client still has to authenticate;
	// Redis then caps request sizes to stop unauthenticated memory use.
	AuthRequired func() bool
	// QueryLimit returns client-query-buffer-limit: a request whose
	// declared size exceeds it closes the connection without a reply, as
	// Redis does. Nil or a result <= 0 means no limit.
	QueryLimit func() int64
	// OnQueryLimit is called once when a request exceeds QueryLimit.
	OnQueryLimit func(size int64)
	// OnPartial, if set, is called before a read that is to complete a
	// request whose first bytes are buffered: the query buffer has grown
	// without a request to run, so its owner can account for it (client
	// eviction, CLIENT LIST) while the rest arrives.
	OnPartial func()

	buf        []byte // buf[start:end] is read but not yet returned
	start, end int
	batchFrom  int   // where the requests ReadBatch last returned begin in buf
	readErr    error // the read error to report once the buffer is drained
	starved    bool  // the last read found no bytes (ErrWouldBlock)
	err        error // sticky: a fault or the query limit
	bulkMax    int64 // MaxBulkLen and QueryLimit, read once per batch
	queryMax   int64

	// The request at buf[start:], framed as far as the bytes allow, so a
	// request that arrives over many reads is scanned once.
	off   int   // offset from start of the next unframed byte
	argc  int64 // bulk strings still to frame; 0 = at the request's header
	body  int64 // length of the bulk whose payload starts at off; -1 = at a '$' header
	req   int64 // bytes the request's bulks declare so far (query limit)
	marks []int // [from, to) offsets from start of the bulks framed so far

	// Per batch, reused: argument offsets of every whole request, and the
	// requests returned.
	spans  []int
	counts []int // bulks per request; -1-i marks inline request i
	inline [][][]byte
	cmds   [][][]byte

	// The batch's argument bytes and vectors, which the next batch reuses
	// unless Keep lets them go.
	data    []byte
	argv    [][]byte
	batches int // ReadBatch calls, for poisonReused
}

// ProtocolError is a malformed request: the client gets
// "-ERR Protocol error: <Msg>" and the connection closes.
type ProtocolError struct{ Msg string }

func (e *ProtocolError) Error() string { return "Protocol error: " + e.Msg }

// Reply is the error reply the client gets.
func (e *ProtocolError) Reply() []byte { return []byte("-ERR Protocol error: " + e.Msg + "\r\n") }

// ErrQueryLimit is returned when a request exceeds the query buffer limit;
// the connection closes without a reply.
var ErrQueryLimit = errors.New("client query buffer limit reached")

// ErrWouldBlock is what a non-blocking source's Read returns when no bytes
// have arrived. ReadBatch then returns it with no requests, keeping what
// it has read, and the next call goes on from there.
var ErrWouldBlock = errors.New("no bytes available")

const (
	maxHeaderLine = 64 * 1024 // Redis's PROTO_INLINE_MAX_SIZE
	maxDigits     = 32        // longer header lines cannot be valid numbers
	readChunk     = 16 * 1024
)

// NewRequestReader returns a reader of the requests rd carries.
func NewRequestReader(rd io.Reader, maxBulkLen func() int64) *RequestReader {
	return &RequestReader{rd: rd, MaxBulkLen: maxBulkLen, body: -1}
}

// ReadBatch returns every whole request that has arrived, reading from the
// connection until there is at least one. Each request is its argument
// vector. The requests' bytes are copied out of the read buffer once per
// batch, into a buffer the next call reuses: the arguments are valid until
// then, unless Keep is called. The returned outer slice is reused too.
// With a *ProtocolError the requests before the fault come with it; after
// that, and after any other error, it returns no requests and the error.
func (r *RequestReader) ReadBatch() ([][][]byte, error) {
	r.recycle()
	for {
		if r.err != nil {
			return nil, r.err
		}
		cmds := r.frameBuffered()
		if r.err == ErrQueryLimit {
			return nil, r.err // the whole read is dropped, as Redis frees the client
		}
		if len(cmds) > 0 {
			if _, fault := r.err.(*ProtocolError); fault {
				return cmds, r.err
			}
			return cmds, nil
		}
		if r.err != nil {
			continue
		}
		if r.readErr != nil {
			r.err = r.readErr
			continue
		}
		if r.starved {
			r.starved = false
			return nil, ErrWouldBlock
		}
		r.fill()
	}
}

// Keep leaves the current batch's arguments to whoever holds them (a
// MULTI queue): the next batch gets buffers of its own.
func (r *RequestReader) Keep() { r.data, r.argv = nil, nil }

// The largest argument buffers kept for the next batch. A pipeline of
// small commands fits; a batch of large values is copied into new buffers,
// as its values make garbage anyway. So an idle client holds at most
// 20 KiB of them, however large its last batch was.
const (
	maxReusedBytes = 8 << 10
	maxReusedArgs  = 512
)

// poisonReused makes recycle, at every other batch, overwrite the last
// batch's arguments and start new buffers of the same capacity; the
// batches between reuse them as usual. Race-detector builds (the test
// suite) turn it on, so that code keeping arguments without Keep reads
// garbage or another batch's bytes and fails, while the suite still runs
// the reuse it relies on.
var poisonReused bool

// recycle readies the buffers for a new batch once the last one has run.
func (r *RequestReader) recycle() {
	// Drop the references to the last batch's requests, or an idle client
	// would keep a large inline request alive.
	clear(r.cmds[:cap(r.cmds)])
	clear(r.inline[:cap(r.inline)])
	r.cmds, r.inline = r.cmds[:0], r.inline[:0]
	r.batches++
	if poisonReused && r.batches%2 == 0 {
		poison(r.data[:cap(r.data)])
		clear(r.argv[:cap(r.argv)])
		// New buffers of the same size: the client's memory figure
		// (CLIENT LIST's tot-mem, client eviction) stays what a build
		// without poisoning reports.
		r.data, r.argv = make([]byte, 0, cap(r.data)), make([][]byte, 0, cap(r.argv))
	}
	if cap(r.data) > maxReusedBytes || cap(r.argv) > maxReusedArgs {
		r.Keep()
	}
}

// poison fills b with 0xdb bytes by doubling copies: under the race
// detector a byte loop over an 8 MB request was still running when
// TestRequestReaderReleasesBatch looked at the heap.
func poison(b []byte) {
	if len(b) == 0 {
		return
	}
	b[0] = 0xdb
	for n := 1; n < len(b); n *= 2 {
		copy(b[n:], b[:n])
	}
}

// Buffered is the number of bytes read and not yet returned.
func (r *RequestReader) Buffered() int { return r.end - r.start }

// QueryBuf reports the read buffer as Redis's CLIENT LIST shows a query
// buffer. used (qbuf) is what was read and not let go: while the batch
// ReadBatch returned runs (running), its requests and any partial request
// after them, as Redis trims its buffer only once what it read has run;
// between batches, the partial request. free (qbuf-free) is the rest of
// the buffer's capacity.
func (r *RequestReader) QueryBuf(running bool) (used, free int) {
	from := r.start
	switch {
	case running:
		from = min(r.batchFrom, r.start)
	case r.body >= bigArg && r.argc > 0:
		// A large bulk arriving: Redis moves it to the start of its
		// query buffer (processMultibulkBuffer), the request's header
		// and earlier arguments being argv by then.
		from = r.start + r.off
	}
	used = r.end - from
	return used, max(cap(r.buf)-used, 0)
}

// bigArg is Redis's PROTO_MBULK_BIG_ARG.
const bigArg = 32 * 1024

// Held is the bytes the reader holds: its read buffer and the argument
// buffers it keeps for the next batch (a client's query buffer and argv
// memory, in Redis's terms).
func (r *RequestReader) Held() int {
	return cap(r.buf) + cap(r.data) + cap(r.argv)*sliceHeader
}

// sliceHeader is the size of a []byte.
const sliceHeader = 24

// Shrink lets the read buffer go when it holds nothing, so an idle client
// costs no buffer (Redis frees the query buffer of a client idle for more
// than 2 seconds). The next read allocates a new one.
func (r *RequestReader) Shrink() {
	if r.start == r.end && r.off == 0 && r.argc == 0 && r.err == nil {
		r.buf, r.start, r.end, r.batchFrom = nil, 0, 0, 0
	}
}

// fill reads more bytes, making room for the request being framed.
func (r *RequestReader) fill() {
	if r.OnPartial != nil && r.end > r.start {
		r.OnPartial()
	}
	need := readChunk
	if r.body >= 0 { // a payload of known length: room for all of it at once
		need = max(need, r.off+int(r.body)+2)
	}
	if r.end-r.start == 0 {
		r.start, r.end = 0, 0
		if cap(r.buf) > 4*readChunk { // let a large request's buffer go
			r.buf = nil
		}
	}
	switch {
	case cap(r.buf) == 0:
		r.buf = make([]byte, max(need, readChunk))
	case cap(r.buf)-r.start < need || r.end == cap(r.buf):
		// Compact, growing to fit the request (no more: a 512 MB bulk
		// must not take 1 GB), or doubling when half full.
		size := max(cap(r.buf), 2*(r.end-r.start), need)
		nb := r.buf
		if size > cap(r.buf) {
			nb = make([]byte, size)
		}
		r.end = copy(nb[:cap(nb)], r.buf[r.start:r.end])
		r.buf, r.start = nb[:cap(nb)], 0
	}
	n, err := r.rd.Read(r.buf[r.end:cap(r.buf)])
	r.end += n
	switch {
	case err == ErrWouldBlock:
		r.starved = true
	case err != nil:
		r.readErr = err
	}
}

// frameBuffered frames the whole requests in the buffer and returns them.
func (r *RequestReader) frameBuffered() [][][]byte {
	r.spans, r.counts, r.inline = r.spans[:0], r.counts[:0], r.inline[:0]
	// The limits are read once per batch, not once per bulk string.
	r.bulkMax, r.queryMax = r.maxBulk(), 0
	if r.QueryLimit != nil {
		r.queryMax = r.QueryLimit()
	}
	first := r.start
	for r.start < r.end {
		n, ok := r.frame(r.buf[r.start:r.end])
		if !ok {
			break
		}
		r.start += n
	}
	if len(r.counts) == 0 {
		return nil
	}
	r.batchFrom = first
	return r.collect(first)
}

// frame advances the request at the start of b. It returns the request's
// length and true when the request is whole (recording it in spans or
// inline), or false when more bytes are needed or a fault was found.
func (r *RequestReader) frame(b []byte) (int, bool) {
	if r.argc == 0 {
		if b[0] != '*' {
			return r.frameInline(b)
		}
		n, line, valid := shortLength(b, 1)
		if !valid {
			var ok bool
			if line, ok = r.headerLine(b, 1, "too big mbulk count string"); !ok {
				return 0, false
			}
			n, valid = parseHeaderInt(b[1:line])
		}
		switch {
		case !valid || n > 1<<31-1:
			return r.fail("invalid multibulk length")
		case n <= 0:
			return line + 2, true // Redis ignores empty multibulks
		case n > 10 && r.authRequired():
			return r.fail("unauthenticated multibulk length")
		}
		r.argc, r.off, r.body, r.req, r.marks = n, line+2, -1, 0, r.marks[:0]
	}
	for r.argc > 0 {
		if r.body < 0 {
			if r.off >= len(b) {
				return 0, false
			}
			if b[r.off] != '$' {
				return r.fail("expected '$', got '" + string(b[r.off]) + "'")
			}
			n, line, ok := shortLength(b, r.off+1)
			if !ok {
				if line, ok = r.headerLine(b, r.off+1, "too big bulk count string"); !ok {
					return 0, false
				}
				n, ok = parseHeaderInt(b[r.off+1 : line])
				if !ok {
					return r.fail("invalid bulk length")
				}
			}
			if n < 0 || n > r.bulkMax {
				return r.fail("invalid bulk length")
			}
			if n > 16384 && r.authRequired() {
				return r.fail("unauthenticated bulk length")
			}
			if r.overQueryLimit(n) {
				return 0, false
			}
			r.off, r.body = line+2, n
		}
		if int64(len(b)-r.off) < r.body+2 {
			return 0, false
		}
		end := r.off + int(r.body)
		r.marks = append(r.marks, r.off, end)
		r.off, r.body = end+2, -1
		r.argc--
	}
	for _, m := range r.marks {
		r.spans = append(r.spans, r.start+m)
	}
	r.counts = append(r.counts, len(r.marks)/2)
	n := r.off
	r.off = 0
	return n, true
}

// headerLine finds the '\r' ending the header line that starts at from,
// and checks the byte after it has arrived (it is skipped unread, as the
// '\n' Redis expects). ok is false when more bytes are needed, or after a
// fault.
func (r *RequestReader) headerLine(b []byte, from int, tooBig string) (int, bool) {
	i := bytes.IndexByte(b[from:], '\r')
	if i < 0 {
		if len(b)-from > maxHeaderLine {
			r.fail(tooBig)
		}
		return 0, false
	}
	if i > maxHeaderLine {
		r.fail(tooBig)
		return 0, false
	}
	if from+i+1 >= len(b) {
		return 0, false
	}
	return from + i, true
}

// frameInline frames a request sent as a line of text: arguments split at
// spaces, with redcon's quoting rules.
func (r *RequestReader) frameInline(b []byte) (int, bool) {
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		if len(b) > maxHeaderLine {
			r.fail("too big inline request")
		}
		return 0, false
	}
	line := b[:i+1]
	text := bytes.TrimSuffix(line[:i], []byte("\r"))
	if len(bytes.Trim(text, " ")) == 0 {
		return i + 1, true // a blank line is no request
	}
	cmd, err := redcon.Parse(line)
	if err != nil {
		r.fail("unbalanced quotes in request")
		return 0, false
	}
	if len(cmd.Args) == 0 {
		return i + 1, true
	}
	r.counts = append(r.counts, -1-len(r.inline))
	r.inline = append(r.inline, cmd.Args)
	return i + 1, true
}

// collect copies the whole requests, which start at buf[first:], out of
// the read buffer and slices them into argument vectors. Each argument's
// capacity ends with it, so appending to one never overwrites the next.
func (r *RequestReader) collect(first int) [][][]byte {
	last := first
	if len(r.spans) > 0 {
		last = r.spans[len(r.spans)-1]
	}
	data := grow(r.data, last-first)
	copy(data, r.buf[first:last])
	argv := grow(r.argv, len(r.spans)/2)
	r.data, r.argv = data, argv
	r.cmds = r.cmds[:0]
	k := 0
	for _, n := range r.counts {
		if n < 0 {
			r.cmds = append(r.cmds, r.inline[-1-n])
			continue
		}
		args := argv[k : k+n : k+n]
		for j := range args {
			from, to := r.spans[2*(k+j)]-first, r.spans[2*(k+j)+1]-first
			args[j] = data[from:to:to]
		}
		k += n
		r.cmds = append(r.cmds, args)
	}
	return r.cmds
}

// grow returns b resized to n, in place when it has room.
func grow[T any](b []T, n int) []T {
	if cap(b) < n {
		return make([]T, n, max(n, 2*cap(b)))
	}
	return b[:n]
}

func (r *RequestReader) fail(msg string) (int, bool) {
	r.err = &ProtocolError{Msg: msg}
	return 0, false
}

// overQueryLimit adds a bulk of n bytes to the current request and ends
// the connection when the request outgrows the query buffer limit.
func (r *RequestReader) overQueryLimit(n int64) bool {
	r.req += n
	if limit := r.queryMax; limit <= 0 || r.req <= limit {
		return false
	}
	if r.OnQueryLimit != nil {
		r.OnQueryLimit(r.req)
	}
	r.err = ErrQueryLimit
	return true
}

func (r *RequestReader) maxBulk() int64 {
	if r.MaxBulkLen == nil {
		return 512 << 20
	}
	return r.MaxBulkLen()
}

func (r *RequestReader) authRequired() bool {
	return r.AuthRequired != nil && r.AuthRequired()
}

// shortLength is the fast path for a count or length of up to 9 digits in
// canonical form ("0", or no leading zero) followed by '\r' and one more
// byte, as every client sends: it returns the length and the index of the
// '\r'. Anything else (ok false) goes through headerLine and
// parseHeaderInt, which also find the errors.
func shortLength(b []byte, from int) (n int64, cr int, ok bool) {
	i := from
	for ; i < len(b) && i-from < 9; i++ {
		c := b[i]
		if c < '0' || c > '9' {
			break
		}
		n = n*10 + int64(c-'0')
	}
	if i == from || i+1 >= len(b) || b[i] != '\r' || (b[from] == '0' && i-from > 1) {
		return 0, 0, false
	}
	return n, i, true
}

// parseHeaderInt parses a multibulk count or bulk length as string2ll does.
func parseHeaderInt(b []byte) (int64, bool) {
	if len(b) > maxDigits {
		return 0, false
	}
	return ParseInt(b)
}
