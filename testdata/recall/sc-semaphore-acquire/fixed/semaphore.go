// Recall case sc-semaphore-acquire
// Source: github.com/marusama/semaphore commit 973670f10207645f8bdcec206f2a1d417b8419c9 (semaphore.go)
// Link: https://github.com/marusama/semaphore/commit/973670f10207645f8bdcec206f2a1d417b8419c9
// Bug: Acquire returns its own sentinel errors.New("ctx.Done()") when the ctx is cancelled or times out, so context.Canceled / context.DeadlineExceeded is replaced by an unrelated error and callers cannot tell (errors.Is) why Acquire failed.
// Fix: return ctx.Err() instead of the ErrCtxDone sentinel in both ctx.Done() branches.
// Rule: swallowcancel
package semaphore

import (
	"context"
	"sync"
	"sync/atomic"
)

// Semaphore counting resizable semaphore synchronization primitive.
type Semaphore interface {
	// Acquire enters the semaphore a specified number of times, blocking only until ctx is done.
	// Method returns context error (ctx.Err()) if the passed context is cancelled.
	Acquire(ctx context.Context, n int) error
	Release(n int) int
}

type semaphore struct {
	// state holds limit (high 32 bits) and count (low 32 bits)
	state uint64

	lock        sync.RWMutex
	broadcastCh chan struct{}
}

// New initializes a new instance of the Semaphore.
func New(limit int) Semaphore {
	if limit <= 0 {
		panic("semaphore limit must be greater than 0")
	}
	return &semaphore{
		state:       uint64(limit) << 32,
		broadcastCh: make(chan struct{}),
	}
}

func (s *semaphore) Acquire(ctx context.Context, n int) error {
	if n <= 0 {
		panic("n must be positive number")
	}
	for {
		if ctx != nil {
			select {
			case <-ctx.Done():
				return ctx.Err()
			default:
			}
		}

		state := atomic.LoadUint64(&s.state)
		count := state & 0xFFFFFFFF
		limit := state >> 32
		newCount := count + uint64(n)

		if newCount <= limit {
			if atomic.CompareAndSwapUint64(&s.state, state, limit<<32+newCount) {
				return nil
			}
			continue
		} else {
			// semaphore is full, let's wait
			s.lock.RLock()
			broadcastCh := s.broadcastCh
			s.lock.RUnlock()

			if ctx != nil {
				select {
				case <-ctx.Done():
					return ctx.Err()
				case <-broadcastCh:
				}
			} else {
				<-broadcastCh
			}
		}
	}
}

func (s *semaphore) Release(n int) int {
	if n <= 0 {
		panic("n must be positive number")
	}
	for {
		state := atomic.LoadUint64(&s.state)
		count := state & 0xFFFFFFFF
		limit := state >> 32
		if count < uint64(n) {
			panic("semaphore release without acquire")
		}
		newCount := count - uint64(n)
		if atomic.CompareAndSwapUint64(&s.state, state, state&0xFFFFFFFF00000000+newCount) {
			if count >= limit {
				newBroadcastCh := make(chan struct{})
				s.lock.Lock()
				oldBroadcastCh := s.broadcastCh
				s.broadcastCh = newBroadcastCh
				s.lock.Unlock()
				close(oldBroadcastCh)
			}
			return int(count)
		}
	}
}
