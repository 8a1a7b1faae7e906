package store

import "errors"

// Errors returned by store operations. They name what went wrong in the
// data model; the server maps each to Redis's reply text.
var (
	// ErrWrongType: the key holds a value of another type.
	ErrWrongType = errors.New("store: wrong type")
	// ErrNotInteger: a string value is not a 64-bit integer.
	ErrNotInteger = errors.New("store: value is not an integer")
	// ErrNotFloat: a string value is not a valid float.
	ErrNotFloat = errors.New("store: value is not a float")
	// ErrOverflow: an increment would overflow 64 bits.
	ErrOverflow = errors.New("store: increment would overflow")
	// ErrNaNOrInfinity: a float increment would give NaN or infinity.
	ErrNaNOrInfinity = errors.New("store: increment would produce NaN or infinity")
	// ErrNoSuchKey: the source key of RENAME, MOVE… does not exist.
	ErrNoSuchKey = errors.New("store: no such key")
	// ErrSameObject: source and destination of a copy are one key.
	ErrSameObject = errors.New("store: source and destination are the same")
	// ErrDBIndex: a database index is outside 0..databases-1.
	ErrDBIndex = errors.New("store: database index out of range")
	// ErrTooLarge: a string would exceed proto-max-bulk-len.
	ErrTooLarge = errors.New("store: string exceeds maximum allowed size")
	// ErrIndexRange: an index is outside the value (LSET).
	ErrIndexRange = errors.New("store: index out of range")
	// ErrReadOnly: a write was attempted inside View.
	ErrReadOnly = errors.New("store: write in a read-only transaction")
)

// Errors of hashes and sorted sets.
var (
	// ErrHashNotInteger: HINCRBY on a field that is not an integer.
	ErrHashNotInteger = errors.New("store: hash value is not an integer")
	// ErrHashNotFloat: HINCRBYFLOAT on a field that is not a number.
	ErrHashNotFloat = errors.New("store: hash value is not a float")
	// ErrValueNaNOrInf: an increment argument that is infinite.
	ErrValueNaNOrInf = errors.New("store: value is NaN or infinity")
	// ErrScoreNaN: a score computation gave NaN (inf + -inf).
	ErrScoreNaN = errors.New("store: resulting score is not a number")
)

// Stream errors.
var (
	// ErrStreamIDTooSmall: an XADD ID is not above the stream's last ID.
	ErrStreamIDTooSmall = errors.New("store: stream ID equal or smaller than the top item")
	// ErrStreamExhausted: the stream's last ID is the largest possible.
	ErrStreamExhausted = errors.New("store: stream has exhausted the last possible ID")
	// ErrNoGroup: the stream or the consumer group does not exist. The
	// server words the reply per command (they differ in Redis).
	ErrNoGroup = errors.New("store: no such key or consumer group")
	// ErrBusyGroup: XGROUP CREATE of a group that exists.
	ErrBusyGroup = errors.New("store: consumer group name already exists")
	// ErrStreamSetID: an XSETID argument contradicts the stream's state;
	// the wrapped text says which.
	ErrStreamSetID = errors.New("store: invalid XSETID")
)
