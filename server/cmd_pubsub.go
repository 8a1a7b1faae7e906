package server

import (
	"github.com/cairn-db/cairn/protocol"
)

func pubsubCommands() []*Command {
	const std = FlagPubSub | FlagNoScript | FlagLoading | FlagStale
	const info = FlagPubSub | FlagLoading | FlagStale
	return []*Command{
		cmd("subscribe", -2, std, subscribeIn(spaceChannel)),
		cmd("psubscribe", -2, std, subscribeIn(spacePattern)),
		shardCmd("ssubscribe", -2, std, -1, subscribeIn(spaceShard)),
		cmd("unsubscribe", -1, std, unsubscribeIn(spaceChannel)),
		cmd("punsubscribe", -1, std, unsubscribeIn(spacePattern)),
		shardCmd("sunsubscribe", -1, std, -1, unsubscribeIn(spaceShard)),
		cmd("publish", 3, info|FlagFast, publishIn(spaceChannel)),
		shardCmd("spublish", 3, info|FlagFast, 1, publishIn(spaceShard)),
		container("pubsub", -2, 0,
			cmd("channels", -2, info, channelsIn(spaceChannel)),
			cmd("numsub", -2, info, numSubIn(spaceChannel)),
			cmd("numpat", 2, info, cmdPubsubNumPat),
			cmd("shardchannels", -2, info, channelsIn(spaceShard)),
			cmd("shardnumsub", -2, info, numSubIn(spaceShard)),
			cmd("help", 2, FlagLoading|FlagStale, cmdPubsubHelp),
		),
	}
}

// shardCmd registers a shard channel command. Redis gives its channels a
// key spec flagged not_key, from argument 1 to last, so that cluster
// clients route it by the channel's slot; COMMAND INFO reports those
// positions (and the key spec, from server/commandmeta), but ACL checks
// and prefetching take them for no keys.
func shardCmd(name string, arity int, flags Flags, last int, h Handler) *Command {
	return keyCmd(name, arity, flags|flagChannelKeys, 1, last, 1, h)
}

// subscribedOnly is the error for other commands in RESP2 subscribed mode.
func subscribedOnly(cmd *Command) error {
	return protocol.Error("ERR Can't execute '" + cmd.FullName() + "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context")
}

// allowedSubscribed reports whether cmd may run in RESP2 subscribed mode.
func allowedSubscribed(cmd *Command) bool {
	switch cmd.Name {
	case "subscribe", "psubscribe", "ssubscribe", "unsubscribe", "punsubscribe", "sunsubscribe", "ping", "quit", "reset":
		return true
	}
	return false
}

// subscribeIn is the handler of SUBSCRIBE channel [channel ...],
// PSUBSCRIBE pattern [pattern ...] and SSUBSCRIBE shardchannel
// [shardchannel ...]: one confirmation per name.
func subscribeIn(sp space) Handler {
	kind := spaceKinds[sp].sub
	return func(c *Context) error {
		if sp == spaceShard && c.noBlock { // in EXEC; scripts cannot call it
			return protocol.ErrSSubscribeDenied
		}
		for _, name := range c.Args[1:] {
			c.Server.subscribe(c.Client, string(name), sp)
			writeSubReply(c, kind, name, sp)
		}
		return nil
	}
}

// unsubscribeIn is the handler of UNSUBSCRIBE, PUNSUBSCRIBE and
// SUNSUBSCRIBE [name ...]: with no names, from every name of the space.
func unsubscribeIn(sp space) Handler {
	kind := spaceKinds[sp].unsub
	return func(c *Context) error {
		cl := c.Client
		names := c.Args[1:]
		if len(names) == 0 {
			for n := range cl.subs.names[sp] {
				names = append(names, []byte(n))
			}
		}
		if len(names) == 0 {
			writeSubReply(c, kind, nil, sp)
			return nil
		}
		for _, name := range names {
			c.Server.unsubscribe(cl, string(name), sp)
			writeSubReply(c, kind, name, sp)
		}
		return nil
	}
}

// writeSubReply writes one (un)subscribe confirmation: kind, the name
// (null for an unsubscribe from nothing) and the space's count. Like
// every pub/sub push in Redis (CLIENT_PUSHING), it is sent even under
// CLIENT REPLY OFF or SKIP: a subscriber must see what it joined.
func writeSubReply(c *Context, kind string, name []byte, sp space) {
	w := c.Out
	if cl := c.Client; cl.replyMode != replyOn && w == cl.ctx.Out {
		w = cl.out // applyReplyMode pointed ctx.Out nowhere
	}
	w.Push(3)
	w.BulkString(kind)
	if name == nil {
		w.Null()
	} else {
		w.Bulk(name)
	}
	w.Int(c.Client.subs.count(sp))
}

// publishIn is the handler of PUBLISH channel message and SPUBLISH
// shardchannel message: the number of clients that received it.
func publishIn(sp space) Handler {
	return func(c *Context) error {
		c.Out.Int(c.Server.publish(c.Args[1], c.Args[2], sp))
		return nil
	}
}

// channelsIn is the handler of PUBSUB CHANNELS and PUBSUB SHARDCHANNELS
// [pattern].
func channelsIn(sp space) Handler {
	return func(c *Context) error {
		if len(c.Args) > 3 {
			return protocol.ErrSubcommandArgs(c.Args[1], "PUBSUB")
		}
		var pat []byte
		if len(c.Args) == 3 {
			pat = c.Args[2]
		}
		names := c.Server.channelNames(sp, pat)
		c.Out.Array(len(names))
		for _, n := range names {
			c.Out.BulkString(n)
		}
		return nil
	}
}

// numSubIn is the handler of PUBSUB NUMSUB and PUBSUB SHARDNUMSUB
// [channel ...]: a flat channel, count list (an array in RESP3 too).
func numSubIn(sp space) Handler {
	return func(c *Context) error {
		chans := c.Args[2:]
		c.Out.Array(2 * len(chans))
		for _, ch := range chans {
			c.Out.Bulk(ch)
			c.Out.Int(c.Server.numSub(sp, ch))
		}
		return nil
	}
}

// PUBSUB NUMPAT
func cmdPubsubNumPat(c *Context) error {
	c.Out.Int(c.Server.numChannels(spacePattern))
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
