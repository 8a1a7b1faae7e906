package server

import (
	"github.com/cairn-db/cairn/protocol"
)

func pubsubCommands() []*Command {
	const std = FlagPubSub | FlagNoScript | FlagLoading | FlagStale
	return []*Command{
		cmd("subscribe", -2, std, cmdSubscribe),
		cmd("psubscribe", -2, std, cmdPSubscribe),
		cmd("unsubscribe", -1, std, cmdUnsubscribe),
		cmd("punsubscribe", -1, std, cmdPUnsubscribe),
		cmd("publish", 3, FlagPubSub|FlagLoading|FlagStale|FlagFast, cmdPublish),
		container("pubsub", -2, 0,
			cmd("channels", -2, FlagPubSub|FlagLoading|FlagStale, cmdPubsubChannels),
			cmd("numsub", -2, FlagPubSub|FlagLoading|FlagStale, cmdPubsubNumSub),
			cmd("numpat", 2, FlagPubSub|FlagLoading|FlagStale, cmdPubsubNumPat),
			cmd("shardchannels", -2, FlagPubSub|FlagLoading|FlagStale, cmdPubsubShardChannels),
			cmd("shardnumsub", -2, FlagPubSub|FlagLoading|FlagStale, cmdPubsubNumSub0),
			cmd("help", 2, FlagLoading|FlagStale, cmdPubsubHelp),
		),
	}
}

// subscribedOnly is the error for other commands in RESP2 subscribed mode.
func subscribedOnly(cmd *Command) error {
	return protocol.Error("ERR Can't execute '" + cmd.FullName() + "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context")
}

// allowedSubscribed reports whether cmd may run in RESP2 subscribed mode.
func allowedSubscribed(cmd *Command) bool {
	switch cmd.Name {
	case "subscribe", "psubscribe", "unsubscribe", "punsubscribe", "ping", "quit", "reset":
		return true
	}
	return false
}

// SUBSCRIBE channel [channel ...]
func cmdSubscribe(c *Context) error { return subscribeAll(c, false, "subscribe") }

// PSUBSCRIBE pattern [pattern ...]
func cmdPSubscribe(c *Context) error { return subscribeAll(c, true, "psubscribe") }

func subscribeAll(c *Context, pat bool, kind string) error {
	for _, name := range c.Args[1:] {
		c.Server.subscribe(c.Client, string(name), pat)
		c.Out.Push(3)
		c.Out.BulkString(kind)
		c.Out.Bulk(name)
		c.Out.Int(c.Client.subs.count())
	}
	return nil
}

// UNSUBSCRIBE [channel ...]
func cmdUnsubscribe(c *Context) error { return unsubscribeAll(c, false, "unsubscribe") }

// PUNSUBSCRIBE [pattern ...]
func cmdPUnsubscribe(c *Context) error { return unsubscribeAll(c, true, "punsubscribe") }

func unsubscribeAll(c *Context, pat bool, kind string) error {
	cl := c.Client
	names := c.Args[1:]
	if len(names) == 0 {
		mine := cl.subs.channels
		if pat {
			mine = cl.subs.patterns
		}
		for n := range mine {
			names = append(names, []byte(n))
		}
	}
	if len(names) == 0 {
		c.Out.Push(3)
		c.Out.BulkString(kind)
		c.Out.Null()
		c.Out.Int(cl.subs.count())
		return nil
	}
	for _, name := range names {
		c.Server.unsubscribe(cl, string(name), pat)
		c.Out.Push(3)
		c.Out.BulkString(kind)
		c.Out.Bulk(name)
		c.Out.Int(cl.subs.count())
	}
	return nil
}

// PUBLISH channel message
func cmdPublish(c *Context) error {
	c.Out.Int(c.Server.publish(c.Args[1], c.Args[2]))
	return nil
}

// PUBSUB CHANNELS [pattern]
func cmdPubsubChannels(c *Context) error {
	if len(c.Args) > 3 {
		return protocol.ErrSubcommandArgs(c.Args[1], "PUBSUB")
	}
	var pat []byte
	if len(c.Args) == 3 {
		pat = c.Args[2]
	}
	names := c.Server.channelNames(pat)
	c.Out.Array(len(names))
	for _, n := range names {
		c.Out.BulkString(n)
	}
	return nil
}

// PUBSUB NUMSUB [channel ...]
func cmdPubsubNumSub(c *Context) error {
	chans := c.Args[2:]
	c.Out.Array(2 * len(chans))
	for _, ch := range chans {
		c.Out.Bulk(ch)
		c.Out.Int(c.Server.numSub(ch))
	}
	return nil
}

// PUBSUB NUMPAT
func cmdPubsubNumPat(c *Context) error {
	c.Out.Int(c.Server.numPat())
	return nil
}

// PUBSUB HELP
func cmdPubsubHelp(c *Context) error {
	lines := []string{
		"CHANNELS [<pattern>]",
		"    Return the currently active channels matching a <pattern> (default: '*').",
		"NUMPAT",
		"    Return number of subscriptions to patterns.",
		"NUMSUB [<channel> ...]",
		"    Return the number of subscribers for the specified channels, excluding",
		"    pattern subscriptions(default: no channels).",
		"SHARDCHANNELS [<pattern>]",
		"    Return the currently active shard level channels matching a <pattern> (default: '*').",
		"SHARDNUMSUB [<shardchannel> ...]",
		"    Return the number of subscribers for the specified shard level channel(s)",
		"HELP",
		"    Prints this help.",
	}
	c.Out.Array(len(lines) + 1)
	c.Out.Status("PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:")
	for _, l := range lines {
		c.Out.Status(l)
	}
	return nil
}

// PUBSUB SHARDCHANNELS [pattern]: Cairn has no shard channels (SSUBSCRIBE).
func cmdPubsubShardChannels(c *Context) error {
	if len(c.Args) > 3 {
		return protocol.ErrSubcommandArgs(c.Args[1], "PUBSUB")
	}
	c.Out.Array(0)
	return nil
}

// PUBSUB SHARDNUMSUB [channel ...]: every shard channel has no subscriber.
func cmdPubsubNumSub0(c *Context) error {
	chans := c.Args[2:]
	c.Out.Array(2 * len(chans))
	for _, ch := range chans {
		c.Out.Bulk(ch)
		c.Out.Int(0)
	}
	return nil
}
