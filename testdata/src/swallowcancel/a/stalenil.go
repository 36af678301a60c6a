package a

import (
	"context"
	"fmt"
	"net/http"

	"github.com/pkg/errors"
)

// A stale error returned once the context is done: the lookup before the
// loop succeeded, a test found its error nil, and the done case returns
// it — nil (prysm's isDataAvailable, fixed with errors.Wrap(ctx.Err(), …)).

type blobStore interface {
	Sidecars(ctx context.Context, root string) ([]string, error)
}

type fetchStore struct{ c *http.Client }

func (s *fetchStore) Sidecars(ctx context.Context, root string) ([]string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://db/"+root, nil)
	if err != nil {
		return nil, err
	}
	resp, err := s.c.Do(req)
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	return []string{resp.Status}, nil
}

func isDataAvailable(ctx context.Context, db blobStore, root string, want int, notify <-chan struct{}) error {
	sidecars, err := db.Sidecars(ctx, root)
	if err == nil && len(sidecars) >= want {
		return nil
	}
	for {
		select {
		case <-notify:
			return nil
		case <-ctx.Done():
			return errors.Wrap(err, "context deadline waiting for blob sidecars") // want `when ctx is done this returns the error of a.blobStore.Sidecars, which a test on the way found nil: the return is then nil and tells the caller the work finished when it was abandoned; return ctx.Err\(\) there \(or wrap it with %w\)`
		}
	}
}

// A wrapper of the package that returns nil for nil counts the same.
func wrapMsg(err error, msg string) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", msg, err)
}

func waitSidecars(ctx context.Context, db blobStore, root string, notify <-chan struct{}) error {
	_, err := db.Sidecars(ctx, root)
	if err != nil {
		fmt.Println("not yet:", err)
	}
	select {
	case <-notify:
		return nil
	case <-ctx.Done():
		return wrapMsg(err, "waiting for sidecars") // want `when ctx is done this returns the error of a.blobStore.Sidecars, which a test on the way found nil`
	}
}

// Plain: the stale error itself.
func waitPlain(ctx context.Context, db blobStore, root string, notify <-chan struct{}) error {
	_, err := db.Sidecars(ctx, root)
	if err != nil {
		fmt.Println("not yet:", err)
	}
	select {
	case <-notify:
		return nil
	case <-ctx.Done():
		return err // want `when ctx is done this returns the error of a.blobStore.Sidecars, which a test on the way found nil`
	}
}

// Negatives.

// The fix: the context's error.
func isDataAvailableFixed(ctx context.Context, db blobStore, root string, want int, notify <-chan struct{}) error {
	sidecars, err := db.Sidecars(ctx, root)
	if err == nil && len(sidecars) >= want {
		return nil
	}
	for {
		select {
		case <-notify:
			return nil
		case <-ctx.Done():
			return errors.Wrap(ctx.Err(), "context deadline waiting for blob sidecars")
		}
	}
}

// The nil side returns: the error reaching the done case is never nil.
func waitFailed(ctx context.Context, db blobStore, root string, notify <-chan struct{}) error {
	_, err := db.Sidecars(ctx, root)
	if err == nil {
		return nil
	}
	select {
	case <-notify:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("waiting after %w", err)
	}
}
