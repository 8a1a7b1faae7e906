package protocol

import "math"

// ExpireUnit says how a TTL option is given: relative seconds (EX) or
// milliseconds (PX), or an absolute unix time in seconds (EXAT) or
// milliseconds (PXAT).
type ExpireUnit uint8

// TTL option units.
const (
	UnitEX ExpireUnit = iota + 1
	UnitPX
	UnitEXAT
	UnitPXAT
)

// ParseExpireUnit recognises EX, PX, EXAT and PXAT, case-insensitively.
func ParseExpireUnit(b []byte) (ExpireUnit, bool) {
	switch {
	case EqualFold(b, "ex"):
		return UnitEX, true
	case EqualFold(b, "px"):
		return UnitPX, true
	case EqualFold(b, "exat"):
		return UnitEXAT, true
	case EqualFold(b, "pxat"):
		return UnitPXAT, true
	}
	return 0, false
}

// ExpireAt converts a SET/GETEX-style TTL argument to an absolute unix-ms
// time with Redis's checks: the value must be a positive integer, and the
// result must not overflow. cmd names the command in the error.
func ExpireAt(unit ExpireUnit, arg []byte, nowMs int64, cmd string) (int64, error) {
	v, ok := ParseInt(arg)
	if !ok {
		return 0, ErrNotInteger
	}
	seconds := unit == UnitEX || unit == UnitEXAT
	if v <= 0 || (seconds && v > math.MaxInt64/1000) {
		return 0, ErrInvalidExpire(cmd)
	}
	if seconds {
		v *= 1000
	}
	if unit == UnitEX || unit == UnitPX {
		if v > math.MaxInt64-nowMs {
			return 0, ErrInvalidExpire(cmd)
		}
		v += nowMs
	}
	return v, nil
}

// ErrInvalidExpire is Redis's error for a bad TTL in cmd.
func ErrInvalidExpire(cmd string) Error {
	return Error("ERR invalid expire time in '" + cmd + "' command")
}
