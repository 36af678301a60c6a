// Recall case cc-goa-handlehttpserver
// Source: github.com/goadesign/goa commit e7a9740882d33ce640791130b63e877c470c3e01 (http/codegen/example_server.go; generated cmd/<svc>/http.go handleHTTPServer, package renamed from main)
// Link: https://github.com/goadesign/goa/pull/2603
// Bug: the generated server waits for <-ctx.Done() and then derives the 30s shutdown context from that same done ctx, so srv.Shutdown returns immediately instead of draining.
// Fix: the shutdown context is context.WithTimeout(context.Background(), 30*time.Second).
// Rule: cleanupctx
package calcsvc

import (
	"context"
	"log"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// handleHTTPServer starts configures and starts a HTTP server on the given
// URL. It shuts down the server if any error is received in the error channel.
func handleHTTPServer(ctx context.Context, u *url.URL, handler http.Handler, wg *sync.WaitGroup, errc chan error, logger *log.Logger) {
	// Start HTTP server using default configuration, change the code to
	// configure the server as required by your service.
	srv := &http.Server{Addr: u.Host, Handler: handler}

	(*wg).Add(1)
	go func() {
		defer (*wg).Done()

		// Start HTTP server in a separate goroutine.
		go func() {
			logger.Printf("HTTP server listening on %q", u.Host)
			errc <- srv.ListenAndServe()
		}()

		<-ctx.Done()
		logger.Printf("shutting down HTTP server at %q", u.Host)

		// Shutdown gracefully with a 30s timeout.
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()

		srv.Shutdown(ctx)
	}()
}
