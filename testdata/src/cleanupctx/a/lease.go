package a

import (
	"context"
	"errors"
	"net/http"
)

type leaseKey struct{}

// withLease decorates a context with a value: what it returns is the
// caller's context, cancelled when that one is.
func withLease(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, leaseKey{}, id)
}

type leases struct{ hc *http.Client }

func (l *leases) create(ctx context.Context) (string, error) { return "l", ctx.Err() }

func (l *leases) delete(ctx context.Context, id string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, "https://leases/"+id, nil)
	if err != nil {
		return err
	}
	resp, err := l.hc.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

func openWriter(ctx context.Context) error { return ctx.Err() }

// The variable the deferred cleanup captures is assigned again after the
// defer (buildkit's OpenBlobWriter): every value it holds is the
// function's context or derived from it.
func (l *leases) openBlobWriter(ctx context.Context) (err error) {
	id, err := l.create(ctx)
	if err != nil {
		return err
	}
	defer func() { // want `deferred \(\*a.leases\).delete \(in the func literal in \(\*a.leases\).openBlobWriter\) gets the function's own context \(derived from it, so done too\)`
		if err != nil {
			l.delete(ctx, id)
		}
	}()
	ctx = withLease(ctx, id)
	if err := openWriter(ctx); err != nil {
		return err
	}
	return errors.New("not yet")
}

// The fix: the cleanup keeps the values and drops the cancellation.
func (l *leases) openBlobWriterFixed(ctx context.Context) (err error) {
	id, err := l.create(ctx)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			l.delete(context.WithoutCancel(ctx), id)
		}
	}()
	ctx = withLease(ctx, id)
	return openWriter(ctx)
}

// A variable that may hold a context of another origin is not the
// function's own.
func (l *leases) openMixed(ctx context.Context, detached bool) (err error) {
	id, err := l.create(ctx)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			l.delete(ctx, id)
		}
	}()
	if detached {
		ctx = context.Background()
	}
	return openWriter(ctx)
}
