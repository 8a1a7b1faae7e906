package pebblestore

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/cockroachdb/pebble/v2/vfs"
)

// The journal is Cairn's own write-ahead log, in the manner of Redis's
// AOF: a commit appends its batch to a buffer under the keyspace lock, a
// barrier hands the buffer to the OS at the end of the current segment
// file, a copy into its mapping (see put) or one write(2), and fsyncs it
// under always; nothing touches Pebble on the command path. Inserting
// every write into Pebble's memtable, a skiplist that misses the cache at
// each level for random keys, cost half the CPU of a SET. Full segments are folded into Pebble in the
// background (see fold.go), which is then a checkpoint of the journal.
//
// A segment is a file named NNNNNN.journal in the data directory, a
// sequence of records:
//
//	len   uint32, little-endian: the payload's length
//	crc   uint32, little-endian: CRC-32C of the payload
//	payload                     a Pebble batch representation
//
// A crash can tear the last record of the last segment; replay stops
// there. Earlier segments were fsynced when they were closed, so a bad
// record in one of them is corruption and Open refuses it.
type journal struct {
	fs  vfs.FS
	dir string

	mu  sync.Mutex // guards buf; held by Commit and by the writer's swap
	buf []byte     // records committed and not yet written

	// The writer (Flush's leader, Sync, rotation) holds wmu; it alone
	// touches the file and the fields below.
	wmu   sync.Mutex
	spare []byte
	file  vfs.File
	raw   bool   // file is an OS file: writeFile may use pwrite(2) directly
	seq   uint64 // the segment being written
	size  int64  // its length
	alloc int64  // its length with the space allocated ahead (see grow)
	// win maps the segment's allocated space from file offset winOff;
	// put copies records into it (see put).
	win    []byte
	winOff int64
	noMap  bool // a mapping failed: put writes from then on

	// syncMu is held while the current file is fsynced outside wmu, and
	// by whoever closes that file.
	syncMu sync.Mutex

	written atomic.Uint64 // bytes written to segments since Open
}

const (
	journalSuffix = ".journal"
	recordHeader  = 8
	// keepBuffer is the largest buffer the writer keeps for reuse; a
	// burst (bulk seeding) should not pin its peak forever.
	keepBuffer = 4 << 20
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// ErrJournalCorrupt: a journal segment other than the last holds a record
// that fails its checksum, so replaying past it would skip acknowledged
// writes.
var ErrJournalCorrupt = errors.New("journal segment is corrupt")

func segmentName(seq uint64) string { return fmt.Sprintf("%06d%s", seq, journalSuffix) }

// parseSegment returns the number of a segment file name.
func parseSegment(name string) (uint64, bool) {
	num, ok := strings.CutSuffix(name, journalSuffix)
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseUint(num, 10, 64)
	return n, err == nil
}

func (j *journal) path(seq uint64) string { return j.fs.PathJoin(j.dir, segmentName(seq)) }

// segments lists the segment numbers in the directory, oldest first.
func (j *journal) segments() ([]uint64, error) {
	names, err := j.fs.List(j.dir)
	if err != nil {
		return nil, err
	}
	var seqs []uint64
	for _, n := range names {
		if seq, ok := parseSegment(n); ok {
			seqs = append(seqs, seq)
		}
	}
	sort.Slice(seqs, func(a, b int) bool { return seqs[a] < seqs[b] })
	return seqs, nil
}

// append adds one batch representation to the buffer. The caller holds
// j.mu.
func (j *journal) append(repr []byte) {
	var h [recordHeader]byte
	binary.LittleEndian.PutUint32(h[0:4], uint32(len(repr)))
	binary.LittleEndian.PutUint32(h[4:8], crc32.Checksum(repr, castagnoli))
	j.buf = append(j.buf, h[:]...)
	j.buf = append(j.buf, repr...)
}

// create opens segment seq for writing and makes its name durable.
func (j *journal) create(seq uint64) error {
	f, err := j.fs.Create(j.path(seq), vfs.WriteCategoryUnspecified)
	if err != nil {
		return err
	}
	if err := syncDir(j.fs, j.dir); err != nil {
		f.Close()
		return err
	}
	j.file, j.seq, j.size, j.alloc = f, seq, 0, 0
	j.raw = rawWritable(j.fs, f)
	return nil
}

// preallocStep is how far ahead of the records grow allocates.
const preallocStep = 4 << 20

// grow allocates space for n more bytes, preallocStep at a time, so that
// an fdatasync of a write into the segment does not also have to commit
// a new file size: on ext4 here, 100–125 µs against 145–180 for an
// append. The file's length includes the allocated zeros; replay takes
// them for the end of the journal (a zero length is no record), and close
// cuts them off. Only OS files, and only where fallocate works.
func (j *journal) grow(n int) {
	if !j.raw || j.alloc < 0 || j.size+int64(n) <= j.alloc {
		return
	}
	step := max(int64(preallocStep), int64(n))
	if allocate(j.file, j.alloc, step) != nil {
		j.alloc = -1 // not supported: append as before
		return
	}
	j.alloc += step
}

// writeOut hands the buffered records to the OS. The caller holds j.wmu.
// take is called with j.mu held at the moment the buffer is taken, so the
// caller can tell which commits the write covers.
func (j *journal) writeOut(take func()) error {
	j.mu.Lock()
	buf := j.buf
	j.buf = j.spare[:0]
	take()
	j.mu.Unlock()
	if len(buf) > 0 {
		n, err := j.put(buf)
		j.size += int64(n)
		j.written.Add(uint64(n))
		if err != nil {
			return err
		}
	}
	if cap(buf) <= keepBuffer {
		j.spare = buf[:0]
	} else {
		j.spare = nil
	}
	return nil
}

// put hands p to the OS at the end of the segment. Within the space
// grow allocated, that is a copy into a shared mapping of it: the bytes
// land in the page cache as a write(2) would put them there, so they
// survive the process being killed and fdatasync makes them durable, but
// without a system call. At -P 1 under everysec a round serves about two
// requests, and its barrier took 1.29 µs with the write(2), 0.43 with the
// copy, page faults included (BenchmarkBarrier). Elsewhere (no fallocate,
// a test's filesystem, a failed mapping) it is a write.
func (j *journal) put(p []byte) (int, error) {
	j.grow(len(p))
	end := j.size + int64(len(p))
	if end > j.winOff+int64(len(j.win)) && end <= j.alloc && !j.noMap {
		j.remap()
	}
	if at := j.size - j.winOff; j.win != nil && at >= 0 && end <= j.winOff+int64(len(j.win)) {
		return copyMapped(j.win[at:], p)
	}
	return writeFile(j.file, j.raw, p, j.size)
}

// remap maps the allocated space from the page holding the segment's end.
func (j *journal) remap() {
	j.unmap()
	off := j.size &^ int64(os.Getpagesize()-1)
	win, err := mapFile(j.file, off, j.alloc-off)
	if err != nil {
		j.noMap = true
		return
	}
	j.win, j.winOff = win, off
}

// unmap drops the window; its bytes stay in the page cache.
func (j *journal) unmap() {
	if j.win != nil {
		unmapFile(j.win)
		j.win, j.winOff = nil, 0
	}
}

// copyMapped copies p into the mapped dst. A fault (an I/O error under
// the mapping, which the kernel reports as SIGBUS) becomes an error, as
// a failed write(2) would be, instead of killing the process.
func copyMapped(dst, p []byte) (n int, err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			n, err = 0, fmt.Errorf("journal: writing the mapped segment: %v", r)
		}
	}()
	return copy(dst, p), nil
}

// rotate closes the current segment, fsynced, and starts the next one.
// The caller holds j.wmu and has written the buffer out. It returns the
// number of the closed segment.
func (j *journal) rotate() (uint64, error) {
	closed := j.seq
	if err := j.close(); err != nil {
		return 0, err
	}
	return closed, j.create(closed + 1)
}

// close cuts off the space allocated ahead, fsyncs and closes the current
// segment, once no fsync outside j.wmu is using it. The caller holds
// j.wmu.
func (j *journal) close() error {
	j.syncMu.Lock()
	defer j.syncMu.Unlock()
	if j.file == nil {
		return nil
	}
	// A failed cut still closes the file: its zeros end the last segment
	// as a torn tail would, and the failure stops writes.
	j.unmap()
	var terr error
	if j.alloc > j.size {
		terr = truncate(j.file, j.size)
	}
	serr := j.file.Sync()
	cerr := j.file.Close()
	j.file = nil
	return cmp.Or(terr, serr, cerr)
}

// replay reads segment seq and calls fn with the payload of every record,
// in order; a payload stays valid until fn returns. In the last segment
// a torn or corrupt record ends the segment (the crash tore it before it
// was acknowledged); elsewhere it is ErrJournalCorrupt.
func (j *journal) replay(seq uint64, last bool, fn func(payload []byte) error) error {
	f, err := j.fs.Open(j.path(seq))
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	r := segmentReader{f: f, left: st.Size()}
	for off := int64(0); ; {
		h, err := r.next(recordHeader)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return j.torn(seq, off, last, err)
		}
		n := binary.LittleEndian.Uint32(h[0:4])
		// A batch representation has a 12-byte header; zeros (space
		// allocated ahead, or a file extended by a crash before its data
		// landed) would otherwise pass as an empty record with a matching
		// checksum.
		if n < 12 || int64(n) > r.remaining() {
			return j.torn(seq, off, last, fmt.Errorf("%w: length %d", errBadRecord, n))
		}
		sum := binary.LittleEndian.Uint32(h[4:8])
		payload, err := r.next(int(n))
		if err != nil {
			return j.torn(seq, off, last, err)
		}
		if crc32.Checksum(payload, castagnoli) != sum {
			return j.torn(seq, off, last, fmt.Errorf("%w: checksum mismatch", errBadRecord))
		}
		if err := fn(payload); err != nil {
			return err
		}
		off += recordHeader + int64(n)
	}
}

// segmentReader hands out a segment's bytes, reading replayChunk bytes
// at a time into one buffer it reuses: a slice stays valid until the next
// call (the fold copies what it keeps).
type segmentReader struct {
	f    vfs.File
	left int64  // bytes of the file not yet read
	mem  []byte // the read buffer
	buf  []byte // read, not yet handed out: a tail of mem
}

var replayChunk = 4 << 20 // a variable so that tests can make records straddle chunks

func (r *segmentReader) remaining() int64 { return int64(len(r.buf)) + r.left }

// next returns the next n bytes: io.EOF at the end of the file,
// io.ErrUnexpectedEOF when it ends within them.
func (r *segmentReader) next(n int) ([]byte, error) {
	if len(r.buf) < n {
		if len(r.buf) == 0 && r.left == 0 {
			return nil, io.EOF
		}
		if int64(n-len(r.buf)) > r.left {
			return nil, io.ErrUnexpectedEOF
		}
		if size := max(replayChunk, n); len(r.mem) < size {
			r.mem = append(make([]byte, 0, size), r.buf...)[:size]
		} else {
			copy(r.mem, r.buf) // the unread tail to the front
		}
		kept := len(r.buf)
		m := int(min(int64(len(r.mem)-kept), r.left))
		got, err := io.ReadFull(r.f, r.mem[kept:kept+m])
		r.left -= int64(got)
		r.buf = r.mem[:kept+got]
		switch {
		case err == io.ErrUnexpectedEOF || err == io.EOF:
			r.left = 0 // shorter than it was a moment ago: a torn tail
			if len(r.buf) < n {
				return nil, io.ErrUnexpectedEOF
			}
		case err != nil:
			return nil, err
		}
	}
	p := r.buf[:n:n]
	r.buf = r.buf[n:]
	return p, nil
}

// torn decides what a bad record means: the end of the journal in the
// last segment, corruption elsewhere. A read error is neither.
func (j *journal) torn(seq uint64, off int64, last bool, cause error) error {
	if !errors.Is(cause, io.ErrUnexpectedEOF) && !errors.Is(cause, errBadRecord) {
		return cause
	}
	if last {
		return nil
	}
	return fmt.Errorf("%w: %s at byte %d: %v", ErrJournalCorrupt, segmentName(seq), off, cause)
}

// errBadRecord marks a record whose length or checksum is wrong.
var errBadRecord = errors.New("bad record")

// syncDir fsyncs a directory, so that files created in it survive a
// machine crash.
func syncDir(fs vfs.FS, dir string) error {
	d, err := fs.OpenDir(dir)
	if err != nil {
		return err
	}
	serr := d.Sync()
	cerr := d.Close()
	if serr != nil {
		return serr
	}
	return cerr
}
