package pebblestore

import "sync"

// background counts the engine's background jobs (journal folds, and
// Pebble's flushes and compactions) and tells Options.Background when the
// first starts and the last ends. The daemon gives Go a second processor
// only while there is such work: with an idle second processor, Go's
// scheduler woke a thread for it about every other request at -P 1 (0.56
// context switches per request against Redis's 0.11), which cost the
// event loop 15–20% under appendfsync always.
type background struct {
	mu     sync.Mutex
	jobs   int
	notify func(busy bool)
}

func (b *background) start() {
	if b.notify == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.jobs++
	if b.jobs == 1 {
		b.notify(true)
	}
}

func (b *background) end() {
	if b.notify == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.jobs == 0 {
		return // a job that ended without a start we saw
	}
	b.jobs--
	if b.jobs == 0 {
		b.notify(false)
	}
}
