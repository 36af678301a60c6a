// Package derived: a budget for cleanup derived from the context just
// found done (flyctl gave the final "interrupted" release update "an extra
// second" with context.WithTimeout(ctx, time.Second) in the
// errors.Is(err, context.Canceled) branch; the fix derived it from
// context.WithoutCancel(ctx)).
package derived

import (
	"context"
	"errors"
	"net/http"
	"time"
)

type deployer struct {
	hc  *http.Client
	url string
}

func (d *deployer) post(ctx context.Context, status string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.url+"/"+status, nil)
	if err != nil {
		return err
	}
	resp, err := d.hc.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

func (d *deployer) Deploy(ctx context.Context) error {
	err := d.post(ctx, "deploy")
	status := "complete"
	switch {
	case err == nil:
	case errors.Is(err, context.Canceled):
		status = "interrupted"
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, time.Second) // want `context.WithTimeout derives the budget for \(\*derived.deployer\).post from ctx, which is already done here, so the new context is done at once`
		defer cancel()
	default:
		status = "failed"
	}
	if uerr := d.post(ctx, status); uerr != nil && err == nil {
		err = uerr
	}
	return err
}

// After a receive from Done.
func (d *deployer) Watch(ctx context.Context, events <-chan string) error {
	for {
		select {
		case ev := <-events:
			if err := d.post(ctx, ev); err != nil {
				return err
			}
			continue
		case <-ctx.Done():
		}
		break
	}
	sctx, cancel := context.WithDeadline(ctx, time.Now().Add(time.Second)) // want `context.WithDeadline derives the budget`
	defer cancel()
	if len(events) > 0 {
		sctx = context.Background()
	}
	return d.post(sctx, "stopped")
}

// Negatives.

// The fix: derived from context.WithoutCancel.
func (d *deployer) DeployFixed(ctx context.Context) error {
	err := d.post(ctx, "deploy")
	status := "complete"
	switch {
	case err == nil:
	case errors.Is(err, context.Canceled):
		status = "interrupted"
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), time.Second)
		defer cancel()
	}
	if uerr := d.post(ctx, status); uerr != nil && err == nil {
		err = uerr
	}
	return err
}

// Derived where the context is not known done.
func (d *deployer) Retry(ctx context.Context) error {
	err := d.post(ctx, "deploy")
	if err != nil && !errors.Is(err, context.Canceled) {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, time.Second)
		defer cancel()
	}
	return d.post(ctx, "again")
}

// Derived in the done branch and used only there: the main check reports
// the wait itself.
func (d *deployer) Stop(ctx context.Context) error {
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	return d.post(sctx, "stopped") // want `runs after ctx is done and is given that context`
}
