package indirect

import (
	"context"
	"net/http"
	"time"
)

// listTags sends with a client its caller configures: the wait's bound is
// unknown here.
func listTags(ctx context.Context, hc *http.Client, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// A root given where the caller's context is in scope (melange's GetTags):
// the context carries no deadline, and the caller's is dropped.
func getTags(ctx context.Context, hc *http.Client) error {
	return listTags(context.Background(), hc, "https://api/tags") // want `context.Background\(\) reaches \(\*http.Client\).Do via indirect.listTags: the wait gets no deadline from its context \(only its client may bound it\) and is not cancelled with the caller; pass ctx`
}

// No caller's context in scope: the client may bound the wait, nothing to
// say for sure.
func getTagsAlone(hc *http.Client) error {
	return listTags(context.Background(), hc, "https://api/tags")
}

// The client is known to bound the wait: only the dropped context is a
// finding (sharedeadline's).
func getTagsBounded(ctx context.Context) error {
	hc := &http.Client{Timeout: 10 * time.Second}
	return listTags(context.Background(), hc, "https://api/tags")
}

func send(hc *http.Client, req *http.Request) error {
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// A request bound to context.Background() by http.NewRequest where the
// caller's context is in scope, sent by a helper through a client of
// unknown bound.
func postTags(ctx context.Context, hc *http.Client) error {
	req, err := http.NewRequest(http.MethodPost, "https://api/tags", nil)
	if err != nil {
		return err
	}
	return send(hc, req) // want `the request indirect.send sends to \(\*http.Client\).Do comes from http.NewRequest, which binds it to context.Background\(\): the wait gets no deadline from its context \(only its client may bound it\) and is not cancelled with the caller; build it with http.NewRequestWithContext\(ctx, …\)`
}
