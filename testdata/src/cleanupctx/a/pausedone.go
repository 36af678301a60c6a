package a

import (
	"context"
	"net/http"
	"time"
)

// sleepCtx fails only once ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}

// The pause failed, so ctx is done: the shutdown given it does nothing.
func serveFor(ctx context.Context, srv *http.Server, d time.Duration) error {
	if err := sleepCtx(ctx, d); err != nil {
		return srv.Shutdown(ctx) // want `\(\*http.Server\).Shutdown runs after ctx is done and is given that context`
	}
	return nil
}

// A pause that also fails on its own says nothing of ctx.
func sleepOrFail(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return http.ErrServerClosed
	}
	return sleepCtx(ctx, d)
}

func serveForChecked(ctx context.Context, srv *http.Server, d time.Duration) error {
	if err := sleepOrFail(ctx, d); err != nil {
		return srv.Shutdown(ctx)
	}
	return nil
}

// A wrapper that returns its pause's failure as it is fails only once ctx
// is done too.
func pauseBetweenRounds(ctx context.Context) error { return sleepCtx(ctx, time.Second) }

func serveRounds(ctx context.Context, srv *http.Server) error {
	for {
		if err := pauseBetweenRounds(ctx); err != nil {
			return srv.Shutdown(ctx) // want `\(\*http.Server\).Shutdown runs after ctx is done and is given that context`
		}
	}
}
