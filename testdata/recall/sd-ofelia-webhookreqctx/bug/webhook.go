// Recall case sd-ofelia-webhookreqctx
// Source: github.com/netresearch/ofelia commit 6e4ace4dcbf3d33feab6634e560fd7a296196b2e (middlewares/webhook.go)
// Link: https://github.com/netresearch/ofelia/commit/6e4ace4dcbf3d33feab6634e560fd7a296196b2e
// Bug: (*Webhook).send builds the per-request context with context.WithTimeout(context.Background(), w.Config.Timeout), ignoring the job/scheduler context carried in ctx, so SIGTERM or a job deadline cannot abort an in-flight webhook request (shutdown blocks up to Timeout per request).
// Fix: Derives the per-request timeout context from ctx.RunContext() instead of context.Background().
// Rule: sharedeadline
package middlewares

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"
)

// Context is a stand-in for core.Context: it carries go-cron's per-entry
// context through the middleware chain.
type Context struct {
	Logger *slog.Logger
	Ctx    context.Context
}

// RunContext returns the context that governs this job run.
func (c *Context) RunContext() context.Context {
	if c == nil || c.Ctx == nil {
		return context.Background()
	}
	return c.Ctx
}

// WebhookConfig holds the per-webhook settings.
type WebhookConfig struct {
	Name       string
	URL        string
	Timeout    time.Duration
	RetryCount int
	RetryDelay time.Duration
}

// Preset describes how the request is built.
type Preset struct {
	Method  string
	Headers map[string]string
	Body    string
}

// BuildURL returns the target URL for the webhook.
func (p *Preset) BuildURL(cfg *WebhookConfig) (string, error) {
	if cfg.URL == "" {
		return "", fmt.Errorf("empty url")
	}
	return cfg.URL, nil
}

// Webhook middleware sends HTTP webhook notifications after job execution
type Webhook struct {
	Config *WebhookConfig
	Preset *Preset
	Client *http.Client
}

// sendWithRetry sends the webhook with configurable retry logic.
//
// The inter-attempt backoff observes ctx cancellation so that scheduler
// shutdown or per-job deadline drains promptly.
func (w *Webhook) sendWithRetry(ctx *Context) error {
	var lastErr error

	for attempt := 0; attempt <= w.Config.RetryCount; attempt++ {
		if attempt > 0 {
			runCtx := ctx.RunContext()
			select {
			case <-time.After(w.Config.RetryDelay):
			case <-runCtx.Done():
				return fmt.Errorf("webhook %q retry interrupted: %w", w.Config.Name, runCtx.Err())
			}
		}

		if err := w.send(ctx); err != nil {
			lastErr = err
			ctx.Logger.Debug(fmt.Sprintf("Webhook %q: attempt %d failed: %v", w.Config.Name, attempt+1, err))
			continue
		}

		// Success
		return nil
	}

	return fmt.Errorf("all %d attempts failed, last error: %w", w.Config.RetryCount+1, lastErr)
}

// send performs the actual HTTP request
func (w *Webhook) send(ctx *Context) error {
	targetURL, err := w.Preset.BuildURL(w.Config)
	if err != nil {
		return fmt.Errorf("build URL: %w", err)
	}

	// Create request with context
	reqCtx, cancel := context.WithTimeout(context.Background(), w.Config.Timeout)
	defer cancel()

	req, err := http.NewRequestWithContext(reqCtx, w.Preset.Method, targetURL, strings.NewReader(w.Preset.Body))
	if err != nil {
		return fmt.Errorf("create request: %w", err)
	}

	for key, value := range w.Preset.Headers {
		req.Header.Set(key, value)
	}

	// Execute request
	resp, err := w.Client.Do(req)
	if err != nil {
		return fmt.Errorf("HTTP request: %w", err)
	}
	defer resp.Body.Close()

	// Read response body for error reporting
	respBody, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))

	if resp.StatusCode < 200 || resp.StatusCode >= 300 {
		return fmt.Errorf("HTTP %d: %s", resp.StatusCode, string(respBody))
	}

	ctx.Logger.Debug(fmt.Sprintf("Webhook %q sent successfully to %s", w.Config.Name, targetURL))
	return nil
}
