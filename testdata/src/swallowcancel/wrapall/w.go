package wrapall

import (
	"context"
	"fmt"
)

func work(ctx context.Context) error { return ctx.Err() }

func notACatalogCall(ctx context.Context) error {
	if err := work(ctx); err != nil {
		return fmt.Errorf("work: %v", err) // want `%v formats err, which may be a context cancellation \(from a call given ctx: wrapall.work\)`
	}
	return nil
}
