package store

// Kind is the type of the value stored at a key, as TYPE names it.
type Kind uint8

// The value types. The numbers are part of the on-disk record format.
const (
	KindNone   Kind = 0
	KindString Kind = 1
	KindList   Kind = 2
	KindHash   Kind = 3
	KindSet    Kind = 4
	KindZSet   Kind = 5
	KindStream Kind = 6
)

// String returns the name TYPE replies with.
func (k Kind) String() string {
	switch k {
	case KindString:
		return "string"
	case KindList:
		return "list"
	case KindHash:
		return "hash"
	case KindSet:
		return "set"
	case KindZSet:
		return "zset"
	case KindStream:
		return "stream"
	}
	return "none"
}

// ParseKind maps a TYPE name (as SCAN's TYPE option takes it) to a Kind.
func ParseKind(name string) (Kind, bool) {
	for k := KindString; k <= KindStream; k++ {
		if k.String() == name {
			return k, true
		}
	}
	return KindNone, false
}
