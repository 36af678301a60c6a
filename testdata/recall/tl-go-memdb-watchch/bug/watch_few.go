// Recall case tl-go-memdb-watchch
// Source: github.com/hashicorp/go-memdb commit d3993e31c280ee1ea3e59b11ddfe3f83938dd2da (watch_few.go)
// Link: https://github.com/hashicorp/go-memdb/commit/d3993e31c280ee1ea3e59b11ddfe3f83938dd2da
// Bug: WatchSet.WatchCh starts a goroutine that loops WatchCtx and sends each result on an unbuffered triggerCh; once the caller stops reading (timed out / returned after the first trigger) the goroutine blocks forever on the send.
// Fix: triggerCh is buffered (cap 1) and the goroutine sends exactly one WatchCtx result, then exits.
// Rule: timeoutleak
package memdb

import (
	"context"
)

// aFew gives how many watchers this function is wired to support. You must
// always pass a full slice of this length, but unused channels can be nil.
// (Upstream generates a 32-way select; reduced to 4 cases here.)
const aFew = 4

// watchFew is used if there are only a few watchers as a performance
// optimization.
func watchFew(ctx context.Context, ch []<-chan struct{}) error {
	select {

	case <-ch[0]:
		return nil

	case <-ch[1]:
		return nil

	case <-ch[2]:
		return nil

	case <-ch[3]:
		return nil

	case <-ctx.Done():
		return ctx.Err()
	}
}
