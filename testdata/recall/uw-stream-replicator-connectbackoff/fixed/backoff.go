// Recall case uw-stream-replicator-connectbackoff
// Source: github.com/choria-legacy/stream-replicator commit d7190f9a1302db38f10521d1483602b4712149af (backoff/backoff.go)
// Link: https://github.com/choria-legacy/stream-replicator/commit/d7190f9a1302db38f10521d1483602b4712149af
// Bug: connectSTAN and connectNATS retry the initial connection with time.Sleep(backoff) even though they have a ctx, so shutdown (ctx cancellation) is only noticed after the full backoff sleep.
// Fix: Replace time.Sleep with a time.NewTimer and a select on timer.C and ctx.Done(), returning nil when ctx is done.
// Rule: uncancellablewait
package replicator

import (
	"math/rand"
	"time"
)

// BackoffPolicy implements a backoff policy, randomizing its delays
// and saturating at the final value in Millis.
type BackoffPolicy struct {
	Millis []int
}

// FiveSec is a backoff policy ranging up to 5 seconds.
var FiveSec = BackoffPolicy{
	[]int{500, 750, 1000, 1500, 2000, 2500, 3000, 3500, 4000, 4500, 5000},
}

// Duration returns the time duration of the n'th wait cycle in a
// backoff policy. This is b.Millis[n], randomized to avoid thundering
// herds.
func (b BackoffPolicy) Duration(n int) time.Duration {
	if n >= len(b.Millis) {
		n = len(b.Millis) - 1
	}

	return time.Duration(jitter(b.Millis[n])) * time.Millisecond
}

// jitter returns a random integer uniformly distributed in the range
// [0.5 * millis .. 1.5 * millis]
func jitter(millis int) int {
	if millis == 0 {
		return 0
	}

	return millis/2 + rand.Intn(millis)
}
