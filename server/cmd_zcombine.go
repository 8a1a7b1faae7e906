package server

import (
	"github.com/cairn-db/cairn/protocol"
	"github.com/cairn-db/cairn/store"
)

func zcombineCommands() []*Command {
	const w, r, oom = FlagWrite, FlagRead, FlagDenyOOM
	mk := func(name string, arity int, flags Flags, h Handler) *Command {
		return &Command{Name: name, Arity: arity, Flags: flags, Handler: h}
	}
	// The STORE forms name their destination first, as Redis's COMMAND
	// INFO says (1, 1, 1); their sources move (acl_keys.go).
	mkStore := func(name string, h Handler) *Command {
		return keyCmd(name, -4, w|oom, 1, 1, 1, h)
	}
	return []*Command{
		mk("zunion", -3, r, zcombineCmd(store.ZUnion, "zunion")),
		mk("zinter", -3, r, zcombineCmd(store.ZInter, "zinter")),
		mk("zdiff", -3, r, zcombineCmd(store.ZDiff, "zdiff")),
		mkStore("zunionstore", zcombineStoreCmd(store.ZUnion, "zunionstore")),
		mkStore("zinterstore", zcombineStoreCmd(store.ZInter, "zinterstore")),
		mkStore("zdiffstore", zcombineStoreCmd(store.ZDiff, "zdiffstore")),
		mk("zintercard", -3, r, cmdZInterCard),
	}
}

// zcombineRequest is a parsed ZUNION/ZINTER/ZDIFF[STORE].
type zcombineRequest struct {
	keys       [][]byte
	weights    []float64
	agg        store.Aggregate
	withScores bool
}

// parseZCombine parses "numkeys key… [WEIGHTS w…] [AGGREGATE a]
// [WITHSCORES]" from args[0] on, as zunionInterDiffGenericCommand.
func parseZCombine(args [][]byte, op store.ZCombineOp, name string, store_ bool) (zcombineRequest, error) {
	var q zcombineRequest
	n, ok := protocol.ParseInt(args[0])
	if !ok {
		return q, protocol.ErrNotInteger
	}
	if n < 1 {
		return q, protocol.Error("ERR at least 1 input key is needed for '" + name + "' command")
	}
	if n > int64(len(args)-1) {
		return q, protocol.ErrSyntax
	}
	q.keys = args[1 : 1+n]
	rest := args[1+n:]
	for j := 0; j < len(rest); j++ {
		a, left := rest[j], len(rest)-j-1
		switch {
		case op != store.ZDiff && left >= int(n) && protocol.EqualFold(a, "weights"):
			q.weights = make([]float64, n)
			for i := range q.weights {
				w, ok := protocol.ParseFloat(rest[j+1+i])
				if !ok {
					return q, protocol.ErrWeightNotFloat
				}
				q.weights[i] = w
			}
			j += int(n)
		case op != store.ZDiff && left >= 1 && protocol.EqualFold(a, "aggregate"):
			switch v := rest[j+1]; {
			case protocol.EqualFold(v, "sum"):
				q.agg = store.AggSum
			case protocol.EqualFold(v, "min"):
				q.agg = store.AggMin
			case protocol.EqualFold(v, "max"):
				q.agg = store.AggMax
			default:
				return q, protocol.ErrSyntax
			}
			j++
		case !store_ && protocol.EqualFold(a, "withscores"):
			q.withScores = true
		default:
			return q, protocol.ErrSyntax
		}
	}
	return q, nil
}

// ZUNION / ZINTER / ZDIFF numkeys key [key …] [options]
func zcombineCmd(op store.ZCombineOp, name string) Handler {
	return func(c *Context) error {
		q, err := parseZCombine(c.Args[1:], op, name, false)
		if err != nil {
			return err
		}
		items, err := c.Tx.ZCombine(op, q.keys, q.weights, q.agg)
		if err != nil {
			return err
		}
		c.writeScored(items, q.withScores)
		return nil
	}
}

// ZUNIONSTORE / ZINTERSTORE / ZDIFFSTORE dst numkeys key [key …] [options]
func zcombineStoreCmd(op store.ZCombineOp, name string) Handler {
	return func(c *Context) error {
		q, err := parseZCombine(c.Args[2:], op, name, true)
		if err != nil {
			return err
		}
		n, err := c.Tx.ZCombineStore(op, c.Args[1], q.keys, q.weights, q.agg)
		if err != nil {
			return err
		}
		c.Out.Int(int64(n))
		return nil
	}
}

// ZINTERCARD numkeys key [key …] [LIMIT limit]
func cmdZInterCard(c *Context) error {
	keys, limit, err := parseInterCard(c.Args, "zintercard")
	if err != nil {
		return err
	}
	n, err := c.Tx.ZInterCard(keys, limit)
	if err != nil {
		return err
	}
	c.Out.Int(int64(n))
	return nil
}
