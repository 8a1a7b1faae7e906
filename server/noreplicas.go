package server

import "github.com/cairn-db/cairn/protocol"

// min-replicas-to-write: Redis refuses writes while fewer good replicas
// (lag within min-replicas-max-lag) than that are connected. Cairn has no
// replicas, so a non-zero setting (with a non-zero max lag) refuses every
// write, as Redis would with its replicas gone: write commands, an EXEC
// holding one, a script or function that may write (one without the
// no-writes flag, checked before it runs) and a write inside a script.

// errNoReplicas is Redis's shared.noreplicaserr.
const errNoReplicas protocol.Error = "NOREPLICAS Not enough good replicas to write."

// checkReplicas refuses cmd when min-replicas-to-write is not met and
// cmd writes (EXEC: when a queued command does).
func (s *Server) checkReplicas(c *Client, cmd *Command) error {
	if !s.noReplicas.Load() {
		return nil
	}
	if cmd.Flags&FlagWrite != 0 {
		return errNoReplicas
	}
	if cmd.Name == "exec" && cmd.parent == nil && c.multi != nil {
		for _, q := range c.multi.cmds {
			if q.cmd.Flags&FlagWrite != 0 {
				// Refused, EXEC ends the transaction (rejectCommand).
				c.setMulti(nil)
				s.unwatchAll(c)
				return protocol.Error("EXECABORT Transaction discarded because of: " + string(errNoReplicas))
			}
		}
	}
	return nil
}
