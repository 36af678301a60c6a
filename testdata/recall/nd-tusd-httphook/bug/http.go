// Recall case nd-tusd-httphook
// Source: github.com/tus/tusd commit f1b1263aaee508a80303ae7f2f5bbfa4c0e6949a (pkg/hooks/http/http.go)
// Link: https://github.com/tus/tusd/commit/f1b1263aaee508a80303ae7f2f5bbfa4c0e6949a
// Bug: InvokeHook builds the hook POST with http.NewRequest (no context) and sends it through a pester client whose http.Client has no Timeout, so a hook endpoint that never answers blocks the upload request forever.
// Fix: the request is created with http.NewRequestWithContext on the hook event context wrapped in context.WithTimeout(ctx, h.Timeout).
// Rule: nodeadline
package http

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

type HttpHook struct {
	Endpoint       string
	MaxRetries     int
	Backoff        time.Duration
	ForwardHeaders []string

	client *Client
}

func (h *HttpHook) Setup() error {
	// Use linear backoff strategy with the user defined values.
	client := New()
	client.KeepLog = true
	client.MaxRetries = h.MaxRetries
	client.Backoff = func(_ int) time.Duration {
		return h.Backoff
	}

	h.client = client

	return nil
}

func (h HttpHook) InvokeHook(hookReq HookRequest) (hookRes HookResponse, err error) {
	jsonInfo, err := json.Marshal(hookReq)
	if err != nil {
		return hookRes, err
	}

	httpReq, err := http.NewRequest("POST", h.Endpoint, bytes.NewBuffer(jsonInfo))
	if err != nil {
		return hookRes, err
	}

	for _, k := range h.ForwardHeaders {
		// Lookup the Canonicalised version of the specified header
		if vals, ok := hookReq.Event.HTTPRequest.Header[http.CanonicalHeaderKey(k)]; ok {
			// but set the case specified by the user
			httpReq.Header[k] = vals
		}
	}

	httpReq.Header.Set("Content-Type", "application/json")

	httpRes, err := h.client.Do(httpReq)
	if err != nil {
		return hookRes, err
	}
	defer httpRes.Body.Close()

	httpBody, err := io.ReadAll(httpRes.Body)
	if err != nil {
		return hookRes, err
	}

	// Report an error, if the response has a non-2XX status code
	if httpRes.StatusCode < http.StatusOK || httpRes.StatusCode >= http.StatusMultipleChoices {
		return hookRes, fmt.Errorf("unexpected response code from hook endpoint (%d): %s", httpRes.StatusCode, string(httpBody))
	}

	if err = json.Unmarshal(httpBody, &hookRes); err != nil {
		return hookRes, fmt.Errorf("failed to parse hook response: %w", err)
	}

	return hookRes, nil
}
