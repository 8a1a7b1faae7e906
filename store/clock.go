package store

import (
	"sort"
	"sync"
	"time"
)

// Clock is the one source of time for a store and its server: key expiry,
// TTL replies, blocking-command timeouts, stream IDs and idle times all read
// it, so a test that injects a ManualClock controls all of them at once.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// AfterFunc calls f in its own goroutine once d has passed on this
	// clock. stop cancels the call and reports whether it did so.
	AfterFunc(d time.Duration, f func()) (stop func() bool)
}

// RealClock is the wall clock.
type RealClock struct{}

// Now returns time.Now().
func (RealClock) Now() time.Time { return time.Now() }

// AfterFunc is time.AfterFunc.
func (RealClock) AfterFunc(d time.Duration, f func()) func() bool {
	return time.AfterFunc(d, f).Stop
}

// ManualClock is a Clock that only moves when told to. Timers fire during
// FastForward, in deadline order, before it returns; subscribers added
// with OnAdvance (the server's expiry cycle) run after them, so when
// FastForward returns every key whose TTL has passed is gone.
type ManualClock struct {
	mu        sync.Mutex
	now       time.Time
	timers    []*manualTimer
	listeners []func()
}

type manualTimer struct {
	at      time.Time
	f       func()
	stopped bool
}

// NewManualClock returns a clock stopped at start.
func NewManualClock(start time.Time) *ManualClock {
	return &ManualClock{now: start}
}

// Now returns the clock's current time.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// AfterFunc registers f to run once the clock has been advanced by d.
func (c *ManualClock) AfterFunc(d time.Duration, f func()) func() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &manualTimer{at: c.now.Add(d), f: f}
	c.timers = append(c.timers, t)
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		if t.stopped {
			return false
		}
		t.stopped = true
		return true
	}
}

// FastForward moves the clock forward by d, fires the timers that fall due
// and runs the OnAdvance subscribers.
func (c *ManualClock) FastForward(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	due := c.takeDue()
	listeners := append([]func(){}, c.listeners...)
	c.mu.Unlock()
	var wg sync.WaitGroup
	for _, t := range due {
		wg.Add(1)
		go func() { defer wg.Done(); t.f() }()
	}
	wg.Wait()
	for _, f := range listeners {
		f()
	}
}

// Set moves the clock to t (forwards or backwards); timers that fall due fire.
func (c *ManualClock) Set(t time.Time) {
	c.mu.Lock()
	d := t.Sub(c.now)
	c.mu.Unlock()
	c.FastForward(d)
}

// OnAdvance subscribes f to every FastForward and Set.
func (c *ManualClock) OnAdvance(f func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.listeners = append(c.listeners, f)
}

// takeDue removes and returns the live timers due at c.now, earliest first.
func (c *ManualClock) takeDue() []*manualTimer {
	var due, rest []*manualTimer
	for _, t := range c.timers {
		switch {
		case t.stopped:
		case !t.at.After(c.now):
			t.stopped = true
			due = append(due, t)
		default:
			rest = append(rest, t)
		}
	}
	c.timers = rest
	sort.SliceStable(due, func(i, j int) bool { return due[i].at.Before(due[j].at) })
	return due
}
