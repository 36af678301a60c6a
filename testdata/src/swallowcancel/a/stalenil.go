package a

import (
	"context"
	"fmt"
	"net/http"
	"time"

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

// go-cloud's WatchVariable: a read error returns at once, so the err that
// reaches the done case, made in the same loop, is always nil; the
// closure passes its error on or answers nil.
func watchVariable(ctx context.Context, db blobStore, root string, prev error, notify <-chan struct{}) ([]string, time.Duration, error) {
	checkSameErr := func(err error) ([]string, time.Duration, error) {
		if prev != nil && err.Error() == prev.Error() {
			return nil, time.Second, nil
		}
		return nil, 0, err
	}
	for {
		got, err := db.Sidecars(ctx, root)
		if err != nil {
			return checkSameErr(err)
		}
		if len(got) > 0 {
			return got, 0, nil
		}
		select {
		case <-ctx.Done():
			return checkSameErr(err) // want `when ctx is done this returns the error of a.blobStore.Sidecars, which a test on the way found nil`
		case <-notify:
		}
	}
}

// immudb's FindTruncationPoint: the loop runs while err == nil, so the
// err its done check returns is always nil.
func findPoint(ctx context.Context, db blobStore, root string) ([]string, error) {
	got, err := db.Sidecars(ctx, root)
	if err != nil {
		return nil, err
	}
	for err == nil {
		if len(got) > 0 {
			break
		}
		if ctx.Err() != nil {
			return nil, err // want `when ctx is done this returns this error, which a test on the way found nil`
		}
		got, err = db.Sidecars(ctx, root)
	}
	return got, nil
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

// A service loop that logs each round's error and, told to stop, returns
// the last round's: it may be nil or not (the last-attempt check's
// business, not a stale nil).
func serveRounds(ctx context.Context, db blobStore, root string, tick <-chan struct{}) error {
	for {
		_, err := db.Sidecars(ctx, root)
		if err != nil {
			fmt.Println("round failed:", err)
		}
		select {
		case <-ctx.Done():
			return err
		case <-tick:
		}
	}
}

// A loop whose error may be non-nil when the done check returns it (the
// last attempt's error): not a stale nil.
func pollLastErr(ctx context.Context, db blobStore, root string) ([]string, error) {
	var err error
	var got []string
	for {
		if ctx.Err() != nil {
			return nil, err
		}
		got, err = db.Sidecars(ctx, root)
		if err != nil {
			continue
		}
		if len(got) > 0 {
			return got, nil
		}
	}
}
