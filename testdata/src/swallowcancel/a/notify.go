package a

import (
	"context"
	"time"
)

type notifyFunc func(err error, wait time.Duration) error

// retryNotify stops when notify returns an error.
func retryNotify(op func() error, notify notifyFunc) error {
	for {
		err := op()
		if err == nil {
			return nil
		}
		if nerr := notify(err, time.Second); nerr != nil {
			return nerr
		}
		time.Sleep(time.Second)
	}
}

// pachyderm's RetryUntilCancel: once ctx is done the notifier stops the
// retries with the last attempt's failure, not the cancellation.
func retryUntilCancel(ctx context.Context, op func() error, notify notifyFunc) error {
	return retryNotify(op, func(err error, d time.Duration) error {
		select {
		case <-ctx.Done():
			return err // want `when ctx is done this callback returns err, the failure it was handed, in place of the cancellation: errors.Is\(err, context.Canceled\) is false upstream, so the abandoned work looks failed; return ctx.Err\(\)`
		default:
			return notify(err, d)
		}
	})
}

// The fix upstream.
func retryUntilCancelFixed(ctx context.Context, op func() error, notify notifyFunc) error {
	return retryNotify(op, func(err error, d time.Duration) error {
		select {
		case <-ctx.Done():
			return ctx.Err()
		default:
			return notify(err, d)
		}
	})
}

// A declared function handed an error decides what its callers get: not
// judged here.
func keepFirst(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return err
	}
	return nil
}
