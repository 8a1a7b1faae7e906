package server

import (
	"strconv"

	"github.com/cairn-db/cairn/store"
)

// notifyKeyspace publishes a keyspace notification when
// notify-keyspace-events selects its class: "__keyspace@<db>__:<key>"
// carries the event name, "__keyevent@<db>__:<event>" the key. It runs
// under the keyspace lock, like Redis's notifyKeyspaceEvent, and costs
// one atomic load when notifications are off.
func (s *Server) notifyKeyspace(db int, key []byte, class store.EventClass, event string) {
	flags := store.EventClass(s.hot.notify.Load())
	if flags&class == 0 || flags&(notifyKeyspace|notifyKeyevent) == 0 {
		return
	}
	var buf [64]byte
	dbs := strconv.AppendInt(buf[:0], int64(db), 10)
	if flags&notifyKeyspace != 0 {
		ch := make([]byte, 0, 16+len(dbs)+len(key))
		ch = append(append(append(append(ch, "__keyspace@"...), dbs...), "__:"...), key...)
		s.publish(ch, []byte(event), spaceChannel)
	}
	if flags&notifyKeyevent != 0 {
		ch := make([]byte, 0, 16+len(dbs)+len(event))
		ch = append(append(append(append(ch, "__keyevent@"...), dbs...), "__:"...), event...)
		s.publish(ch, key, spaceChannel)
	}
}
