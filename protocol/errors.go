package protocol

import (
	"strings"
)

// Error is a reply error. Its text is sent to the client as is, so it starts
// with Redis's error code ("ERR", "WRONGTYPE", "NOAUTH" …) and carries Redis
// 7's exact wording: clients match on these strings.
type Error string

// Error returns the text sent to the client.
func (e Error) Error() string { return string(e) }

// Code returns the error's first word (ERR, WRONGTYPE …), the label metrics
// and INFO errorstats count it under.
func (e Error) Code() string {
	s := string(e)
	if i := strings.IndexByte(s, ' '); i > 0 {
		return s[:i]
	}
	return s
}

// The catalogue of Redis 7 error texts. Keep every reply error Cairn sends
// here, so there is one place to check against Redis.
const (
	ErrSyntax            Error = "ERR syntax error"
	ErrWrongType         Error = "WRONGTYPE Operation against a key holding the wrong kind of value"
	ErrNotInteger        Error = "ERR value is not an integer or out of range"
	ErrNotFloat          Error = "ERR value is not a valid float"
	ErrOverflow          Error = "ERR increment or decrement would overflow"
	ErrNaNOrInfinity     Error = "ERR increment would produce NaN or Infinity"
	ErrNoSuchKey         Error = "ERR no such key"
	ErrDBIndexRange      Error = "ERR DB index is out of range"
	ErrInvalidCursor     Error = "ERR invalid cursor"
	ErrSameObject        Error = "ERR source and destination objects are the same"
	ErrStringTooLong     Error = "ERR string exceeds maximum allowed size (proto-max-bulk-len)"
	ErrOffsetRange       Error = "ERR offset is out of range"
	ErrIndexRange        Error = "ERR index out of range"
	ErrExpireOptions     Error = "ERR NX and XX, GT or LT options at the same time are not compatible"
	ErrGTAndLT           Error = "ERR GT and LT options at the same time are not compatible"
	ErrNoProto           Error = "NOPROTO unsupported protocol version"
	ErrProtoVersion      Error = "ERR Protocol version is not an integer or out of range"
	ErrNoAuth            Error = "NOAUTH Authentication required."
	ErrWrongPass         Error = "WRONGPASS invalid username-password pair or user is disabled."
	ErrAuthNoPassword    Error = "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?"
	ErrNoSuchClient      Error = "ERR No such client"
	ErrClientName        Error = "ERR Client names cannot contain spaces, newlines or special characters."
	ErrTimeoutNotFloat   Error = "ERR timeout is not a float or out of range"
	ErrTimeoutNegative   Error = "ERR timeout is negative"
	ErrTimeoutNotInteger Error = "ERR timeout is not an integer or out of range"
	ErrShutdownRefused   Error = "ERR Errors trying to SHUTDOWN. Check logs."
	ErrLCSNoLenAndIdx    Error = "ERR If you want both the length and indexes, please just use IDX."
	ErrMultiNested       Error = "ERR MULTI calls can not be nested"
	ErrCommandNotAllowed Error = "ERR Command not allowed inside a transaction"
	ErrExecWithoutMulti  Error = "ERR EXEC without MULTI"
	ErrDiscardNoMulti    Error = "ERR DISCARD without MULTI"
	ErrExecAbort         Error = "EXECABORT Transaction discarded because of previous errors."
	ErrWatchInMulti      Error = "ERR WATCH inside MULTI is not allowed"
	ErrUnblocked         Error = "UNBLOCKED client unblocked via CLIENT UNBLOCK"
	// ErrSSubscribeDenied: SSUBSCRIBE queued in MULTI (SUBSCRIBE is let
	// through there, for backward compatibility; SSUBSCRIBE is not).
	ErrSSubscribeDenied Error = "ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client"

	ErrValueOutOfRange Error = "ERR value is out of range"
	ErrHashNotInteger  Error = "ERR hash value is not an integer"
	ErrHashNotFloat    Error = "ERR hash value is not a float"
	ErrValueNaNOrInf   Error = "ERR value is NaN or Infinity"
	ErrSortNotDouble   Error = "ERR One or more scores can't be converted into double"
	ErrScoreNaN        Error = "ERR resulting score is not a number (NaN)"
	ErrMinMaxNotFloat  Error = "ERR min or max is not a float"
	ErrMinMaxNotLex    Error = "ERR min or max not valid string range item"
	ErrZAddXXNX        Error = "ERR XX and NX options at the same time are not compatible"
	ErrZAddGTLTNX      Error = "ERR GT, LT, and/or NX options at the same time are not compatible"
	ErrZAddIncrPair    Error = "ERR INCR option supports a single increment-element pair"
	ErrWeightNotFloat  Error = "ERR weight value is not a float"
	ErrNumKeysPositive Error = "ERR numkeys should be greater than 0"
	ErrNumKeysTooMany  Error = "ERR Number of keys can't be greater than number of args"
	ErrLimitNegative   Error = "ERR LIMIT can't be negative"
	ErrCountPositive   Error = "ERR count should be greater than 0"
	ErrRangeLimit      Error = "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX"
	ErrRangeLexScores  Error = "ERR syntax error, WITHSCORES not supported in combination with BYLEX"
)

// ErrWrongArgs is the arity error for a command, named as Redis names it
// (lower case, "container|sub" for subcommands).
func ErrWrongArgs(name string) Error {
	return Error("ERR wrong number of arguments for '" + name + "' command")
}

// ErrUnknownCommand is Redis's reply to a command it does not have. Like
// Redis, it quotes the arguments until 128 characters have been written and
// turns CR and LF into spaces so the reply stays one line.
func ErrUnknownCommand(args [][]byte) Error {
	var b strings.Builder
	b.WriteString("ERR unknown command '")
	b.WriteString(truncate(args[0], 128))
	b.WriteString("', with args beginning with: ")
	written := 0
	for _, a := range args[1:] {
		if written >= 128 {
			break
		}
		s := "'" + truncate(a, 128-written) + "' "
		written += len(s)
		b.WriteString(s)
	}
	return Error(oneLine(b.String()))
}

// ErrUnknownSubcommand is Redis's reply to an unknown subcommand of a
// container command such as CLIENT or CONFIG.
func ErrUnknownSubcommand(sub []byte, container string) Error {
	return Error(oneLine("ERR unknown subcommand '" + truncate(sub, 128) + "'. Try " +
		strings.ToUpper(container) + " HELP."))
}

// ErrSubcommandArgs is Redis's reply when a subcommand gets more
// arguments than its own parser accepts (addReplySubcommandSyntaxError,
// e.g. PUBSUB CHANNELS a b).
func ErrSubcommandArgs(sub []byte, container string) Error {
	return Error(oneLine("ERR unknown subcommand or wrong number of arguments for '" + truncate(sub, 128) + "'. Try " +
		strings.ToUpper(container) + " HELP."))
}

func truncate(b []byte, n int) string {
	if n < 0 {
		n = 0
	}
	if len(b) > n {
		b = b[:n]
	}
	return string(b)
}

func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' {
			return ' '
		}
		return r
	}, s)
}

// HyperLogLog errors (PFADD, PFCOUNT, PFMERGE).
const (
	ErrNotHLL     Error = "WRONGTYPE Key is not a valid HyperLogLog string value."
	ErrInvalidHLL Error = "INVALIDOBJ Corrupted HLL object detected"
)

// DUMP and RESTORE errors.
const (
	ErrBusyKey         Error = "BUSYKEY Target key name already exists."
	ErrDumpPayload     Error = "ERR DUMP payload version or checksum are wrong"
	ErrBadDataFormat   Error = "ERR Bad data format"
	ErrInvalidTTL      Error = "ERR Invalid TTL value, must be >= 0"
	ErrInvalidIdleTime Error = "ERR Invalid IDLETIME value, must be >= 0"
	ErrInvalidFreq     Error = "ERR Invalid FREQ value, must be >= 0 and <= 255"
)
