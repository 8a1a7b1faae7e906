package server

import "github.com/cairn-db/cairn/protocol"

// Cairn is one standalone server, so CLUSTER, READONLY, READWRITE and
// ASKING answer as a redis-server with cluster-enabled no: the command
// exists, with Redis's arity and flags, and refuses. A cluster-aware
// client then knows it talks to a standalone server, where an unknown
// command would leave it guessing.

// errClusterDisabled is Redis's reply to a cluster command when
// cluster-enabled is no.
const errClusterDisabled protocol.Error = "ERR This instance has cluster support disabled"

func clusterCommands() []*Command {
	const (
		s     = FlagStale
		admin = FlagAdmin | FlagStale
		async = admin | FlagNoAsyncLoading
	)
	sub := func(name string, arity int, flags Flags) *Command {
		return cmd(name, arity, flags, cmdClusterDisabled)
	}
	return []*Command{
		container("cluster", -2, 0,
			sub("addslots", -3, async), sub("addslotsrange", -4, async),
			sub("bumpepoch", 2, async), sub("count-failure-reports", 3, admin),
			sub("countkeysinslot", 3, s), sub("delslots", -3, async),
			sub("delslotsrange", -4, async), sub("failover", -2, async),
			sub("flushslots", 2, async), sub("forget", 3, async),
			sub("getkeysinslot", 4, s), sub("help", 2, FlagLoading|FlagStale),
			sub("info", 2, s), sub("keyslot", 3, s), sub("links", 2, s),
			sub("meet", -4, async), sub("myid", 2, s), sub("nodes", 2, s),
			sub("replicas", 3, admin), sub("replicate", 3, async),
			sub("reset", -2, admin|FlagNoScript), sub("saveconfig", 2, async),
			sub("set-config-epoch", 3, async), sub("setslot", -4, async),
			sub("shards", 2, s), sub("slaves", 3, admin), sub("slots", 2, s),
		),
		sub("readonly", 1, FlagLoading|FlagStale|FlagFast),
		sub("readwrite", 1, FlagLoading|FlagStale|FlagFast),
		sub("asking", 1, FlagFast),
	}
}

// cmdClusterDisabled answers every cluster command, CLUSTER HELP
// included, as Redis checks cluster-enabled first.
func cmdClusterDisabled(*Context) error { return errClusterDisabled }
