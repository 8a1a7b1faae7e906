package server

// HyperLogLog commands. The structure and its operations live in
// store/hll.go and store/hll_ops.go; PFDEBUG and PFSELFTEST, Redis's
// testing commands, are not implemented.
func hllCommands() []*Command {
	const w, r, fast, oom = FlagWrite, FlagRead, FlagFast, FlagDenyOOM
	return []*Command{
		keyCmd("pfadd", -2, w|oom|fast, 1, 1, 1, cmdPFAdd),
		// A read in Redis, though caching the cardinality writes the key.
		keyCmd("pfcount", -2, r, 1, -1, 1, cmdPFCount),
		keyCmd("pfmerge", -2, w|oom, 1, -1, 1, cmdPFMerge),
	}
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
