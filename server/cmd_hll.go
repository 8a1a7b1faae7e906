package server

import (
	"github.com/cairn-db/cairn/protocol"
	"github.com/cairn-db/cairn/store"
)

// HyperLogLog commands. The structure and its operations live in
// store/hll.go and store/hll_ops.go; PFDEBUG and PFSELFTEST, Redis's
// testing commands (answered even with enable-debug-command no, as Redis
// does), in store/hll_debug.go.
func hllCommands() []*Command {
	const w, r, fast, oom, admin = FlagWrite, FlagRead, FlagFast, FlagDenyOOM, FlagAdmin
	return []*Command{
		keyCmd("pfadd", -2, w|oom|fast, 1, 1, 1, cmdPFAdd),
		// A read in Redis, though caching the cardinality writes the key.
		keyCmd("pfcount", -2, r, 1, -1, 1, cmdPFCount),
		keyCmd("pfmerge", -2, w|oom, 1, -1, 1, cmdPFMerge),
		keyCmd("pfdebug", 3, w|oom|admin, 2, 2, 1, cmdPFDebug),
		cmd("pfselftest", 1, admin, cmdPFSelfTest),
	}
}

// PFSELFTEST
func cmdPFSelfTest(c *Context) error {
	if msg := store.HLLSelfTest(atoi64(c.Server.config().tuning["hll-sparse-max-bytes"])); msg != "" {
		return protocol.Error(msg)
	}
	c.Out.OK()
	return nil
}

// PFDEBUG GETREG|DECODE|ENCODING|TODENSE key
func cmdPFDebug(c *Context) error {
	sub := c.Args[1]
	op := store.HLLCheckOnly
	switch {
	case protocol.EqualFold(sub, "getreg"):
		op = store.HLLGetReg
	case protocol.EqualFold(sub, "decode"):
		op = store.HLLDecode
	case protocol.EqualFold(sub, "encoding"):
		op = store.HLLEncoding
	case protocol.EqualFold(sub, "todense"):
		op = store.HLLToDense
	}
	res, err := c.Tx.PFDebug(op, c.Args[2])
	switch err {
	case nil:
	case store.ErrHLLNoKey:
		return protocol.Error("ERR The specified key does not exist")
	case store.ErrHLLNotSparse:
		return protocol.Error("ERR HLL encoding is not sparse")
	default:
		return err
	}
	switch op {
	case store.HLLGetReg:
		c.Out.Array(len(res.Registers))
		for _, v := range res.Registers {
			c.Out.Int(v)
		}
	case store.HLLDecode:
		c.Out.Bulk([]byte(res.Text))
	case store.HLLEncoding:
		c.Out.Status(res.Text)
	case store.HLLToDense:
		c.Out.Bool(res.Converted)
	default:
		return protocol.Error("ERR Unknown PFDEBUG subcommand '" + string(sub) + "'")
	}
	return nil
}

// PFADD key [element …]
func cmdPFAdd(c *Context) error {
	changed, err := c.Tx.PFAdd(c.Args[1], c.Args[2:])
	if err != nil {
		return err
	}
	c.Out.Bool(changed)
	return nil
}

// PFCOUNT key [key …]
func cmdPFCount(c *Context) error {
	n, err := c.Tx.PFCount(c.Args[1:])
	if err != nil {
		return err
	}
	c.Out.Int(n)
	return nil
}

// PFMERGE destkey [sourcekey …]
func cmdPFMerge(c *Context) error {
	if err := c.Tx.PFMerge(c.Args[1:]); err != nil {
		return err
	}
	c.Out.OK()
	return nil
}
