// Package integration holds Cairn's end-to-end tests: the embedded server
// and the built binary driven by real clients (go-redis, redis-cli), the
// differential tests that send the same commands to a real redis-server
// and compare the replies byte for byte, and crash/restart tests.
//
// Tests that need redis-server or redis-cli skip, saying so, when they are
// not installed; .ci/run installs them (Debian packages redis-server and
// redis-tools).
package integration
