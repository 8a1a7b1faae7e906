package server

// commandGroups lists every command Cairn answers, by Redis group. Each
// group's commands are registered in the file that implements them; this
// is the one place that names the groups.
func commandGroups() [][]*Command {
	return [][]*Command{
		group("connection", connectionCommands()...),
		group("connection", clientCommand()),
		group("server", serverCommands()...),
		group("server", infoCommands()...),
		group("server", persistCommands()...),
		group("server", replicationCommands()...),
		group("server", moduleCommands()...),
		group("server", debugCommands()...),
		group("cluster", clusterCommands()...),
		group("server", configCommand(), commandCommand()),
		group("server", aclCommand(), slowlogCommand()),
		group("server", monitorCommands()...),
		group("server", latencyCommand()),
		group("generic", keyspaceCommands()...),
		group("generic", expireCommands()...),
		group("generic", objectCommands()...),
		group("generic", dumpCommands()...),
		group("string", stringCommands()...),
		group("bitmap", bitmapCommands()...),
		group("list", listCommands()...),
		group("hash", hashCommands()...),
		group("set", setCommands()...),
		group("sorted-set", zsetCommands()...),
		group("geo", geoCommands()...),
		group("generic", sortCommands()...),
		group("generic", waitCommand()),
		group("stream", streamCommands()...),
		group("hyperloglog", hllCommands()...),
		group("transactions", multiCommands()...),
		group("pubsub", pubsubCommands()...),
		group("scripting", scriptingCommands()...),
		group("scripting", functionCommands()...),
	}
}

func group(name string, cmds ...*Command) []*Command {
	for _, c := range cmds {
		c.Group = name
	}
	return cmds
}
