// Recall case cc-runnable-httpserver
// Source: github.com/pior/runnable commit 2eaea845292745580c9d8e582a9b9598c811666f (server.go)
// Link: https://github.com/pior/runnable/pull/22
// Bug: after <-ctx.Done() the runnable calls r.server.Shutdown(ctx) with the already-cancelled ctx, so Shutdown returns at once and in-flight requests are not drained.
// Fix: shutdown() calls Shutdown with a fresh context.WithTimeout(context.Background(), r.shutdownTimeout).
// Rule: cleanupctx
package runnable

import (
	"context"
	"fmt"
	"log"
	"net/http"
)

type ServerWithShutdown interface {
	ListenAndServe() error
	Shutdown(ctx context.Context) error
}

type httpServer struct {
	server ServerWithShutdown
}

// HTTPServer returns a runnable that runs a ServerWithShutdown (like *http.Server).
func HTTPServer(server ServerWithShutdown) *httpServer {
	return &httpServer{server}
}

func (r *httpServer) Run(ctx context.Context) error {
	errChan := make(chan error)

	go func() {
		log.Printf("http_server: listening")
		errChan <- r.server.ListenAndServe()
	}()

	var err error
	var shutdownErr error

	select {
	case <-ctx.Done():
		log.Printf("http_server: shutdown for cancellation")
		shutdownErr = r.server.Shutdown(ctx)
		err = <-errChan
	case err = <-errChan:
		log.Printf("http_server: shutdown for error")
		shutdownErr = r.server.Shutdown(ctx)
	}

	if err == http.ErrServerClosed {
		err = nil
	}
	if err == nil && shutdownErr != nil {
		err = fmt.Errorf("server shutdown: %w", shutdownErr)
	}

	return err
}
