// Recall case uw-goreleaser-ratelimit
// Source: github.com/goreleaser/goreleaser commit 60028b19eb6845164ed7bac541032efe1b07fe14 (internal/client/github.go)
// Link: https://github.com/goreleaser/goreleaser/commit/60028b19eb6845164ed7bac541032efe1b07fe14
// Bug: rateLimitChecker (which has the pipeline ctx) waits for the GitHub rate-limit reset by calling sleepFn, which every caller passes as time.Sleep, so the wait (possibly up to an hour) cannot be interrupted when ctx is cancelled; it then recurses and checks again.
// Fix: drop sleepFn and the recursion and wait with select on time.After(sleep) and ctx.Done().
// Rule: uncancellablewait
package client

import (
	stdctx "context"
)

// Context is a reduced stand-in for goreleaser's pkg/context.Context, which
// embeds the standard library context.
type Context struct {
	stdctx.Context
	Token string
}
