// Package pebblestore keeps a store's records in Pebble, the LSM engine of
// CockroachDB. It knows nothing of Redis: it commits the batches the store
// builds, in the order the store applies them, makes them durable on
// request, and reads them back once at start-up.
package pebblestore
