// Recall case nd-kubernetes-ingress-controller-diagshutdown
// Source: github.com/Kong/kubernetes-ingress-controller commit 2e4ea449fc25738a5f82a5c0a953a5691c761389 (internal/diagnostics/server.go)
// Link: https://github.com/Kong/kubernetes-ingress-controller/commit/2e4ea449fc25738a5f82a5c0a953a5691c761389
// Bug: After ctx is done, Listen calls httpServer.Shutdown(context.Background()), which waits for open connections with no deadline (and the ListenAndServe goroutine can block forever sending on the unbuffered errChan).
// Fix: Shutdown gets a context.WithTimeout(context.Background(), DefaultGracefulShutdownTimeout) and the errChan send is removed.
// Rule: nodeadline
package diagnostics

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/pprof"
	"time"
)

const (
	defaultHTTPReadHeaderTimeout = 10 * time.Second
)

// Server is an HTTP server running exposing the pprof profiling tool, and processing diagnostic dumps of Kong configurations.
type Server struct {
	logger                   *slog.Logger
	cfg                      ServerConfig
	configDiagnosticsHandler http.Handler
}

// ServerConfig contains configuration for the diagnostics server.
type ServerConfig struct {
	// ProfilingEnabled enables Golang profiling endpoints under /debug/pprof/ prefix.
	ProfilingEnabled bool

	// ListenerPort is the port the diagnostics server will listen on.
	ListenerPort int
}

// NewServer creates a diagnostics server. Listen() must be called to start the server.
func NewServer(logger *slog.Logger, cfg ServerConfig, configHandler http.Handler) Server {
	return Server{
		logger:                   logger,
		cfg:                      cfg,
		configDiagnosticsHandler: configHandler,
	}
}

// Listen starts up the HTTP server and blocks until ctx expires.
func (s *Server) Listen(ctx context.Context) error {
	const (
		configPrefix = "/debug/config"
		pprofPrefix  = "/debug/pprof"
	)

	mux := http.NewServeMux()
	if h := s.configDiagnosticsHandler; h != nil {
		mux.Handle(fmt.Sprintf("%s/", configPrefix), http.StripPrefix(configPrefix, h))
	}
	if s.cfg.ProfilingEnabled {
		mux.Handle(fmt.Sprintf("%s/", pprofPrefix), http.StripPrefix(pprofPrefix, profilingHandler()))
	}

	httpServer := &http.Server{
		Addr:              fmt.Sprintf(":%d", s.cfg.ListenerPort),
		Handler:           mux,
		ReadHeaderTimeout: defaultHTTPReadHeaderTimeout,
	}
	errChan := make(chan error)

	go func() {
		err := httpServer.ListenAndServe()
		if err != nil {
			if !errors.Is(err, http.ErrServerClosed) {
				s.logger.Error("Could not start diagnostics server", "error", err)
				errChan <- err
			}
		}
	}()

	s.logger.Info("Diagnostics server is starting to listen", "addr", s.cfg.ListenerPort)

	select {
	case <-ctx.Done():
		s.logger.Info("Shutting down diagnostics server")
		return httpServer.Shutdown(context.Background()) //nolint:contextcheck
	case err := <-errChan:
		return err
	}
}

// profilingHandler returns the Profiling webservice mux.
func profilingHandler() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/", pprof.Index)
	mux.HandleFunc("/cmdline", pprof.Cmdline)
	mux.HandleFunc("/profile", pprof.Profile)
	mux.HandleFunc("/symbol", pprof.Symbol)
	mux.HandleFunc("/trace", pprof.Trace)
	return mux
}
