package a

import (
	"context"
	"net/http"
)

// travis-ci's worker steps take their context out of a state bag; on the
// hard timeout they reported the final state with that same, done context.
type stateBag map[string]any

func (b stateBag) Get(k string) any { return b[k] }

func finishJob(ctx context.Context, hc *http.Client, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, nil)
	if err != nil {
		return err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

func runStep(state stateBag, hc *http.Client, done <-chan error) {
	ctx := state.Get("ctx").(context.Context)
	select {
	case <-done:
	case <-ctx.Done():
		_ = finishJob(ctx, hc, "http://jobs/finish") // want `a.finishJob runs after ctx is done and is given that context, so it fails at once`
	}
}

// Fixed: the processor's own context, also from the bag, reports it.
func runStepFixed(state stateBag, hc *http.Client, done <-chan error) {
	ctx := state.Get("ctx").(context.Context)
	procCtx := state.Get("procCtx").(context.Context)
	select {
	case <-done:
	case <-ctx.Done():
		_ = finishJob(procCtx, hc, "http://jobs/finish")
	}
}
