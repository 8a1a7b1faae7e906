package protocol

import (
	"math"
	"strconv"
)

// StreamID is a stream entry ID: milliseconds and a sequence number,
// ordered by Ms then Seq.
type StreamID struct{ Ms, Seq uint64 }

// MaxStreamID is the largest ID ("+").
var MaxStreamID = StreamID{math.MaxUint64, math.MaxUint64}

// Compare returns -1, 0 or 1 as id is before, equal to or after o.
func (id StreamID) Compare(o StreamID) int {
	switch {
	case id.Ms < o.Ms:
		return -1
	case id.Ms > o.Ms:
		return 1
	case id.Seq < o.Seq:
		return -1
	case id.Seq > o.Seq:
		return 1
	}
	return 0
}

// Less reports whether id is before o.
func (id StreamID) Less(o StreamID) bool { return id.Compare(o) < 0 }

// IsZero reports whether id is 0-0.
func (id StreamID) IsZero() bool { return id.Ms == 0 && id.Seq == 0 }

// Next returns the ID right after id; ok is false for the largest ID.
func (id StreamID) Next() (StreamID, bool) {
	switch {
	case id.Seq < math.MaxUint64:
		return StreamID{id.Ms, id.Seq + 1}, true
	case id.Ms < math.MaxUint64:
		return StreamID{id.Ms + 1, 0}, true
	}
	return StreamID{}, false
}

// Prev returns the ID right before id; ok is false for 0-0.
func (id StreamID) Prev() (StreamID, bool) {
	switch {
	case id.Seq > 0:
		return StreamID{id.Ms, id.Seq - 1}, true
	case id.Ms > 0:
		return StreamID{id.Ms - 1, math.MaxUint64}, true
	}
	return StreamID{}, false
}

// Append appends "ms-seq" to b.
func (id StreamID) Append(b []byte) []byte {
	b = strconv.AppendUint(b, id.Ms, 10)
	b = append(b, '-')
	return strconv.AppendUint(b, id.Seq, 10)
}

// String returns "ms-seq".
func (id StreamID) String() string { return string(id.Append(nil)) }

// Stream errors, with Redis 7's texts.
const (
	ErrStreamID          Error = "ERR Invalid stream ID specified as stream command argument"
	ErrStreamIDSmall     Error = "ERR The ID specified in XADD is equal or smaller than the target stream top item"
	ErrStreamIDZero      Error = "ERR The ID specified in XADD must be greater than 0-0"
	ErrStreamExhausted   Error = "ERR The stream has exhausted the last possible ID, unable to add more items"
	ErrStreamStartID     Error = "ERR invalid start ID for the interval"
	ErrStreamEndID       Error = "ERR invalid end ID for the interval"
	ErrBusyGroup         Error = "BUSYGROUP Consumer Group name already exists"
	ErrStreamNoKey       Error = "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically."
	ErrStreamSetIDSmall  Error = "ERR The ID specified in XSETID is smaller than the target stream top item"
	ErrStreamSetIDAdded  Error = "ERR The entries_added specified in XSETID is smaller than the target stream length"
	ErrStreamSetIDMaxDel Error = "ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id"
	ErrStreamNoKeyGroup  Error = "ERR no such key"
)

// ErrNoGroup is the NOGROUP error commands give for a missing key or group.
func ErrNoGroup(key, group []byte) Error {
	return Error("NOGROUP No such key '" + string(key) + "' or consumer group '" + string(group) + "'")
}

// ParseStreamID parses an ID argument as Redis does: "-" and "+" (unless
// strict), "ms-seq", or "ms" alone, whose sequence is missingSeq.
func ParseStreamID(b []byte, missingSeq uint64, strict bool) (StreamID, error) {
	id, _, err := parseStreamID(b, missingSeq, strict, false)
	return id, err
}

// ParseXAddID parses XADD's explicit ID: "ms-seq", "ms" (sequence 0) or
// "ms-*", for which seqGiven is false and the store picks the sequence.
func ParseXAddID(b []byte) (id StreamID, seqGiven bool, err error) {
	return parseStreamID(b, 0, true, true)
}

// ParseStreamInterval parses a range bound of XRANGE, XPENDING and
// XAUTOCLAIM: an ID that may start with "(" to exclude it.
func ParseStreamInterval(b []byte, missingSeq uint64) (id StreamID, exclusive bool, err error) {
	if len(b) > 1 && b[0] == '(' {
		id, err = ParseStreamID(b[1:], missingSeq, true)
		return id, true, err
	}
	id, err = ParseStreamID(b, missingSeq, false)
	return id, false, err
}

func parseStreamID(b []byte, missingSeq uint64, strict, allowStar bool) (StreamID, bool, error) {
	if len(b) > 127 {
		return StreamID{}, false, ErrStreamID
	}
	if len(b) == 1 && (b[0] == '-' || b[0] == '+') {
		if strict {
			return StreamID{}, false, ErrStreamID
		}
		if b[0] == '-' {
			return StreamID{}, true, nil
		}
		return MaxStreamID, true, nil
	}
	msPart, seqPart, hasSeq := b, []byte(nil), false
	for i, c := range b {
		if c == '-' {
			msPart, seqPart, hasSeq = b[:i], b[i+1:], true
			break
		}
	}
	ms, ok := parseULL(msPart)
	if !ok {
		return StreamID{}, false, ErrStreamID
	}
	if !hasSeq {
		return StreamID{ms, missingSeq}, true, nil
	}
	if allowStar && len(seqPart) == 1 && seqPart[0] == '*' {
		return StreamID{ms, 0}, false, nil
	}
	seq, ok := parseULL(seqPart)
	if !ok {
		return StreamID{}, false, ErrStreamID
	}
	return StreamID{ms, seq}, true, nil
}

// parseULL is Redis's string2ull: a string2ll integer that is not
// negative, or else whatever strtoull accepts in full (leading spaces, a
// sign — "-" wraps around as in C — and digits up to 2^64-1).
func parseULL(b []byte) (uint64, bool) {
	if v, ok := ParseInt(b); ok {
		return uint64(v), v >= 0
	}
	i := 0
	for i < len(b) && (b[i] == ' ' || (b[i] >= '\t' && b[i] <= '\r')) {
		i++
	}
	neg := false
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		neg = b[i] == '-'
		i++
	}
	if i == len(b) {
		return 0, false
	}
	v, err := strconv.ParseUint(unsafeString(b[i:]), 10, 64)
	if err != nil {
		return 0, false
	}
	if neg {
		v = -v
	}
	return v, true
}
