// Package passedfuncs: a call of a func-typed parameter that every call
// of the package fills with one function is a call of that function, also
// when a caller hands on its own parameter (go-micro's A2A dispatcher).
package passedfuncs

import (
	"context"
	"net/http"
)

type invokeFunc func(ctx context.Context, url string) error

var client = &http.Client{}

func get(ctx context.Context, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

type dispatcher struct{}

func (d *dispatcher) serve(url string, invoke invokeFunc) error {
	return d.send(url, invoke)
}

func (d *dispatcher) send(url string, invoke invokeFunc) error {
	return invoke(context.Background(), url) // want `context.Background\(\) reaches \(\*http.Client\).Do via the func literal in passedfuncs.handle: the wait has no deadline`
}

func handle(d *dispatcher, url string) error {
	return d.serve(url, func(ctx context.Context, u string) error { return get(ctx, u) })
}

// Negatives.

// The package also uses the function as a value: calls through that value
// may pass anything.
type router struct{}

func (r *router) send(url string, invoke invokeFunc) error {
	return invoke(context.Background(), url)
}

func route(r *router, url string) error {
	return r.send(url, func(ctx context.Context, u string) error { return get(ctx, u) })
}

var sendVia = (*router).send

// Callers pass different functions: which one runs is not known.
func relay(url string, invoke invokeFunc) error {
	return invoke(context.Background(), url)
}

func relayBoth(url string) {
	_ = relay(url, get)
	_ = relay(url, func(context.Context, string) error { return nil })
}

// A method value of the function escapes: the same.
type hub struct{ later func(string, invokeFunc) error }

func (h *hub) send(url string, invoke invokeFunc) error {
	return invoke(context.Background(), url)
}

func useHub(h *hub, url string) error {
	h.later = h.send
	return h.send(url, func(ctx context.Context, u string) error { return get(ctx, u) })
}
