// Recall case tl-godis-waittimeout
// Source: github.com/HDT3213/godis commit 9b78f554aa86ab724664e0e4bdfb0f51cf2df593 (lib/sync/wait/wait.go)
// Link: https://github.com/HDT3213/godis/commit/9b78f554aa86ab724664e0e4bdfb0f51cf2df593
// Bug: WaitWithTimeout starts a goroutine that sends on an unbuffered channel after wg.Wait(); when the select takes the time.After branch nobody receives, so the goroutine blocks forever (one leak per timed-out Close).
// Fix: make the channel buffered (make(chan bool, 1)) so the send never blocks.
// Rule: timeoutleak
package wait

import (
	"sync"
	"time"
)

// Wait is similar with sync.WaitGroup which can wait with timeout
type Wait struct {
	wg sync.WaitGroup
}

// Add adds delta, which may be negative, to the WaitGroup counter.
func (w *Wait) Add(delta int) {
	w.wg.Add(delta)
}

// Done decrements the WaitGroup counter by one
func (w *Wait) Done() {
	w.wg.Done()
}

// Wait blocks until the WaitGroup counter is zero.
func (w *Wait) Wait() {
	w.wg.Wait()
}

// WaitWithTimeout blocks until the WaitGroup counter is zero or timeout
// returns true if timeout
func (w *Wait) WaitWithTimeout(timeout time.Duration) bool {
	c := make(chan bool, 1)
	go func() {
		defer close(c)
		w.wg.Wait()
		c <- true
	}()
	select {
	case <-c:
		return false // completed normally
	case <-time.After(timeout):
		return true // timed out
	}
}
