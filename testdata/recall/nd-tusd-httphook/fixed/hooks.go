// Recall case nd-tusd-httphook
// Source: github.com/tus/tusd commit f1b1263aaee508a80303ae7f2f5bbfa4c0e6949a (pkg/hooks/http/http.go)
// Link: https://github.com/tus/tusd/commit/f1b1263aaee508a80303ae7f2f5bbfa4c0e6949a
// Bug: InvokeHook builds the hook POST with http.NewRequest (no context) and sends it through a pester client whose http.Client has no Timeout, so a hook endpoint that never answers blocks the upload request forever.
// Fix: the request is created with http.NewRequestWithContext on the hook event context wrapped in context.WithTimeout(ctx, h.Timeout).
// Rule: nodeadline
package http

import (
	"context"
	"net/http"
)

// HookEvent is a stand-in for hooks.HookEvent.
type HookEvent struct {
	Context     context.Context `json:"-"`
	HTTPRequest struct {
		Method string
		URI    string
		Header http.Header
	}
}

// HookRequest is a stand-in for hooks.HookRequest.
type HookRequest struct {
	Type  string
	Event HookEvent
}

// HookResponse is a stand-in for hooks.HookResponse.
type HookResponse struct {
	RejectUpload bool
	StopUpload   bool
}
