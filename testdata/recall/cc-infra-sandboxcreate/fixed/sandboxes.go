// Recall case cc-infra-sandboxcreate
// Source: github.com/e2b-dev/infra commit 879161d2ede11c0a50f91d65b8ac7f2c6be69b6e (packages/orchestrator/internal/server/sandboxes.go)
// Link: https://github.com/e2b-dev/infra/commit/879161d2ede11c0a50f91d65b8ac7f2c6be69b6e
// Bug: When ResumeSandbox fails in Create (typically because the 60s request ctx timed out), the sandbox cleanup is run with that same ctx, which is already done, so the cleanup steps (stopping the process, releasing the network slot) fail immediately and resources leak.
// Fix: cleanup.Run is given a fresh context.Background() (carrying only the span context) instead of the request ctx.
// Rule: cleanupctx
package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os/exec"
	"sync"
	"time"
)

const requestTimeout = 60 * time.Second

// ---- sandbox.Cleanup (packages/orchestrator/internal/sandbox/cleanup.go) ----

type Cleanup struct {
	cleanup []func(ctx context.Context) error
	error   error
	once    sync.Once
	mu      sync.Mutex
}

func NewCleanup() *Cleanup { return &Cleanup{} }

func (c *Cleanup) Add(f func(ctx context.Context) error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cleanup = append(c.cleanup, f)
}

func (c *Cleanup) Run(ctx context.Context) error {
	c.once.Do(func() { c.run(ctx) })
	return c.error
}

func (c *Cleanup) run(ctx context.Context) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var errs []error
	for i := len(c.cleanup) - 1; i >= 0; i-- {
		if err := c.cleanup[i](ctx); err != nil {
			errs = append(errs, err)
		}
	}
	c.error = errors.Join(errs...)
}

// ---- tracing stand-in (otel trace.SpanContext) ----

type spanContextKey struct{}

type SpanContext struct{ TraceID string }

type Span struct{ sc SpanContext }

func (s *Span) SpanContext() SpanContext { return s.sc }
func (s *Span) End()                     {}

func startSpan(ctx context.Context, name string) (context.Context, *Span) {
	sp := &Span{sc: SpanContext{TraceID: name}}
	return context.WithValue(ctx, spanContextKey{}, sp.sc), sp
}

func ContextWithSpanContext(parent context.Context, sc SpanContext) context.Context {
	return context.WithValue(parent, spanContextKey{}, sc)
}

// ---- sandbox.ResumeSandbox reduced ----

type Sandbox struct {
	ID      string
	envdURL string
}

func (s *Sandbox) Stop(ctx context.Context) error {
	return exec.CommandContext(ctx, "firecracker-stop", s.ID).Run()
}

func ResumeSandbox(ctx context.Context, sandboxID, envdURL string) (*Sandbox, *Cleanup, error) {
	cleanup := NewCleanup()
	sbx := &Sandbox{ID: sandboxID, envdURL: envdURL}

	// network slot is released through the ctx given to cleanup.Run
	cleanup.Add(func(ctx context.Context) error {
		return exec.CommandContext(ctx, "ip", "netns", "delete", "ns-"+sandboxID).Run()
	})
	cleanup.Add(sbx.Stop)

	// wait for envd inside the sandbox to answer
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, envdURL+"/health", nil)
	if err != nil {
		return nil, cleanup, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, cleanup, fmt.Errorf("failed to wait for envd: %w", err)
	}
	resp.Body.Close()

	return sbx, cleanup, nil
}

// ---- server ----

type SandboxCreateRequest struct {
	SandboxID string
	EnvdURL   string
}

type server struct {
	mu        sync.Mutex
	sandboxes map[string]*Sandbox
}

func (s *server) Create(ctxConn context.Context, req *SandboxCreateRequest) error {
	ctx, cancel := context.WithTimeoutCause(ctxConn, requestTimeout, fmt.Errorf("request timed out"))
	defer cancel()

	childCtx, childSpan := startSpan(ctx, "sandbox-create")
	defer childSpan.End()

	sbx, cleanup, err := ResumeSandbox(childCtx, req.SandboxID, req.EnvdURL)
	if err != nil {
		cleanupErr := cleanup.Run(ContextWithSpanContext(context.Background(), childSpan.SpanContext()))

		err := errors.Join(err, context.Cause(ctx), cleanupErr)
		return fmt.Errorf("failed to cleanup sandbox: %w", err)
	}

	s.mu.Lock()
	if s.sandboxes == nil {
		s.sandboxes = make(map[string]*Sandbox)
	}
	s.sandboxes[req.SandboxID] = sbx
	s.mu.Unlock()
	return nil
}
