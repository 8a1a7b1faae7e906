package store

import (
	"encoding/binary"
	"errors"
	"runtime"
	"sync"
)

// A background save writes the dataset as it was when the save began, as
// Redis's forked child does, but without holding the keyspace lock for
// the whole encoding: StartSnapshot fixes the point in time, and Encode
// walks the keys a bounded step at a time, letting commands run between
// steps. A command about to change or delete a key that the save has not
// reached yet first writes the key as it still is (its pre-image):
// copy-on-write per key, where fork gives Redis copy-on-write per page.
//
// Each keyspace is walked down its dense array from the end, so keys
// added during the save, appended at the end, are never reached. A
// deletion moves the last entry into the hole; when that entry was
// already walked (or is new) and the hole lies below the walk's cursor,
// it goes into done, which the walk passes over.

// snapshotStepKeys bounds one step of the walk: at most that many keys,
// about a quarter of a millisecond of small ones here. A step also ends
// when its chunk has less than snapshotRoom left (see reserve).
var (
	snapshotStepKeys = 1024
	// snapshotBetweenSteps, when set (tests), runs after each step,
	// without the lock.
	snapshotBetweenSteps func()
)

// Snapshot is a save in progress (Store.snapshot until Encode returns).
type Snapshot struct {
	s       *Store
	now     int64 // the save's point in time: keys expired by then are left out
	aborted bool  // AbortSnapshot was called
	head    []byte
	z       *lzfScratch
	obj     []byte // one key's object, reused
	spaces  []*keyspaceSnap
}

// keyspaceSnap is a save's state in one keyspace (k.snap while it runs).
// It stays with the keyspace object: SWAPDB moves both, and FLUSHDB
// leaves the old keyspace, no longer written, to the walk.
type keyspaceSnap struct {
	snap   *Snapshot
	k      *keyspace
	db     int // the database the keyspace was when the save began
	cursor int // entries below it in k.dense are not yet written, unless in done
	done   map[*entry]struct{}
	// The database's key records: full chunks, then the one being
	// filled. Chunks, not one slice, so that no step copies the records
	// so far as the slice outgrows its array, with the lock held.
	chunks  [][]byte
	out     []byte
	spare   []byte   // the next chunk (see reserve), only Encode's
	mapped  [][]byte // the chunks outside the heap, for Release
	keys    int
	expires int
}

// ErrSnapshotBusy is StartSnapshot's error while another save runs.
var ErrSnapshotBusy = errors.New("store: a save is already under way")

// ErrSnapshotAborted is Encode's error after AbortSnapshot.
var ErrSnapshotAborted = errors.New("store: the save was aborted")

// StartSnapshot fixes the point in time of a save: Encode, which must
// follow, writes the dataset as it is now, whatever changes meanwhile.
// One save runs at a time.
func (s *Store) StartSnapshot(o RDBOptions) (*Snapshot, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.startSnapshot(o)
}

// StartSnapshot is Store.StartSnapshot inside a transaction (BGSAVE in
// MULTI), whose changes so far the save holds.
func (tx *Tx) StartSnapshot(o RDBOptions) (*Snapshot, error) { return tx.s.startSnapshot(o) }

// startSnapshot is StartSnapshot with the keyspace lock held.
func (s *Store) startSnapshot(o RDBOptions) (*Snapshot, error) {
	switch {
	case s.closed:
		return nil, ErrClosed
	case s.snapshot != nil:
		return nil, ErrSnapshotBusy
	}
	// The chunks are mapped now, in the command that starts the save, as
	// many as the used memory could take: the save itself may run at a
	// low priority (the server's BGSAVE thread), and mmap holds the
	// address space locked, against the other threads' page faults, for
	// as long as a preempted thread takes to come back.
	if !o.SkipKeys {
		mapChunks(int(min(s.used/int64(snapshotChunk)+1, 1<<16)))
	}
	snap := &Snapshot{s: s, now: s.clock.Now().UnixMilli(), z: s.lzf()}
	snap.head = s.appendRDBHeader(nil, o)
	if !o.SkipKeys {
		for i, d := range s.dbs {
			if d.keys.len() == 0 {
				continue
			}
			ks := &keyspaceSnap{snap: snap, k: d.keys, db: i, cursor: d.keys.len(), done: map[*entry]struct{}{}}
			d.keys.snap = ks
			snap.spaces = append(snap.spaces, ks)
		}
	}
	s.snapshot = snap
	return snap, nil
}

// Encode walks the dataset a step at a time, holding the keyspace lock
// only for each step, and returns the RDB file, in pieces, and how many
// keys it holds; Release must follow once the file is written. It fails
// with ErrClosed when SaveFinal closes the store meanwhile, and with
// ErrSnapshotAborted after AbortSnapshot.
func (snap *Snapshot) Encode() (file [][]byte, keys int, err error) {
	s := snap.s
	defer func() {
		s.mu.Lock()
		snap.end()
		s.mu.Unlock()
		lzfScratchPool.Put(snap.z)
		if err != nil {
			snap.Release()
		}
	}()
	for _, ks := range snap.spaces {
		for {
			ks.reserve()
			s.mu.Lock()
			if s.closed || snap.aborted {
				aborted := snap.aborted
				s.mu.Unlock()
				if aborted {
					return nil, 0, ErrSnapshotAborted
				}
				return nil, 0, ErrClosed
			}
			finished := ks.step()
			if finished {
				ks.k.snap = nil
			}
			s.mu.Unlock()
			if finished {
				break
			}
			if snapshotBetweenSteps != nil {
				snapshotBetweenSteps()
			}
			runtime.Gosched() // the commands waiting for the lock go first
		}
	}
	// The file is the pieces as they are: one buffer for all of it, the
	// dataset's size allocated at once, set off garbage collections that
	// held up the event loop for their whole marking.
	file = append(file, snap.head)
	for _, ks := range snap.spaces {
		if ks.keys == 0 {
			continue
		}
		b := appendRDBLen(append([]byte(nil), rdbOpSelectDB), uint64(ks.db))
		b = appendRDBLen(appendRDBLen(append(b, rdbOpResizeDB), uint64(ks.keys)), uint64(ks.expires))
		file = append(append(append(file, b), ks.chunks...), ks.out)
		keys += ks.keys
	}
	var crc uint64
	for _, piece := range file {
		crc = crc64(crc, piece)
	}
	return append(file, binary.LittleEndian.AppendUint64([]byte{rdbOpEOF}, crc64(crc, []byte{rdbOpEOF}))), keys, nil
}

// AbortSnapshot makes snap's Encode, if still under way, stop and fail:
// FLUSHALL drops a save of what it deleted, as Redis kills its saving
// child.
func (tx *Tx) AbortSnapshot(snap *Snapshot) { snap.aborted = true }

// end takes the save out of the store and every keyspace it still
// walks; the keyspace lock is held.
func (snap *Snapshot) end() {
	for _, ks := range snap.spaces {
		if ks.k.snap == ks {
			ks.k.snap = nil
		}
	}
	if snap.s.snapshot == snap {
		snap.s.snapshot = nil
	}
}

// step writes the next entries below the cursor and reports whether the
// keyspace is done.
func (ks *keyspaceSnap) step() bool {
	ks.rotate()
	for n := 0; n < snapshotStepKeys && cap(ks.out)-len(ks.out) >= snapshotRoom && ks.cursor > 0; n++ {
		ks.cursor--
		e := ks.k.dense[ks.cursor]
		if _, ok := ks.done[e]; ok {
			delete(ks.done, e) // behind the cursor now: no hook looks at it again
			continue
		}
		ks.write(e)
	}
	return ks.cursor == 0
}

// Records are written in chunks of snapshotChunk bytes, which reserve
// allocates between steps: an allocation with the keyspace lock held may
// have to assist the garbage collector, or park until its marking is
// done (80 ms with a million keys), and every command would wait. The
// chunks are mapped outside the Go heap where the system allows, and
// their pages given back once the file is written (Release): as heap
// memory, the file's size in garbage set off a collection right after
// each save, and the idle release after it, with commands waiting on both.
var (
	snapshotChunk = 1 << 20
	snapshotRoom  = 64 << 10
)

// reserve allocates the next chunk, without the lock (commands may be
// writing pre-images into the current one).
func (ks *keyspaceSnap) reserve() {
	if ks.spare != nil {
		return
	}
	if b := mappedChunk(); b != nil {
		// Each page is touched here, without the lock, so that the steps
		// under it take no page faults.
		for i := 0; i < len(b); i += 4096 {
			b[i] = 0
		}
		ks.mapped = append(ks.mapped, b)
		ks.spare = b[:0]
		return
	}
	ks.spare = make([]byte, 0, snapshotChunk)
}

// mappedChunks are chunks outside the heap whose pages a save released
// (Release), kept for the next save's: mapping and unmapping for every
// save would hold the address space locked against the other threads.
var mappedChunks struct {
	sync.Mutex
	free [][]byte
}

// mapChunks makes sure mappedChunks holds n chunks, mapping the missing
// ones as one region. Its pages are not touched: only address space.
func mapChunks(n int) {
	mappedChunks.Lock()
	defer mappedChunks.Unlock()
	missing := n - len(mappedChunks.free)
	if missing <= 0 {
		return
	}
	region := offHeapAlloc(missing * snapshotChunk)
	for i := 0; region != nil && i < missing; i++ {
		mappedChunks.free = append(mappedChunks.free, region[i*snapshotChunk:(i+1)*snapshotChunk:(i+1)*snapshotChunk])
	}
}

// mappedChunk returns a chunk outside the heap, or nil.
func mappedChunk() []byte {
	mappedChunks.Lock()
	defer mappedChunks.Unlock()
	if n := len(mappedChunks.free); n > 0 {
		b := mappedChunks.free[n-1]
		mappedChunks.free = mappedChunks.free[:n-1]
		return b
	}
	return offHeapAlloc(snapshotChunk)
}

// Release gives back the memory of the file Encode returned, which must
// no longer be used. A snapshot whose Encode failed has released it.
func (snap *Snapshot) Release() {
	for _, ks := range snap.spaces {
		for _, b := range ks.mapped {
			offHeapRelease(b)
		}
		mappedChunks.Lock()
		mappedChunks.free = append(mappedChunks.free, ks.mapped...)
		mappedChunks.Unlock()
		ks.mapped, ks.chunks, ks.out, ks.spare = nil, nil, nil, nil
	}
}

// rotate moves on to the reserved chunk when the current one has less
// than snapshotRoom left.
func (ks *keyspaceSnap) rotate() {
	if cap(ks.out)-len(ks.out) >= snapshotRoom || ks.spare == nil {
		return
	}
	if len(ks.out) > 0 {
		ks.chunks = append(ks.chunks, ks.out)
	}
	ks.out, ks.spare = ks.spare, nil
}

// write appends e's record as it is now.
func (ks *keyspaceSnap) write(e *entry) {
	var ok bool
	ks.out, ks.snap.obj, ok = appendRDBRecord(ks.out, ks.snap.obj, e, ks.snap.z, ks.snap.now)
	if ok {
		ks.keys++
		if e.expireAt != 0 {
			ks.expires++
		}
	}
}

// capture writes e's pre-image, unless the save has it already.
func (ks *keyspaceSnap) capture(e *entry) {
	if _, ok := ks.done[e]; ok {
		return
	}
	ks.write(e)
	ks.done[e] = struct{}{}
}

// beforeWrite is called before e, an entry of k, changes: a save that
// has not reached it writes it first.
func (k *keyspace) beforeWrite(e *entry) {
	if ks := k.snap; ks != nil && int(e.pos) < ks.cursor {
		ks.capture(e)
	}
}

// beforeRemove is beforeWrite for e's removal from k, which moves the
// last entry into e's place.
func (ks *keyspaceSnap) beforeRemove(e *entry) {
	last := len(ks.k.dense) - 1
	if int(e.pos) < ks.cursor {
		ks.capture(e)
		if last >= ks.cursor {
			ks.done[ks.k.dense[last]] = struct{}{} // walked, or new: moving below the cursor
		}
	}
	delete(ks.done, e)
	ks.cursor = min(ks.cursor, last)
}

// appendRDBRecord appends e's record to b (its expiry, type, key and
// value; obj is scratch space, returned for reuse), unless e's TTL passed
// by now: ok says whether it did.
func appendRDBRecord(b, obj []byte, e *entry, z *lzfScratch, now int64) (_, _ []byte, ok bool) {
	if e.expireAt != 0 {
		if e.expireAt <= now {
			return b, obj, false // expired: not part of the dataset
		}
		b = binary.LittleEndian.AppendUint64(append(b, rdbOpExpireMs), uint64(e.expireAt))
	}
	obj = appendRDBObject(obj[:0], e, z)
	b = append(b, obj[0]) // the type byte, the key, then the value
	b = appendRDBString(b, []byte(e.key))
	return append(b, obj[1:]...), obj, true
}
