package store

// EventClass is the class of a keyspace event, as notify-keyspace-events
// selects them. The values mirror Redis's NOTIFY_* flags.
type EventClass uint16

// Keyspace event classes.
const (
	EventGeneric EventClass = 1 << 2  // g: DEL, EXPIRE, RENAME…
	EventString  EventClass = 1 << 3  // $
	EventList    EventClass = 1 << 4  // l
	EventSet     EventClass = 1 << 5  // s
	EventHash    EventClass = 1 << 6  // h
	EventZSet    EventClass = 1 << 7  // z
	EventExpired EventClass = 1 << 8  // x
	EventEvicted EventClass = 1 << 9  // e
	EventStream  EventClass = 1 << 10 // t
	EventKeyMiss EventClass = 1 << 11 // m
	EventNew     EventClass = 1 << 13 // n
)
