package server

import (
	"math"

	"github.com/cairn-db/cairn/protocol"
	"github.com/cairn-db/cairn/store"
)

// XCLAIM key group consumer min-idle-time id [id …] [IDLE ms] [TIME unix-ms]
// [RETRYCOUNT count] [FORCE] [JUSTID] [LASTID id]
func cmdXClaim(c *Context) error {
	args := c.Args
	if ok, err := c.Tx.GroupExists(args[1], args[2]); !ok {
		if err != nil {
			return err
		}
		return protocol.ErrNoGroup(args[1], args[2])
	}
	minIdle, ok := protocol.ParseInt(args[4])
	if !ok {
		return protocol.Error("ERR Invalid min-idle-time argument for XCLAIM")
	}
	a := store.XClaimArgs{MinIdle: max(minIdle, 0), DeliveryTime: -1, RetryCount: -1}
	j := 5
	for ; j < len(args); j++ {
		id, err := protocol.ParseStreamID(args[j], 0, true)
		if err != nil {
			break
		}
		a.IDs = append(a.IDs, id)
	}
	now := c.Tx.Now()
	for ; j < len(args); j++ {
		o := args[j]
		more := len(args) - 1 - j
		var n int64
		var ok bool
		switch {
		case protocol.EqualFold(o, "force"):
			a.Force = true
		case protocol.EqualFold(o, "justid"):
			a.JustID = true
		case protocol.EqualFold(o, "idle") && more > 0:
			j++
			if n, ok = protocol.ParseInt(args[j]); !ok {
				return protocol.Error("ERR Invalid IDLE option argument for XCLAIM")
			}
			a.DeliveryTime = now - n
		case protocol.EqualFold(o, "time") && more > 0:
			j++
			if n, ok = protocol.ParseInt(args[j]); !ok {
				return protocol.Error("ERR Invalid TIME option argument for XCLAIM")
			}
			a.DeliveryTime = n
		case protocol.EqualFold(o, "retrycount") && more > 0:
			j++
			if n, ok = protocol.ParseInt(args[j]); !ok {
				return protocol.Error("ERR Invalid RETRYCOUNT option argument for XCLAIM")
			}
			a.RetryCount = n
		case protocol.EqualFold(o, "lastid") && more > 0:
			j++
			id, err := protocol.ParseStreamID(args[j], 0, true)
			if err != nil {
				return err
			}
			a.LastID = id
		default:
			return protocol.Error("ERR Unrecognized XCLAIM option '" + string(o) + "'")
		}
	}
	if a.DeliveryTime < -1 {
		a.DeliveryTime = now // a bogus time means now, as in Redis
	}
	es, err := c.Tx.XClaim(args[1], args[2], args[3], a)
	if err != nil {
		return noGroupError(err, args[1], args[2])
	}
	if a.JustID {
		c.Out.Array(len(es))
		for _, e := range es {
			c.Out.StreamID(e.ID)
		}
		return nil
	}
	writeStreamEntries(c.Out, es)
	return nil
}

// XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID]
func cmdXAutoClaim(c *Context) error {
	args := c.Args
	minIdle, ok := protocol.ParseInt(args[4])
	if !ok {
		return protocol.Error("ERR Invalid min-idle-time argument for XAUTOCLAIM")
	}
	start, ex, err := protocol.ParseStreamInterval(args[5], 0)
	if err != nil {
		return err
	}
	if ex {
		if start, ok = start.Next(); !ok {
			return protocol.ErrStreamStartID
		}
	}
	count, justID := int64(100), false
	for j := 6; j < len(args); j++ {
		switch {
		case protocol.EqualFold(args[j], "count") && j+1 < len(args):
			n, ok := protocol.ParseInt(args[j+1])
			if !ok || n < 1 || n > math.MaxInt64/10 {
				return protocol.Error("ERR COUNT must be > 0")
			}
			if n > 1<<32 {
				// Redis preallocates count IDs and refuses what it cannot.
				return protocol.Error("ERR Insufficient memory, failed allocating transient memory, COUNT too high.")
			}
			count = n
			j++
		case protocol.EqualFold(args[j], "justid"):
			justID = true
		default:
			return protocol.ErrSyntax
		}
	}
	res, err := c.Tx.XAutoClaim(args[1], args[2], args[3], max(minIdle, 0), start, int(count), justID)
	if err != nil {
		return noGroupError(err, args[1], args[2])
	}
	c.Out.Array(3)
	c.Out.StreamID(res.Next)
	if justID {
		c.Out.Array(len(res.Claimed))
		for _, e := range res.Claimed {
			c.Out.StreamID(e.ID)
		}
	} else {
		writeStreamEntries(c.Out, res.Claimed)
	}
	c.Out.Array(len(res.Deleted))
	for _, id := range res.Deleted {
		c.Out.StreamID(id)
	}
	return nil
}
