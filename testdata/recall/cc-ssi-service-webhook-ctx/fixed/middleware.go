// Recall case cc-ssi-service-webhook-ctx
// Source: github.com/TBD54566975/ssi-service commit 2dbfc4d32b6dd9679ec819bc79656e2f7a112fa0 (pkg/service/webhook/service.go, pkg/server/middleware/webhook.go)
// Link: https://github.com/TBD54566975/ssi-service/commit/2dbfc4d32b6dd9679ec819bc79656e2f7a112fa0
// Bug: the Webhook middleware starts "go PublishWebhook(ctx, ...)" with the request context; the goroutine runs after the handler has returned, when that ctx is already cancelled, so every webhook POST fails with "context canceled" (and the storage lookup uses context.Background with no deadline).
// Fix: PublishWebhook no longer takes the request ctx; it creates its own context.WithTimeout(context.Background(), s.timeoutDuration) for the lookup and the POSTs.
// Rule: cleanupctx
package webhook

import (
	"bytes"
	"context"
	"net/http"
)

// Handler and Middleware mirror the server framework types.
type Handler func(ctx context.Context, w http.ResponseWriter, r *http.Request) error
type Middleware func(Handler) Handler

// Define a custom response writer that wraps the original response writer and writes to a buffer
type responseWriter struct {
	http.ResponseWriter
	buf *bytes.Buffer
}

func (rw *responseWriter) Write(b []byte) (int, error) {
	// Write the response body to both the original response writer and the buffer
	n, err := rw.ResponseWriter.Write(b)
	if err != nil {
		return n, err
	}
	_, err = rw.buf.Write(b)
	if err != nil {
		return n, err
	}
	return n, err
}

func WebhookMiddleware(whService *Service, noun Noun, verb Verb) Middleware {
	return func(handler Handler) Handler {
		return func(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
			buf := bytes.NewBuffer([]byte{})

			// Wrap the original response writer with a new response writer that writes to the buffer
			wrappedWriter := &responseWriter{w, buf}

			// Call the original handler with the new response writer
			err := handler(ctx, wrappedWriter, r)

			go whService.PublishWebhook(noun, verb, buf)

			return err
		}
	}
}
