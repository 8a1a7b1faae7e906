package protocol

import (
	"bytes"
	"errors"
	"io"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tidwall/redcon"
)

// chunkReader hands out a fixed input a few bytes per Read, as a slow
// client's packets would arrive.
type chunkReader struct {
	in     []byte
	chunk  int
	starve bool // every other Read finds nothing, as on a non-blocking socket
	empty  bool
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if c.starve {
		if c.empty = !c.empty; c.empty {
			return 0, ErrWouldBlock
		}
	}
	if len(c.in) == 0 {
		return 0, io.EOF
	}
	n := min(len(p), c.chunk, len(c.in))
	copy(p, c.in[:n])
	c.in = c.in[n:]
	return n, nil
}

// readAll reads every request from input fed in chunks of the given size.
// It returns the requests, each as its arguments joined by spaces, and the
// protocol error reply the client would get, if any.
func readAll(input string, chunk int) (reqs []string, reply string, err error) {
	reqs, reply, _, err = readAllLeft(input, chunk)
	return reqs, reply, err
}

// readAllLeft is readAll that also returns how many bytes were left over,
// in an unfinished request.
func readAllLeft(input string, chunk int) (reqs []string, reply string, left int, err error) {
	r := NewRequestReader(&chunkReader{in: []byte(input), chunk: chunk}, func() int64 { return 1 << 20 })
	defer func() { left = r.Buffered() }()
	for {
		cmds, err := r.ReadBatch()
		for _, args := range cmds {
			reqs = append(reqs, string(bytes.Join(args, []byte(" "))))
		}
		var pe *ProtocolError
		if errors.As(err, &pe) {
			return reqs, string(pe.Reply()), 0, err
		}
		if err != nil {
			return reqs, "", 0, err
		}
	}
}

func TestRequestReaderFraming(t *testing.T) {
	cases := []struct {
		in    string
		reqs  []string
		reply string
	}{
		{"*1\r\n$4\r\nPING\r\n", []string{"PING"}, ""},
		{"*0\r\n*-1\r\n*1\r\n$4\r\nPING\r\n", []string{"PING"}, ""},
		{"*1\r\n$4\r\nPINGxx*1\r\n$4\r\nECHO\r\n", []string{"PING", "ECHO"}, ""},
		{"PING\r\n\r\n  \r\nECHO  'a b'\r\n", []string{"PING", "ECHO a b"}, ""},
		{"*2\r\n$3\r\nGET\r\n$0\r\n\r\n", []string{"GET "}, ""},
		{"*1\r\n$4\r\nPING\r\n*1\r\n$2000000\r\n", []string{"PING"}, "-ERR Protocol error: invalid bulk length\r\n"},
		{"*1\r\n$99999999999999999999999\r\n", nil, "-ERR Protocol error: invalid bulk length\r\n"},
		{"*1\r\n$-1\r\n", nil, "-ERR Protocol error: invalid bulk length\r\n"},
		{"*1\r\n$01\r\nx\r\n", nil, "-ERR Protocol error: invalid bulk length\r\n"},
		{"*1\r\n$\r\n\r\n", nil, "-ERR Protocol error: invalid bulk length\r\n"},
		{"*1\r\n$0\r\n\r\n*01\r\n", []string{""}, "-ERR Protocol error: invalid multibulk length\r\n"},
		{"*2\r\n$3\r\nGET\r\n$1234567890\r\n", nil, "-ERR Protocol error: invalid bulk length\r\n"},
		{"*3000000000\r\n", nil, "-ERR Protocol error: invalid multibulk length\r\n"},
		{"*x\r\n", nil, "-ERR Protocol error: invalid multibulk length\r\n"},
		{"*1\r\n:4\r\n", nil, "-ERR Protocol error: expected '$', got ':'\r\n"},
		{"PING\r\nECHO \"a\r\n", []string{"PING"}, "-ERR Protocol error: unbalanced quotes in request\r\n"},
		{"*" + strings.Repeat("1", 70000), nil, "-ERR Protocol error: too big mbulk count string\r\n"},
		{"*1\r\n$" + strings.Repeat("1", 70000), nil, "-ERR Protocol error: too big bulk count string\r\n"},
		{strings.Repeat("x", 70000), nil, "-ERR Protocol error: too big inline request\r\n"},
		{"*2\r\n$3\r\nGET\r\n$1\r\n", nil, ""}, // cut short: nothing runs
	}
	for _, c := range cases {
		for _, chunk := range []int{1, 3, 4096, 1 << 20} {
			reqs, reply, _ := readAll(c.in, chunk)
			if strings.Join(reqs, "|") != strings.Join(c.reqs, "|") {
				t.Errorf("%.40q (chunk %d): requests %q, want %q", c.in, chunk, reqs, c.reqs)
			}
			if reply != c.reply {
				t.Errorf("%.40q (chunk %d): reply %q, want %q", c.in, chunk, reply, c.reply)
			}
		}
	}
}

// TestRequestReaderWouldBlock feeds requests from a non-blocking source:
// ReadBatch gives up when a read finds nothing, with no requests, and the
// next call carries on where it stopped, so the requests come out as from
// a blocking source.
func TestRequestReaderWouldBlock(t *testing.T) {
	big := strings.Repeat("v", 40000)
	input := "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\nPING inline\r\n" +
		"*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$40000\r\n" + big + "\r\n*1\r\n$4\r\nPING\r\n"
	want, _, err := readAll(input, 1<<20)
	if err != io.EOF || len(want) != 4 {
		t.Fatalf("blocking source: %d requests, %v", len(want), err)
	}
	for _, chunk := range []int{1, 2, 7, 100, 16 * 1024} {
		src := &chunkReader{in: []byte(input), chunk: chunk, starve: true}
		r := NewRequestReader(src, func() int64 { return 1 << 20 })
		var got []string
		starved := 0
		for {
			cmds, err := r.ReadBatch()
			for _, args := range cmds {
				got = append(got, string(bytes.Join(args, []byte(" "))))
			}
			if err == ErrWouldBlock {
				if len(cmds) > 0 {
					t.Fatalf("chunk %d: ErrWouldBlock came with %d requests", chunk, len(cmds))
				}
				starved++
				continue
			}
			if err != nil {
				if err != io.EOF {
					t.Fatalf("chunk %d: %v", chunk, err)
				}
				break
			}
		}
		if starved == 0 || strings.Join(got, "|") != strings.Join(want, "|") {
			t.Fatalf("chunk %d: starved %d times, got %d requests %.60q, want %.60q", chunk, starved, len(got), got, want)
		}
	}
}

func TestRequestReaderLimits(t *testing.T) {
	in := "*2\r\n$4\r\nECHO\r\n$3\r\nabc\r\n*12\r\n"
	r := NewRequestReader(&chunkReader{in: []byte(in), chunk: 1 << 20}, nil)
	r.AuthRequired = func() bool { return true }
	cmds, err := r.ReadBatch()
	var pe *ProtocolError
	if len(cmds) != 1 || !errors.As(err, &pe) || pe.Msg != "unauthenticated multibulk length" {
		t.Fatalf("got %q, %v; want ECHO then unauthenticated multibulk length", cmds, err)
	}

	// Over the query buffer limit the connection closes without a reply,
	// dropping the requests read with it, as Redis frees the client.
	var reported int64
	r = NewRequestReader(&chunkReader{in: []byte("*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nSET\r\n$100\r\n"), chunk: 1 << 20}, nil)
	r.QueryLimit = func() int64 { return 50 }
	r.OnQueryLimit = func(n int64) { reported = n }
	if cmds, err := r.ReadBatch(); len(cmds) != 0 || err != ErrQueryLimit || reported != 103 {
		t.Fatalf("got %q, %v, reported %d; want nothing, ErrQueryLimit, 103", cmds, err, reported)
	}
}

// TestRequestReaderKeep: arguments a caller keeps stay valid after later
// batches are read, and appending to one does not overwrite the next.
func TestRequestReaderKeep(t *testing.T) {
	in := strings.Repeat("*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n", 1000)
	r := NewRequestReader(&chunkReader{in: []byte(in), chunk: 50}, nil)
	var kept [][][]byte
	for {
		cmds, err := r.ReadBatch()
		if err != nil {
			break
		}
		kept = append(kept, cmds...)
		r.Keep()
	}
	_ = append(kept[0][0], 'X')
	for i, args := range kept {
		if len(args) != 2 || string(args[0]) != "GET" || string(args[1]) != "key" {
			t.Fatalf("request %d became %q", i, args)
		}
	}
	if len(kept) != 1000 {
		t.Fatalf("read %d requests, want 1000", len(kept))
	}
}

// TestRequestReaderReuse: without Keep, the next batch reuses the last
// one's buffers, allocating nothing, and its arguments are its own.
func TestRequestReaderReuse(t *testing.T) {
	defer func(p bool) { poisonReused = p }(poisonReused)
	poisonReused = false
	src := &chunkReader{chunk: 1 << 20}
	r := NewRequestReader(src, nil)
	batches := map[string][]byte{}
	for _, key := range []string{"one", "two", "six"} {
		batches[key] = []byte(strings.Repeat("*2\r\n$3\r\nGET\r\n$3\r\n"+key+"\r\n", 16))
	}
	next := func(key string) [][][]byte {
		src.in = batches[key]
		cmds, err := r.ReadBatch()
		if err != nil || len(cmds) != 16 {
			t.Fatalf("got %d requests, %v", len(cmds), err)
		}
		return cmds
	}
	first := next("one")
	held := first[15][1]
	if n := testing.AllocsPerRun(100, func() { next("two") }); n != 0 {
		t.Errorf("a batch after the first allocated %v times", n)
	}
	if cmds := next("six"); string(cmds[15][1]) != "six" || string(held) != "six" {
		t.Errorf("the last request's key is %q, the first batch's slice of it %q; want both six", cmds[15][1], held)
	}
}

// TestRequestReaderDropsLargeBuffers: after a large batch the reader goes
// back to small buffers, so an idle client does not keep a large batch's.
func TestRequestReaderDropsLargeBuffers(t *testing.T) {
	defer func(p bool) { poisonReused = p }(poisonReused)
	poisonReused = false
	src := &chunkReader{chunk: 1 << 20}
	r := NewRequestReader(src, nil)
	for _, n := range []int{500, 1} { // 500 requests: one read, 14 KB of arguments
		src.in = []byte(strings.Repeat("*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n", n))
		if cmds, err := r.ReadBatch(); err != nil || len(cmds) != n {
			t.Fatalf("got %d requests, %v; want %d", len(cmds), err, n)
		}
	}
	if cap(r.data) > maxReusedBytes || cap(r.argv) > maxReusedArgs {
		t.Errorf("after a batch of one request the reader holds %d bytes and %d argument slots", cap(r.data), cap(r.argv))
	}
}

// TestRequestReaderPoison: in race-detector builds, the test suite's, the
// reader overwrites a batch's arguments when the next is read, so code
// keeping them without Keep fails its tests. The new buffers are as large
// as the old: the memory a client holds (Held, CLIENT LIST's tot-mem)
// must not change with the poisoning, or Redis's client-eviction tests,
// which size maxmemory-clients to the byte, fail every other batch.
func TestRequestReaderPoison(t *testing.T) {
	if !poisonReused {
		t.Skip("arguments are poisoned only in race-detector builds")
	}
	in := "*4\r\n$6\r\nCONFIG\r\n$3\r\nSET\r\n$3\r\nkey\r\n$15\r\nvalue-fifteen-b\r\n" +
		"*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nECHO\r\n*1\r\n$4\r\nPING\r\n"
	r := NewRequestReader(&chunkReader{in: []byte(in), chunk: 14}, nil)
	if _, err := r.ReadBatch(); err != nil {
		t.Fatal(err)
	}
	first := r.Held()
	cmds, err := r.ReadBatch()
	if err != nil || len(cmds) != 1 {
		t.Fatalf("got %q, %v", cmds, err)
	}
	kept := cmds[0][0]
	for i := range 2 {
		if _, err := r.ReadBatch(); err != nil {
			t.Fatal(err)
		}
		if r.Held() != first {
			t.Errorf("batch %d: the reader holds %d bytes, %d after the first", i+3, r.Held(), first)
		}
	}
	if string(kept) != "\xdb\xdb\xdb\xdb" {
		t.Errorf("the second request's name reads %q after the next batch", kept)
	}
}

// FuzzRequestReader: whatever a client sends, the reader never panics,
// however the bytes are split; and where redcon's parser reads the input
// without error and the reader finds no fault, both see the same
// requests (redcon lets through some that Redis refuses, like "$\r\n";
// and it walks a cut-short request's whole declared count, so those are
// skipped). (Redis, and so the reader,
// skips the byte after a header's '\r' whatever it is; redcon wants '\n',
// so inputs with a lone '\r' or '\n' are only checked for consistency.)
func FuzzRequestReader(f *testing.F) {
	for _, s := range []string{"*1\r\n$4\r\nPING\r\n", "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n", "PING\r\n",
		"*0\r\n", "*1\r\n$-1\r\n", "SET a \"b c\"\r\n", "*1\r\n$9999999999999999999\r\n", "*2\r\n$1\r\na\r\n"} {
		f.Add(s, 7)
	}
	f.Fuzz(func(t *testing.T, in string, chunk int) {
		chunk = 1 + (chunk&0xffff)%4096
		got, reply, left, _ := readAllLeft(in, chunk)
		whole, _, _ := readAll(in, len(in)+1)
		if strings.Join(got, "|") != strings.Join(whole, "|") {
			t.Fatalf("in chunks of %d read %q, in one piece %q", chunk, got, whole)
		}
		if reply != "" || left > 0 || strings.Count(in, "\r") != strings.Count(in, "\r\n") || strings.Count(in, "\n") != strings.Count(in, "\r\n") {
			return
		}
		rd := redcon.NewReader(strings.NewReader(in))
		var want []string
		for {
			cmds, err := rd.ReadCommands()
			if err != nil {
				if err != io.EOF {
					return // malformed for redcon: framing rules differ
				}
				break
			}
			for _, c := range cmds {
				want = append(want, string(bytes.Join(c.Args, []byte(" "))))
			}
		}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Fatalf("read %q, redcon read %q", got, want)
		}
	})
}

// TestRequestReaderBufferStaysSmall: a client streaming large pipelined
// requests (the seeding workload's MSETs) must not make the read buffer
// grow to the size of the stream.
func TestRequestReaderBufferStaysSmall(t *testing.T) {
	var in bytes.Buffer
	val := strings.Repeat("v", 40)
	for range 300 {
		in.WriteString("*1001\r\n$4\r\nMSET\r\n")
		for range 500 {
			in.WriteString("$16\r\nrate:10000:10000\r\n$40\r\n" + val + "\r\n")
		}
	}
	stream := in.Bytes()
	before := liveHeap()
	r := NewRequestReader(&chunkReader{in: stream, chunk: 16 * 1024}, nil)
	n := 0
	for {
		cmds, err := r.ReadBatch()
		if err != nil {
			break
		}
		n += len(cmds)
	}
	retained := liveHeap() - before
	runtime.KeepAlive(r)
	if n != 300 {
		t.Fatalf("read %d requests, want 300", n)
	}
	if retained > 1<<20 {
		t.Fatalf("the reader retains %d bytes after a %d-byte stream; want its buffer near one request", retained, len(stream))
	}
}

func liveHeap() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

func BenchmarkRequestReader(b *testing.B) {
	batch := []byte(strings.Repeat("*3\r\n$3\r\nSET\r\n$16\r\nkey:000000012345\r\n$3\r\nxxx\r\n", 16))
	src := &chunkReader{chunk: 1 << 20}
	r := NewRequestReader(src, nil)
	b.SetBytes(int64(len(batch)))
	b.ReportAllocs()
	for range b.N {
		src.in = batch
		if cmds, err := r.ReadBatch(); err != nil || len(cmds) != 16 {
			b.Fatal(len(cmds), err)
		}
	}
}

// TestRequestReaderReleasesBatch: once the next read starts, the reader
// holds nothing of the previous batch, so an idle client does not keep a
// large request's bytes alive.
func TestRequestReaderReleasesBatch(t *testing.T) {
	big := strings.Repeat("v", 8<<20)
	in := "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$" + strconv.Itoa(len(big)) + "\r\n" + big + "\r\n"
	pr, pw := io.Pipe()
	wrote := make(chan struct{})
	go func() { pw.Write([]byte(in)); close(wrote) }()
	r := NewRequestReader(pr, nil)
	cmds, err := r.ReadBatch()
	if err != nil || len(cmds) != 1 {
		t.Fatalf("got %d requests, %v", len(cmds), err)
	}
	cmds = nil
	// The writer's 8 MB copy of the request is the test's, not the
	// reader's: wait until it is gone (a loaded machine may not have run
	// the writer's return yet, which made this test fail now and then).
	<-wrote
	done := make(chan struct{})
	go func() { r.ReadBatch(); close(done) }() // waits for more input
	time.Sleep(50 * time.Millisecond)
	if retained := liveHeap(); retained > 4<<20 {
		t.Errorf("%d bytes live while the reader waits after an 8 MB request", retained)
	}
	pw.Close()
	<-done
}

// QueryBuf shows what Redis's CLIENT LIST shows as qbuf: the whole batch
// (and a partial request after it) while it runs, only the partial request
// between batches; qbuf-free is the rest of the buffer. Shrink lets an
// empty buffer go.
func TestRequestReaderQueryBuf(t *testing.T) {
	get := "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n" // 20 bytes
	src := &chunkReader{in: []byte(get + get + "*2\r\n$3\r\nGE"), chunk: 1 << 20}
	r := NewRequestReader(src, nil)
	if cmds, err := r.ReadBatch(); err != nil || len(cmds) != 2 {
		t.Fatalf("ReadBatch = %d requests, %v", len(cmds), err)
	}
	if used, free := r.QueryBuf(true); used != 50 || used+free != cap(r.buf) {
		t.Errorf("running: qbuf %d, free %d (cap %d); want 50", used, free, cap(r.buf))
	}
	if used, _ := r.QueryBuf(false); used != 10 {
		t.Errorf("between batches: qbuf %d, want the partial request's 10", used)
	}
	r.Shrink() // not empty: kept
	if cap(r.buf) == 0 {
		t.Fatal("Shrink let a partial request's buffer go")
	}
	src.in = []byte("T\r\n$1\r\nk\r\n")
	if cmds, err := r.ReadBatch(); err != nil || len(cmds) != 1 {
		t.Fatalf("ReadBatch = %d requests, %v", len(cmds), err)
	}
	if used, _ := r.QueryBuf(true); used != 20 {
		t.Errorf("running the completed request: qbuf %d, want 20", used)
	}
	r.Shrink()
	if used, free := r.QueryBuf(false); used != 0 || free != 0 || r.buf != nil {
		t.Errorf("after Shrink: qbuf %d, free %d", used, free)
	}
	src.in = []byte(get)
	if cmds, err := r.ReadBatch(); err != nil || len(cmds) != 1 || string(cmds[0][1]) != "k" {
		t.Fatalf("ReadBatch after Shrink = %q, %v", cmds, err)
	}
}
