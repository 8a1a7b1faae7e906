// Package pebblestore keeps a store's records durable. It knows nothing of
// Redis: it takes the batches the store builds, in the order the store
// applies them, appends them to a journal of its own (journal.go) that it
// writes and fsyncs per the appendfsync policy (durability.go), folds full
// journal segments into Pebble, the LSM engine of CockroachDB, in the
// background (fold.go), and reads everything back once at start-up.
package pebblestore
