package server

import (
	"math"

	"github.com/cairn-db/cairn/protocol"
	"github.com/cairn-db/cairn/store"
)

func expireCommands() []*Command {
	const w, r, fast = FlagWrite, FlagRead, FlagFast
	return []*Command{
		keyCmd("expire", -3, w|fast, 1, 1, 1, expireHandler(false, false, "expire")),
		keyCmd("pexpire", -3, w|fast, 1, 1, 1, expireHandler(true, false, "pexpire")),
		keyCmd("expireat", -3, w|fast, 1, 1, 1, expireHandler(false, true, "expireat")),
		keyCmd("pexpireat", -3, w|fast, 1, 1, 1, expireHandler(true, true, "pexpireat")),
		keyCmd("ttl", 2, r|fast, 1, 1, 1, ttlHandler(false, false)),
		keyCmd("pttl", 2, r|fast, 1, 1, 1, ttlHandler(true, false)),
		keyCmd("expiretime", 2, r|fast, 1, 1, 1, ttlHandler(false, true)),
		keyCmd("pexpiretime", 2, r|fast, 1, 1, 1, ttlHandler(true, true)),
		keyCmd("persist", 2, w|fast, 1, 1, 1, cmdPersist),
	}
}

// EXPIRE key seconds [NX|XX|GT|LT], and PEXPIRE, EXPIREAT, PEXPIREAT.
func expireHandler(millis, absolute bool, name string) Handler {
	return func(c *Context) error {
		when, ok := protocol.ParseInt(c.Args[2])
		if !ok {
			return protocol.ErrNotInteger
		}
		cond, err := parseExpireCond(c.Args[3:])
		if err != nil {
			return err
		}
		if !millis {
			if when > math.MaxInt64/1000 || when < math.MinInt64/1000 {
				return protocol.ErrInvalidExpire(name)
			}
			when *= 1000
		}
		if !absolute {
			now := c.Tx.Now()
			if when > math.MaxInt64-now {
				return protocol.ErrInvalidExpire(name)
			}
			when += now
		}
		c.Out.Bool(c.Tx.Expire(c.Args[1], when, cond))
		return nil
	}
}

// parseExpireCond parses EXPIRE's NX, XX, GT and LT with Redis's errors.
func parseExpireCond(args [][]byte) (store.ExpireCond, error) {
	var nx, xx, gt, lt bool
	for _, a := range args {
		switch {
		case protocol.EqualFold(a, "nx"):
			nx = true
		case protocol.EqualFold(a, "xx"):
			xx = true
		case protocol.EqualFold(a, "gt"):
			gt = true
		case protocol.EqualFold(a, "lt"):
			lt = true
		default:
			return 0, protocol.Error("ERR Unsupported option " + string(a))
		}
	}
	switch {
	case nx && (xx || gt || lt):
		return 0, protocol.ErrExpireOptions
	case gt && lt:
		return 0, protocol.ErrGTAndLT
	case nx:
		return store.ExpireNX, nil
	case xx && gt:
		// XX is implied by GT: a key without TTL never passes GT.
		return store.ExpireGT, nil
	case xx && lt:
		return store.ExpireXXLT, nil
	case xx:
		return store.ExpireXX, nil
	case gt:
		return store.ExpireGT, nil
	case lt:
		return store.ExpireLT, nil
	}
	return store.ExpireAlways, nil
}

// TTL and PTTL (remaining time), EXPIRETIME and PEXPIRETIME (absolute):
// -2 for a missing key, -1 for a key without TTL.
func ttlHandler(millis, absolute bool) Handler {
	return func(c *Context) error {
		at := c.Tx.ExpireAt(c.Args[1])
		if at < 0 {
			c.Out.Int(at)
			return nil
		}
		v := at
		if !absolute {
			v = max(at-c.Tx.Now(), 0)
		}
		if !millis {
			// Rounded to the nearest second, as Redis's (v+500)/1000
			// without its overflow.
			v = v/1000 + (v%1000+500)/1000
		}
		c.Out.Int(v)
		return nil
	}
}

// PERSIST key
func cmdPersist(c *Context) error {
	c.Out.Bool(c.Tx.Persist(c.Args[1]))
	return nil
}
