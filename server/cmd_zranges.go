package server

import (
	"github.com/cairn-db/cairn/protocol"
	"github.com/cairn-db/cairn/protocol/num"
	"github.com/cairn-db/cairn/store"
)

func zrangeCommands() []*Command {
	const w, r, fast = FlagWrite, FlagRead, FlagFast
	return []*Command{
		keyCmd("zrange", -4, r, 1, 1, 1, zrangeCmd(store.ByRank, false, true)),
		keyCmd("zrevrange", -4, r, 1, 1, 1, zrangeCmd(store.ByRank, true, false)),
		keyCmd("zrangebyscore", -4, r, 1, 1, 1, zrangeCmd(store.ByScore, false, false)),
		keyCmd("zrevrangebyscore", -4, r, 1, 1, 1, zrangeCmd(store.ByScore, true, false)),
		keyCmd("zrangebylex", -4, r, 1, 1, 1, zrangeCmd(store.ByLex, false, false)),
		keyCmd("zrevrangebylex", -4, r, 1, 1, 1, zrangeCmd(store.ByLex, true, false)),
		keyCmd("zrangestore", -5, w|FlagDenyOOM, 1, 2, 1, cmdZRangeStore),
		keyCmd("zcount", 4, r|fast, 1, 1, 1, zcountCmd(store.ByScore)),
		keyCmd("zlexcount", 4, r|fast, 1, 1, 1, zcountCmd(store.ByLex)),
		keyCmd("zremrangebyrank", 4, w, 1, 1, 1, zremRangeCmd(store.ByRank, "zremrangebyrank")),
		keyCmd("zremrangebyscore", 4, w, 1, 1, 1, zremRangeCmd(store.ByScore, "zremrangebyscore")),
		keyCmd("zremrangebylex", 4, w, 1, 1, 1, zremRangeCmd(store.ByLex, "zremrangebylex")),
	}
}

// zrangeRequest is a parsed ZRANGE-family command.
type zrangeRequest struct {
	spec       store.ZRangeSpec
	withScores bool
}

// parseZRange parses "start stop [options]" (args[0] and args[1] are the
// bounds) as Redis's zrangeGenericCommand does: by and rev are preset by
// the legacy commands; generic (ZRANGE, ZRANGESTORE) accepts BYSCORE,
// BYLEX and REV; store refuses WITHSCORES.
func parseZRange(args [][]byte, by store.RangeBy, rev, generic, store_ bool) (zrangeRequest, error) {
	var q zrangeRequest
	sp := &q.spec
	sp.Count = -1
	limit := false
	byGiven, revGiven := !generic, !generic
	for j := 2; j < len(args); j++ {
		a, left := args[j], len(args)-j-1
		switch {
		case !store_ && protocol.EqualFold(a, "withscores"):
			q.withScores = true
		case protocol.EqualFold(a, "limit") && left >= 2:
			off, ok1 := protocol.ParseInt(args[j+1])
			cnt, ok2 := protocol.ParseInt(args[j+2])
			if !ok1 || !ok2 {
				return q, protocol.ErrNotInteger
			}
			sp.Offset, sp.Count, limit = off, cnt, true
			j += 2
		case !revGiven && protocol.EqualFold(a, "rev"):
			rev, revGiven = true, true
		case !byGiven && protocol.EqualFold(a, "bylex"):
			by, byGiven = store.ByLex, true
		case !byGiven && protocol.EqualFold(a, "byscore"):
			by, byGiven = store.ByScore, true
		default:
			return q, protocol.ErrSyntax
		}
	}
	if limit && sp.Count != -1 && by == store.ByRank {
		return q, protocol.ErrRangeLimit
	}
	if q.withScores && by == store.ByLex {
		return q, protocol.ErrRangeLexScores
	}
	sp.By, sp.Rev = by, rev
	lo, hi := args[0], args[1]
	if rev && by != store.ByRank {
		lo, hi = hi, lo
	}
	var err error
	switch by {
	case store.ByRank:
		var ok1, ok2 bool
		sp.Start, ok1 = protocol.ParseInt(lo)
		sp.Stop, ok2 = protocol.ParseInt(hi)
		if !ok1 || !ok2 {
			return q, protocol.ErrNotInteger
		}
	case store.ByScore:
		sp.Min, sp.Max, err = parseScoreRange(lo, hi)
	case store.ByLex:
		sp.LexMin, sp.LexMax, err = parseLexRange(lo, hi)
	}
	return q, err
}

// parseScoreRange parses score bounds: a float, "(" for exclusive.
func parseScoreRange(lo, hi []byte) (store.ScoreBound, store.ScoreBound, error) {
	a, ok1 := parseScoreBound(lo)
	b, ok2 := parseScoreBound(hi)
	if !ok1 || !ok2 {
		return a, b, protocol.ErrMinMaxNotFloat
	}
	return a, b, nil
}

func parseScoreBound(b []byte) (store.ScoreBound, bool) {
	var sb store.ScoreBound
	if len(b) > 0 && b[0] == '(' {
		sb.Excl, b = true, b[1:]
	}
	v, ok := num.ParseScoreBound(b)
	sb.Value = v
	return sb, ok
}

// parseLexRange parses lex bounds: "[x", "(x", "-" or "+".
func parseLexRange(lo, hi []byte) (store.LexBound, store.LexBound, error) {
	a, ok1 := parseLexBound(lo)
	b, ok2 := parseLexBound(hi)
	if !ok1 || !ok2 {
		return a, b, protocol.ErrMinMaxNotLex
	}
	return a, b, nil
}

func parseLexBound(b []byte) (store.LexBound, bool) {
	if len(b) == 0 {
		return store.LexBound{}, false
	}
	switch b[0] {
	case '+':
		return store.LexBound{Inf: 1}, len(b) == 1
	case '-':
		return store.LexBound{Inf: -1}, len(b) == 1
	case '(':
		return store.LexBound{Value: b[1:], Excl: true}, true
	case '[':
		return store.LexBound{Value: b[1:]}, true
	}
	return store.LexBound{}, false
}

// ZRANGE key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES]
// and the legacy ZREVRANGE, Z[REV]RANGEBYSCORE, Z[REV]RANGEBYLEX.
func zrangeCmd(by store.RangeBy, rev, generic bool) Handler {
	return func(c *Context) error {
		q, err := parseZRange(c.Args[2:], by, rev, generic, false)
		if err != nil {
			return err
		}
		items, err := c.Tx.ZRange(c.Args[1], q.spec)
		if err != nil {
			return err
		}
		c.writeScored(items, q.withScores)
		return nil
	}
}

// ZRANGESTORE dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count]
func cmdZRangeStore(c *Context) error {
	q, err := parseZRange(c.Args[3:], store.ByRank, false, true, true)
	if err != nil {
		return err
	}
	n, err := c.Tx.ZRangeStore(c.Args[1], c.Args[2], q.spec)
	if err != nil {
		return err
	}
	c.Out.Int(int64(n))
	return nil
}

// ZCOUNT key min max, ZLEXCOUNT key min max
func zcountCmd(by store.RangeBy) Handler {
	return func(c *Context) error {
		sp, err := parseRemRange(c.Args[2], c.Args[3], by)
		if err != nil {
			return err
		}
		n, err := c.Tx.ZCount(c.Args[1], sp)
		if err != nil {
			return err
		}
		c.Out.Int(int64(n))
		return nil
	}
}

func parseRemRange(lo, hi []byte, by store.RangeBy) (store.ZRangeSpec, error) {
	sp := store.ZRangeSpec{By: by, Count: -1}
	var err error
	switch by {
	case store.ByRank:
		var ok1, ok2 bool
		sp.Start, ok1 = protocol.ParseInt(lo)
		sp.Stop, ok2 = protocol.ParseInt(hi)
		if !ok1 || !ok2 {
			err = protocol.ErrNotInteger
		}
	case store.ByScore:
		sp.Min, sp.Max, err = parseScoreRange(lo, hi)
	case store.ByLex:
		sp.LexMin, sp.LexMax, err = parseLexRange(lo, hi)
	}
	return sp, err
}

// ZREMRANGEBYRANK|BYSCORE|BYLEX key min max
func zremRangeCmd(by store.RangeBy, event string) Handler {
	return func(c *Context) error {
		sp, err := parseRemRange(c.Args[2], c.Args[3], by)
		if err != nil {
			return err
		}
		n, err := c.Tx.ZRemRange(c.Args[1], sp, event)
		if err != nil {
			return err
		}
		c.Out.Int(int64(n))
		return nil
	}
}
