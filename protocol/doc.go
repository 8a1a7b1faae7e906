// Package protocol is Cairn's layer over RESP, the Redis protocol, on top
// of github.com/tidwall/redcon:
//
//   - Guard checks the framing of each client's request stream the way
//     Redis does, so malformed or oversized requests get Redis's protocol
//     error and close that connection, and nothing else;
//   - Writer encodes replies in the protocol a connection negotiated
//     (RESP2, or RESP3 after HELLO 3) from one description of each reply;
//   - the argument helpers parse integers, floats, timeouts and TTL
//     options with Redis's rules and without allocating;
//   - errors.go is the catalogue of Redis 7's error texts.
//
// It knows nothing about keys or storage.
package protocol
