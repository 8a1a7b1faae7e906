package server

import (
	"github.com/cairn-db/cairn/protocol"
)

func latencyCommand() *Command {
	const admin = FlagAdmin | FlagNoScript | FlagLoading | FlagStale
	return container("latency", -2, 0,
		cmd("doctor", 2, admin, cmdLatencyDoctor),
		cmd("graph", 3, admin, cmdLatencyGraph),
		cmd("histogram", -2, admin, cmdLatencyHistogram),
		cmd("history", 3, admin, cmdLatencyHistory),
		cmd("latest", 2, admin, cmdLatencyLatest),
		cmd("reset", -2, admin, cmdLatencyReset),
		cmd("help", 2, FlagLoading|FlagStale, cmdLatencyHelp),
	)
}

// LATENCY LATEST: per event, its name, the latest sample's time and
// latency, and the worst latency ever.
func cmdLatencyLatest(c *Context) error {
	names, series := c.Server.latency.snapshot()
	c.Out.Array(len(names))
	for i, name := range names {
		last := series[i].latest()
		c.Out.Array(4)
		c.Out.BulkString(name)
		c.Out.Int(last.time)
		c.Out.Int(last.ms)
		c.Out.Int(series[i].max)
	}
	return nil
}

// LATENCY HISTORY event: the event's samples, oldest first, as
// [time, latency] pairs; empty for an unknown event.
func cmdLatencyHistory(c *Context) error {
	ts, _ := c.Server.latency.get(string(c.Args[2]))
	var samples []latencySample
	ts.each(func(s latencySample) { samples = append(samples, s) })
	c.Out.Array(len(samples))
	for _, s := range samples {
		c.Out.Array(2)
		c.Out.Int(s.time)
		c.Out.Int(s.ms)
	}
	return nil
}

// LATENCY GRAPH event
func cmdLatencyGraph(c *Context) error {
	event := string(c.Args[2])
	ts, ok := c.Server.latency.get(event)
	if !ok {
		return protocol.Error("ERR No samples available for event '" + event + "'")
	}
	c.Out.Verbatim(latencyGraph(event, &ts, c.Server.now().Unix()))
	return nil
}

// LATENCY DOCTOR
func cmdLatencyDoctor(c *Context) error {
	c.Out.Verbatim(c.Server.latencyDoctor())
	return nil
}

// LATENCY RESET [event …]: the number of series dropped.
func cmdLatencyReset(c *Context) error {
	m := &c.Server.latency
	if len(c.Args) == 2 {
		c.Out.Int(int64(m.reset("", true)))
		return nil
	}
	n := 0
	for _, e := range c.Args[2:] {
		n += m.reset(string(e), false)
	}
	c.Out.Int(int64(n))
	return nil
}

// LATENCY HISTOGRAM [command …]: a map from command name to its calls and
// cumulative histogram_usec, for every command (or the named ones, and
// the subcommands of a named container) that has a histogram.
func cmdLatencyHistogram(c *Context) error {
	s := c.Server
	tracking := s.latencyTracking.Load()
	type entry struct {
		name string
		h    *hdrSnapshot
	}
	var out []entry
	add := func(cmd *Command) {
		if cmd.stats == nil {
			return
		}
		if h := cmd.stats.latencyView(tracking); h != nil {
			out = append(out, entry{cmd.FullName(), h})
		}
	}
	if len(c.Args) == 2 {
		s.table.forEachCommand(add)
	}
	for _, name := range c.Args[2:] {
		cmd := s.table.lookupFull(name)
		if cmd == nil {
			continue
		}
		if cmd.Handler != nil || cmd.Subcommands == nil {
			add(cmd)
		}
		for _, sub := range cmd.subs() {
			add(sub)
		}
	}
	c.Out.Map(len(out))
	for _, e := range out {
		c.Out.BulkString(e.name)
		c.Out.Map(2)
		c.Out.BulkString("calls")
		c.Out.Int(int64(e.h.total))
		c.Out.BulkString("histogram_usec")
		var buckets [][2]int64
		e.h.logBuckets(func(highest int64, n uint64) { buckets = append(buckets, [2]int64{highest / 1000, int64(n)}) })
		c.Out.Map(len(buckets))
		for _, b := range buckets {
			c.Out.Int(b[0])
			c.Out.Int(b[1])
		}
	}
	return nil
}

// LATENCY HELP
func cmdLatencyHelp(c *Context) error {
	return writeHelp(c, "LATENCY", []string{
		"DOCTOR", "    Return a human readable latency analysis report.",
		"GRAPH <event>", "    Return an ASCII latency graph for the <event> class.",
		"HISTORY <event>", "    Return time-latency samples for the <event> class.",
		"LATEST", "    Return the latest latency samples for all events.",
		"RESET [<event> ...]", "    Reset latency data of one or more <event> classes.",
		"    (default: reset all data for all event classes)",
		"HISTOGRAM [COMMAND ...]", "    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.",
		"    If no commands are specified then all histograms are replied.",
	})
}
