// Package protocol is Cairn's layer over RESP, the Redis protocol, on top
// of github.com/tidwall/redcon:
//
//   - RequestReader splits each client's request stream into commands in
//     one pass, checking the framing the way Redis does, so malformed or
//     oversized requests get Redis's protocol error and close that
//     connection, and nothing else;
//   - Writer encodes replies in the protocol a connection negotiated
//     (RESP2, or RESP3 after HELLO 3) from one description of each reply;
//   - the argument helpers parse integers, floats, timeouts and TTL
//     options with Redis's rules and without allocating;
//   - errors.go is the catalogue of Redis 7's error texts.
//
// A handler picks the Writer method whose RESP3 type Redis 7.0 uses, and
// never looks at the protocol itself:
//
//	Map        field/value replies (HGETALL, CONFIG GET, XINFO, HELLO)
//	Set        unordered members (SMEMBERS, SINTER, SPOP n, COMMAND flags)
//	Double     scores and other doubles (ZSCORE, ZINCRBY, ZMSCORE; %.17g)
//	Pairs+Pair WITHSCORES/WITHVALUES lists: flat in RESP2, [a, b] pairs in RESP3
//	EntryMap+MapEntry  XREAD's per-stream reply: [key, value] arrays in RESP2
//	Null, NullArray    RESP2's $-1 and *-1; both are _ in RESP3
//	Bool       yes/no answers (SETNX, EXPIRE, SISMEMBER): 1 or 0 in both
//	Boolean    a true RESP3 boolean (only Lua after redis.setresp(3))
//	Verbatim   text meant for people (INFO, CLIENT LIST, CLIENT INFO)
//	Push       out-of-band messages (pub/sub, keyspace notifications)
//	BigNumber  integers beyond 64 bits (Lua's {big_number=…})
//
// It knows nothing about keys or storage.
package protocol
