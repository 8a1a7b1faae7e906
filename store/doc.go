// Package store is Cairn's data model: databases, keys, expiry, and the
// value types, each in its own file with its operations.
//
// # Transactions
//
// All access goes through Store.Update (commands that write) and
// Store.View (reads), in the style of bbolt. Both hold the keyspace lock
// for the whole call, so a command, or a MULTI/EXEC block run inside one
// Update, is atomic, as in Redis. A Tx has one frozen "now": a key cannot
// expire halfway through a command.
//
// # Expiry
//
// Keys carry an absolute expiry in unix milliseconds. Every access checks
// it (lazy expiry), and Store.ExpireCycle deletes due keys from a min-heap
// ordered by deadline (active expiry), so keys that are never read again
// are reclaimed the moment they are due. Time comes from a Clock; tests
// inject a ManualClock and move it with FastForward.
//
// # Durability
//
// The in-memory structures are the only source of truth for reads. Every
// mutation also emits records at element granularity into the
// transaction's Batch (an LPUSH writes one element and the list's
// metadata), which Update commits to the Engine, in apply order, under
// the lock. See records.go for the layout and load.go for start-up.
//
// # Hashes, sets and sorted sets
//
// hash.go, set.go and zset.go hold the structures, *_ops.go the Tx
// operations. Small values live in one packed byte slice (packed.go, in
// the spirit of Redis's listpack); bigger ones convert once to tables
// with a dense array (O(1) random picks, SCAN cursors that survive
// removals: see denseScan), and sorted sets to a span skip list
// (skiplist.go). Range commands are built on two primitives, countWhile
// (rank of a boundary) and walk (visit a rank interval). Each element is
// one record (field → value, member → "", member → score bits). sort.go
// is SORT over lists, sets and sorted sets.
//
// # Streams
//
// A stream (stream.go) keeps its entries in nodes of up to 100, like
// Redis's listpacks: append is O(1), lookup by ID a binary search over
// nodes then within one, XDEL marks entries deleted in place, and
// trimming drops whole nodes from the front. Consumer groups
// (stream_groups.go) keep their pending entries in a B-tree by ID, and each
// consumer its own B-tree over the same entries. Entries, groups, consumers
// and pending entries are separate element records (stream_records.go).
//
// # DUMP and RESTORE
//
// Tx.Dump and Tx.Restore (restore.go) speak Redis's DUMP payload: an RDB
// object, the RDB version and a CRC-64 (crc64.go). rdb_decode.go reads
// every object type Redis 7.0 loads, with the packed blobs in listpack.go
// and LZF in lzf.go, checking each length against the bytes present;
// rdb_encode.go writes plain types Redis 7.0 restores, and rdb_stream.go
// both directions of streams. A restored value is built in memory, then
// saved whole, as RENAME and COPY save theirs.
//
// # Observers
//
// The server learns about changes through an Observer, called under the
// lock: every key change (for WATCH and keyspace notifications), and the
// keys that received elements at the end of a transaction (for blocked
// clients, who are served before any other command can run).
package store
