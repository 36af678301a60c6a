package a

import (
	"context"
	"net/http"
	"time"
)

type vm struct {
	client *http.Client
	api    string
}

func (v *vm) call(ctx context.Context, path string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, v.api+path, nil)
	if err != nil {
		return err
	}
	resp, err := v.client.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// The fresh budget also reaches a deferred rollback (kata's StartVM): the
// defer runs before StartVM returns, and the boot calls still wait under a
// budget that ignores the caller's.
func (v *vm) StartVM(ctx context.Context) (err error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second) // want `context.WithTimeout\(context.Background\(\), …\) starts a fresh 10s budget that ignores ctx's deadline and cancellation`
	defer cancel()
	if err = v.call(ctx, "/create"); err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = v.call(ctx, "/delete")
		}
	}()
	return v.call(ctx, "/boot")
}

// Negative: a deferred cleanup that makes its own budget after the work
// is the cleanup's business.
func (v *vm) StopVM(ctx context.Context) error {
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = v.call(cctx, "/cleanup")
	}()
	return v.call(ctx, "/shutdown")
}
