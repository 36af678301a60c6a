// Recall case sd-psqlwire-shutdown
// Source: github.com/jeroenrinzema/psql-wire commit d7ad5d6e12e748ef3ad6fecc0629dd91b2ed895b (wire.go)
// Link: https://github.com/jeroenrinzema/psql-wire/commit/d7ad5d6e12e748ef3ad6fecc0629dd91b2ed895b
// Bug: Server.Shutdown(ctx) builds its wait budget from context.Background() (copying only the caller's deadline or using ShutdownTimeout), so cancelling the caller's ctx does not stop the graceful-shutdown wait.
// Fix: the shutdown context is derived from the caller's ctx (context.WithCancel(ctx) / context.WithTimeout(ctx, timeout)), letting the earliest deadline or cancellation win.
// Rule: sharedeadline
package wire

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Server contains options for listening to an address.
type Server struct {
	closing         atomic.Bool
	wg              sync.WaitGroup
	logger          *slog.Logger
	ShutdownTimeout time.Duration
	closer          chan struct{}
}

func NewServer(logger *slog.Logger) *Server {
	return &Server{
		logger:          logger,
		ShutdownTimeout: 1 * time.Second,
		closer:          make(chan struct{}),
	}
}

// ListenAndServe opens a new Postgres server on the preconfigured address and
// starts accepting and serving incoming client connections.
func (srv *Server) ListenAndServe(address string) error {
	listener, err := net.Listen("tcp", address)
	if err != nil {
		return err
	}
	return srv.Serve(listener)
}

// Serve accepts and serves incoming client connections.
func (srv *Server) Serve(listener net.Listener) error {
	if srv.closing.Load() {
		return nil
	}

	srv.wg.Add(1)
	go func() {
		defer srv.wg.Done()
		<-srv.closer
		srv.logger.Info("closing server")
		if err := listener.Close(); err != nil {
			srv.logger.Error("unexpected error while attempting to close the net listener", "err", err)
		}
	}()

	for {
		conn, err := listener.Accept()
		if errors.Is(err, net.ErrClosed) {
			return nil
		}
		if err != nil {
			return err
		}
		if srv.closing.Load() {
			_ = conn.Close()
			continue
		}

		srv.wg.Add(1)
		go func() {
			defer srv.wg.Done()
			defer conn.Close()
			_, _ = io.Copy(io.Discard, conn)
		}()
	}
}

// Shutdown gracefully shuts down the server with context and timeout support.
// It stops accepting new connections and waits for active connections to finish
// within the shorter of the context deadline or the server's configured ShutdownTimeout.
func (srv *Server) Shutdown(ctx context.Context) error {
	if srv.closing.Load() {
		srv.wg.Wait()
		return nil
	}

	// Use the shorter of context deadline or server timeout
	var shutdownCtx context.Context
	var cancel context.CancelFunc

	timeout := srv.ShutdownTimeout
	if deadline, ok := ctx.Deadline(); ok {
		// Use whichever is shorter: context deadline or server timeout
		if timeout == 0 || time.Until(deadline) < timeout {
			// Context deadline is shorter (or server has no timeout)
			shutdownCtx, cancel = context.WithDeadline(context.Background(), deadline)
		} else {
			// Server timeout is shorter
			shutdownCtx, cancel = context.WithTimeout(context.Background(), timeout)
		}
	} else {
		// No context deadline, use server timeout
		if timeout == 0 {
			// Zero timeout means wait indefinitely
			shutdownCtx, cancel = context.WithCancel(context.Background())
		} else {
			shutdownCtx, cancel = context.WithTimeout(context.Background(), timeout)
		}
	}
	defer cancel()

	if !srv.closing.CompareAndSwap(false, true) {
		srv.wg.Wait()
		return nil
	}

	srv.logger.Info("starting graceful shutdown")
	close(srv.closer)

	done := make(chan struct{})
	go func() {
		srv.wg.Wait()
		close(done)
	}()

	select {
	case <-done:
		srv.logger.Info("graceful shutdown completed")
		return nil
	case <-shutdownCtx.Done():
		srv.logger.Warn("graceful shutdown timed out, some connections may be forcefully closed")
		return shutdownCtx.Err()
	}
}
