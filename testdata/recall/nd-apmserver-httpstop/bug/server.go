// Recall case nd-apmserver-httpstop
// Source: github.com/elastic/apm-server commit 24329c8b6c6b91628dc1996e691d62050944ad4b (internal/beater/server.go)
// Link: https://github.com/elastic/apm-server/commit/24329c8b6c6b91628dc1996e691d62050944ad4b
// Bug: httpServer.stop calls http.Server.Shutdown(context.Background()), so server.run blocks forever on a misbehaving connection during (hot-reload) shutdown.
// Fix: server.run builds context.WithTimeout(context.Background(), cfg.ShutdownTimeout) and passes it to httpServer.stop(ctx) -> Shutdown(ctx).
// Rule: nodeadline
package beater

import (
	"context"
	"log"
	"net"
	"net/http"
	"sync"
)

// errGroup is a minimal stand-in for golang.org/x/sync/errgroup.
type errGroup struct {
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	errOnce sync.Once
	err     error
}

func errGroupWithContext(ctx context.Context) (*errGroup, context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	return &errGroup{cancel: cancel}, ctx
}

func (g *errGroup) Go(f func() error) {
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		if err := f(); err != nil {
			g.errOnce.Do(func() {
				g.err = err
				g.cancel()
			})
		}
	}()
}

func (g *errGroup) Wait() error {
	g.wg.Wait()
	g.cancel()
	return g.err
}

// RunServerFunc runs the APM server until ctx is cancelled.
type RunServerFunc func(ctx context.Context, cfg *Config, handler http.Handler, logger *log.Logger) error

// newBaseRunServer returns the base RunServerFunc.
func newBaseRunServer(listener net.Listener) RunServerFunc {
	return func(ctx context.Context, cfg *Config, handler http.Handler, logger *log.Logger) error {
		srv, err := newServer(cfg, handler, logger, listener)
		if err != nil {
			return err
		}
		return srv.run(ctx)
	}
}

type server struct {
	logger *log.Logger
	cfg    *Config

	httpServer *httpServer
}

func newServer(cfg *Config, handler http.Handler, logger *log.Logger, listener net.Listener) (server, error) {
	httpServer, err := newHTTPServer(logger, cfg, handler, listener)
	if err != nil {
		return server{}, err
	}
	return server{
		logger:     logger,
		cfg:        cfg,
		httpServer: httpServer,
	}, nil
}

func (s server) run(ctx context.Context) error {
	s.logger.Printf("Starting apm-server. Hit CTRL-C to stop it.")
	defer s.logger.Printf("Server stopped")

	g, ctx := errGroupWithContext(ctx)
	g.Go(s.httpServer.start)
	g.Go(func() error {
		<-ctx.Done()
		s.httpServer.stop()
		return nil
	})
	if err := g.Wait(); err != http.ErrServerClosed {
		return err
	}
	return nil
}
