package store

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Dump renders the whole keyspace as canonical text: one line per live key,
// databases in order, keys sorted, with kind, absolute expiry and value;
// then one line per function library.
// Tests compare dumps to check that a restart loses and invents nothing.
func (s *Store) Dump() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now().UnixMilli()
	var b strings.Builder
	for i, d := range s.dbs {
		var keys []*entry
		for j := 0; j < d.keys.len(); j++ {
			e := d.keys.at(j)
			if e.expireAt == 0 || e.expireAt > now {
				keys = append(keys, e)
			}
		}
		sort.Slice(keys, func(a, b int) bool { return keys[a].key < keys[b].key })
		for _, e := range keys {
			fmt.Fprintf(&b, "%d %s %s %d ", i, strconv.Quote(e.key), e.kind(), e.expireAt)
			if e.isColl() {
				b.WriteString(e.coll().dump())
			} else {
				b.WriteString(strconv.Quote(string(e.val())))
			}
			b.WriteByte('\n')
		}
	}
	// Function libraries are part of the dataset too.
	names := make([]string, 0, len(s.libs))
	for name := range s.libs {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		fmt.Fprintf(&b, "library %s %s\n", strconv.Quote(name), strconv.Quote(s.libs[name]))
	}
	return b.String()
}
