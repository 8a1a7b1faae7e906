package protocol

import (
	"errors"
	"net"
)

// Guard sits between a client's socket and redcon's parser and checks the
// framing of the request stream as Redis's processMultibulkBuffer does:
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
// Requests before the fault are passed on and answered first; then the
// client gets "-ERR Protocol error: …" and the connection closes, as in
// Redis. redcon never sees a length it could overflow on.
type Guard struct {
	net.Conn
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

	raw    []byte // bytes read from the socket, not yet framed
	out    []byte // framed bytes not yet returned to redcon
	bounds []int  // offsets in out where a complete request ends
	buf    []byte // out's reusable backing array, kept while small
	state  frameState
	hdr    []byte // the header line being read (digits only)
	args   int64  // bulk strings left in the current multibulk
	left   int64  // payload bytes left in the current bulk
	req    int64  // bytes the current multibulk request declares so far
	fault  string // protocol error found; sent once out drains
	done   error
}

// ErrQueryLimit is returned to redcon when a request exceeds the query
// buffer limit, so it closes the connection.
var ErrQueryLimit = errors.New("client query buffer limit reached")

// ErrProtocolClosed is returned to redcon after a protocol error reply has
// been sent, so it closes the connection.
var ErrProtocolClosed = errors.New("connection closed after protocol error")

type frameState uint8

const (
	stStart     frameState = iota // at the first byte of a request
	stMultiLine                   // reading the digits after '*'
	stMultiLF                     // the byte after the count's '\r'
	stBulkStart                   // expecting '$'
	stBulkLine                    // reading the digits after '$'
	stBulkLF                      // the byte after the length's '\r'
	stBody                        // payload bytes
	stBodyCR                      // first byte after the payload
	stBodyLF                      // second byte after the payload
	stInline                      // an inline request, up to '\n'
)

const (
	maxHeaderLine = 64 * 1024 // Redis's PROTO_INLINE_MAX_SIZE
	maxDigits     = 32        // longer header lines cannot be valid numbers
	readChunk     = 16 * 1024
)

// NewGuard wraps c.
func NewGuard(c net.Conn, maxBulkLen func() int64, authRequired func() bool) *Guard {
	return &Guard{Conn: c, MaxBulkLen: maxBulkLen, AuthRequired: authRequired}
}

// Unwrap returns the wrapped connection.
func (g *Guard) Unwrap() net.Conn { return g.Conn }

// Read returns framed request bytes, ending at a request boundary
// whenever one fits in p. redcon only compacts its read buffer when it has
// consumed everything in it, and doubles the buffer whenever a request is
// cut at its end: fed a partial request after every read, as a client
// streaming pipelined MSETs would cause, it grew to the size of the whole
// stream (32 MB for the 500k-key seeding workload) and kept it. Handing
// over whole requests lets it drain and reset to 4 KiB after each batch,
// so it only grows to fit the largest request.
func (g *Guard) Read(p []byte) (int, error) {
	for {
		if n := g.deliverable(len(p)); n > 0 {
			return g.deliver(p, n), nil
		}
		if g.done != nil || g.fault != "" {
			if len(g.out) > 0 { // a partial request before the end
				return g.deliver(p, min(len(p), len(g.out))), nil
			}
		}
		if g.done != nil {
			return 0, g.done
		}
		if g.fault != "" {
			g.Conn.Write([]byte("-ERR Protocol error: " + g.fault + "\r\n"))
			g.done = ErrProtocolClosed
			return 0, g.done
		}
		if cap(g.raw) == 0 {
			g.raw = make([]byte, readChunk)
		}
		n, err := g.Conn.Read(g.raw[:cap(g.raw)])
		if n > 0 {
			fresh := len(g.out) == 0
			if fresh {
				g.out = g.buf[:0] // reuse rather than regrow from nothing each read
			}
			g.frame(g.raw[:n])
			if fresh {
				g.buf = nil
				if cap(g.out) <= 64<<10 {
					g.buf = g.out[:0]
				}
			}
		}
		if err != nil {
			g.done = err
		}
	}
}

// deliverable is how many bytes of out to hand over into space: up to the
// last request boundary that fits, or all the space when the first request
// is bigger than it; 0 when out holds only the start of a request that
// would fit, so Read waits for the rest of it.
func (g *Guard) deliverable(space int) int {
	b := 0
	for _, x := range g.bounds {
		if x > space {
			break
		}
		b = x
	}
	if b > 0 {
		return b
	}
	if len(g.out) >= space {
		return space
	}
	return 0
}

// deliver copies the first n bytes of out into p and drops them.
func (g *Guard) deliver(p []byte, n int) int {
	copy(p, g.out[:n])
	g.out = g.out[n:]
	i := 0
	for i < len(g.bounds) && g.bounds[i] <= n {
		i++
	}
	g.bounds = append(g.bounds[:0], g.bounds[i:]...)
	for j := range g.bounds {
		g.bounds[j] -= n
	}
	if len(g.out) == 0 {
		g.out = g.out[:0:0]
	}
	return n
}

// frame runs the framing state machine over b, appending what redcon
// should see to g.out.
func (g *Guard) frame(b []byte) {
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch g.state {
		case stStart:
			if c == '*' {
				g.state, g.hdr = stMultiLine, g.hdr[:0]
				continue
			}
			g.state, g.left = stInline, 0
			i--
		case stInline:
			j := indexByte(b[i:], '\n')
			if j < 0 {
				g.out = append(g.out, b[i:]...)
				g.left += int64(len(b) - i)
				if g.left > maxHeaderLine {
					g.fail("too big inline request")
				}
				return
			}
			g.out = append(g.out, b[i:i+j+1]...)
			g.bounds = append(g.bounds, len(g.out))
			i += j
			g.state = stStart
		case stMultiLine, stBulkLine:
			if c != '\r' {
				g.hdr = append(g.hdr, c)
				if len(g.hdr) > maxHeaderLine {
					if g.state == stMultiLine {
						g.fail("too big mbulk count string")
					} else {
						g.fail("too big bulk count string")
					}
					return
				}
				continue
			}
			if g.state == stMultiLine {
				g.state = stMultiLF
			} else {
				g.state = stBulkLF
			}
		case stMultiLF:
			n, ok := parseHeaderInt(g.hdr)
			switch {
			case !ok || n > 1<<31-1:
				g.fail("invalid multibulk length")
				return
			case n <= 0:
				g.state = stStart // Redis ignores empty multibulks
				continue
			case n > 10 && g.authRequired():
				g.fail("unauthenticated multibulk length")
				return
			}
			g.out = append(g.out, '*')
			g.out = append(append(g.out, g.hdr...), '\r', '\n')
			g.args, g.state, g.req = n, stBulkStart, 0
		case stBulkStart:
			if c != '$' {
				g.fail("expected '$', got '" + string(c) + "'")
				return
			}
			g.state, g.hdr = stBulkLine, g.hdr[:0]
		case stBulkLF:
			n, ok := parseHeaderInt(g.hdr)
			if !ok || n < 0 || n > g.maxBulk() {
				g.fail("invalid bulk length")
				return
			}
			if n > 16384 && g.authRequired() {
				g.fail("unauthenticated bulk length")
				return
			}
			if g.overQueryLimit(n) {
				return
			}
			g.out = append(g.out, '$')
			g.out = append(append(g.out, g.hdr...), '\r', '\n')
			g.left, g.state = n, stBody
			if n == 0 {
				g.state = stBodyCR
			}
		case stBody:
			take := int64(len(b) - i)
			if take > g.left {
				take = g.left
			}
			g.out = append(g.out, b[i:i+int(take)]...)
			g.left -= take
			i += int(take) - 1
			if g.left == 0 {
				g.state = stBodyCR
			}
		case stBodyCR:
			g.out = append(g.out, '\r')
			g.state = stBodyLF
		case stBodyLF:
			g.out = append(g.out, '\n')
			g.args--
			if g.args == 0 {
				g.state = stStart
				g.bounds = append(g.bounds, len(g.out))
			} else {
				g.state = stBulkStart
			}
		}
	}
}

func (g *Guard) fail(msg string) { g.fault = msg }

// overQueryLimit adds a bulk of n bytes to the current request and ends
// the connection when the request outgrows the query buffer limit.
func (g *Guard) overQueryLimit(n int64) bool {
	if g.QueryLimit == nil {
		return false
	}
	g.req += n
	limit := g.QueryLimit()
	if limit <= 0 || g.req <= limit {
		return false
	}
	if g.OnQueryLimit != nil {
		g.OnQueryLimit(g.req)
	}
	g.out = g.out[:0] // the request is dropped whole, as Redis frees the client
	g.bounds = g.bounds[:0]
	g.done = ErrQueryLimit
	return true
}

func (g *Guard) maxBulk() int64 {
	if g.MaxBulkLen == nil {
		return 512 << 20
	}
	return g.MaxBulkLen()
}

func (g *Guard) authRequired() bool {
	return g.AuthRequired != nil && g.AuthRequired()
}

// parseHeaderInt parses a multibulk count or bulk length as string2ll does.
func parseHeaderInt(b []byte) (int64, bool) {
	if len(b) > maxDigits {
		return 0, false
	}
	return ParseInt(b)
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}
