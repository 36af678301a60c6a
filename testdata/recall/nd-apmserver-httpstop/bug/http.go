// Recall case nd-apmserver-httpstop
// Source: github.com/elastic/apm-server commit 24329c8b6c6b91628dc1996e691d62050944ad4b (internal/beater/http.go)
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
	"time"
)

type Config struct {
	Host            string
	IdleTimeout     time.Duration
	ReadTimeout     time.Duration
	WriteTimeout    time.Duration
	MaxHeaderSize   int
	ShutdownTimeout time.Duration
}

type httpServer struct {
	*http.Server
	cfg          *Config
	logger       *log.Logger
	httpListener net.Listener
}

func newHTTPServer(
	logger *log.Logger,
	cfg *Config,
	handler http.Handler,
	listener net.Listener,
) (*httpServer, error) {

	server := &http.Server{
		Addr:           cfg.Host,
		Handler:        handler,
		IdleTimeout:    cfg.IdleTimeout,
		ReadTimeout:    cfg.ReadTimeout,
		WriteTimeout:   cfg.WriteTimeout,
		MaxHeaderBytes: cfg.MaxHeaderSize,
		ErrorLog:       logger,
	}

	return &httpServer{server, cfg, logger, listener}, nil
}

func (h *httpServer) start() error {
	return h.Serve(h.httpListener)
}

func (h *httpServer) stop() {
	h.logger.Printf("Stop listening on: %s", h.Server.Addr)
	if err := h.Shutdown(context.Background()); err != nil {
		h.logger.Printf("error stopping http server: %s", err.Error())
		if err := h.Close(); err != nil {
			h.logger.Printf("error closing http server: %s", err.Error())
		}
	}
}
