package carrier

import (
	"context"
	"net/http"
)

// A func-typed field the package sets to one closure and clears with nil
// (gophercloud's ReauthFunc, zeroed on a throwaway copy): calls through it
// are calls of that closure, so a helper that gives it a fresh root drops
// the caller's context.

type provider struct {
	http       *http.Client
	reauthFunc func(ctx context.Context) error
}

func (p *provider) authenticate(ctx context.Context, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, nil)
	if err != nil {
		return err
	}
	resp, err := p.http.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

func newProvider(url string) *provider {
	p := &provider{http: &http.Client{}}
	throwaway := *p
	throwaway.reauthFunc = nil
	p.reauthFunc = func(ctx context.Context) error { return throwaway.authenticate(ctx, url) }
	return p
}

func (p *provider) reauthenticate() error {
	ctx := context.TODO()
	if p.reauthFunc == nil {
		return nil
	}
	return p.reauthFunc(ctx)
}

func (p *provider) request(ctx context.Context) error {
	return p.reauthenticate() // want `\(\*carrier.provider\).reauthenticate starts its own context.TODO\(\), which reaches \(\*http.Client\).Do`
}
