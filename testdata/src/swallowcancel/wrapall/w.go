package wrapall

import (
	"context"
	"fmt"
)

// Store is an interface no implementation of which the analysis sees: its
// errors are not known to carry cancellations.
type Store interface {
	Load(ctx context.Context, key string) (string, error)
}

func load(ctx context.Context, s Store) error {
	if _, err := s.Load(ctx, "k"); err != nil {
		return fmt.Errorf("load: %v", err) // want `%v formats err, which may be a context cancellation \(from a call given ctx: wrapall.Store.Load\)`
	}
	return nil
}

func work(ctx context.Context) error { return ctx.Err() }

// Known to carry a cancellation: reported with or without -wrap-all.
func notACatalogCall(ctx context.Context) error {
	if err := work(ctx); err != nil {
		return fmt.Errorf("work: %v", err) // want `%v formats err, which may be a context cancellation \(from wrapall.work\)`
	}
	return nil
}

func background(s Store) error {
	if _, err := s.Load(context.Background(), "k"); err != nil {
		return fmt.Errorf("load: %v", err) // Background is never cancelled
	}
	return nil
}
