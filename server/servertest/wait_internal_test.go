package servertest

import (
	"fmt"
	"runtime"
	"testing"
	"time"
)

// fatalRecorder is a testing.TB whose Fatalf records the failure and
// ends the goroutine, as testing's does.
type fatalRecorder struct {
	testing.TB
	msg string
}

func (f *fatalRecorder) Helper() {}

func (f *fatalRecorder) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// TestWaitForTimesOut: a count that never comes fails the test with what
// was seen; one that comes returns.
func TestWaitForTimesOut(t *testing.T) {
	run := func(get func() int) string {
		rec := &fatalRecorder{TB: t}
		done := make(chan struct{})
		go func() {
			defer close(done)
			waitFor(rec, "blocked clients", 2, get, 50*time.Millisecond)
		}()
		<-done
		return rec.msg
	}
	if msg := run(func() int { return 1 }); msg != "servertest: 1 blocked clients after 50ms, want 2" {
		t.Errorf("timeout message %q", msg)
	}
	n := 0
	if msg := run(func() int { n++; return n }); msg != "" || n != 2 {
		t.Errorf("reached after %d polls, message %q", n, msg)
	}
}
