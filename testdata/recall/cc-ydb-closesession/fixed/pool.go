// Recall case cc-ydb-closesession
// Source: github.com/ydb-platform/ydb-go-sdk commit c5333aad8b54154b27b2ea6a174729956a26107d (internal/pool/pool.go)
// Link: https://github.com/ydb-platform/ydb-go-sdk/commit/c5333aad8b54154b27b2ea6a174729956a26107d
// Bug: After the pool's done channel is closed, putItem/closeItem hand Session.Close a ctx that is already done (WithDone(..., p.done)); closeTableSession then returns ctx.Err() without sending DeleteSession, leaking the server-side session until its idle timeout.
// Fix: closeTableSession detaches from the caller's cancellation (ctx = xcontext.ValueOnly(ctx), i.e. context.WithoutCancel) when ctx is done, and still sends DeleteSession bounded by DeleteTimeout.
// Rule: cleanupctx
package table

import (
	"context"
	"errors"
	"time"
)

var errClosedPool = errors.New("closed pool")

// withDone stands in for xcontext.WithDone: the returned ctx is cancelled when done is closed.
func withDone(parent context.Context, done <-chan struct{}) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(parent)
	go func() {
		select {
		case <-done:
			cancel()
		case <-ctx.Done():
		}
	}()
	return ctx, cancel
}

// Pool is a reduced stand-in for internal/pool.Pool of table sessions.
type Pool struct {
	done         chan struct{}
	idle         chan *Session
	closeTimeout time.Duration
}

// NewPool creates a pool holding up to limit idle sessions.
func NewPool(limit int, closeTimeout time.Duration) *Pool {
	return &Pool{
		done:         make(chan struct{}),
		idle:         make(chan *Session, limit),
		closeTimeout: closeTimeout,
	}
}

// closeItem closes the item with timeout handling
func (p *Pool) closeItem(ctx context.Context, item *Session) {
	closeCtx, cancelClose := withDone(context.WithoutCancel(ctx), p.done)
	defer cancelClose()

	if d := p.closeTimeout; d > 0 {
		closeCtx, cancelClose = context.WithTimeout(closeCtx, d)
		defer cancelClose()
	}

	_ = item.Close(closeCtx)
}

// putItem returns a session to the pool after use; an in-flight session returned
// after Close has been called is closed right away.
func (p *Pool) putItem(ctx context.Context, item *Session) error {
	select {
	case <-p.done:
		p.closeItem(ctx, item)

		return errClosedPool
	default:
		select {
		case p.idle <- item:
			return nil
		default:
			p.closeItem(ctx, item)

			return nil
		}
	}
}

// Close closes the pool and all idle sessions.
func (p *Pool) Close(ctx context.Context) error {
	select {
	case <-p.done:
		return errClosedPool
	default:
		close(p.done)
		for {
			select {
			case item := <-p.idle:
				_ = item.Close(ctx)
			default:
				return nil
			}
		}
	}
}
