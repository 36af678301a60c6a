package fixes

import (
	"context"
	"net/http"
)

// A client whose every request is handed to one sending helper (minio-go's
// Client.do), and a request built with http.NewRequest although a context
// is in scope.
type api struct{ hc *http.Client }

func newAPI() *api { return &api{hc: &http.Client{}} }

func (a *api) do(req *http.Request) (*http.Response, error) {
	return a.hc.Do(req)
}

func (a *api) fanOut(ctx context.Context, url string) error {
	req, err := http.NewRequest(http.MethodPost, url, nil)
	if err != nil {
		return err
	}
	resp, err := a.do(req) // want `the request \(\*fixes.api\).do sends to \(\*http.Client\).Do comes from http.NewRequest, which binds it to context.Background\(\): the wait has no deadline; build it with http.NewRequestWithContext\(ctx, …\)`
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// The request carries ctx: its deadline is the caller's to set.
func (a *api) fanOutContext(ctx context.Context, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, nil)
	if err != nil {
		return err
	}
	resp, err := a.do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}
