// Recall case sc-sbsh-ctxdone
// Source: github.com/eminwux/sbsh commit d7aa0316f43722329197263fe7aa40b095ab41fe (internal/terminal/controller.go)
// Link: https://github.com/eminwux/sbsh/commit/d7aa0316f43722329197263fe7aa40b095ab41fe
// Bug: when the parent context is done, Run returns fmt.Errorf("%w: %w", ErrContextDone, err) where err is a local that is nil unless Close failed, so ctx.Err() (context.Canceled / DeadlineExceeded) is dropped from the returned error (message even renders as %!w(<nil>)).
// Fix: Run captures ctxErr := c.ctx.Err() and wraps it (plus any Close error) into the returned ErrContextDone error.
// Rule: swallowcancel
package terminal

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
)

// ---- stand-in for internal/errdefs ----

var (
	ErrContextDone     = errors.New("context has been cancelled")
	ErrOnClose         = errors.New("error on close")
	ErrStartRPCServer  = errors.New("could not start rpc server")
	ErrRPCServerExited = errors.New("rpc server exited")
	ErrCloseReq        = errors.New("close request")
)

// ---- stand-in for internal/terminal/terminalrunner ----

type Event struct {
	ID  string
	Err error
}

type TerminalRunner interface {
	StartServer(ctx context.Context, readyCh chan error, doneCh chan error)
	Close(reason error) error
}

type unixRunner struct {
	socketPath string
	mu         sync.Mutex
	ln         net.Listener
}

func (r *unixRunner) StartServer(ctx context.Context, readyCh chan error, doneCh chan error) {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "unix", r.socketPath)
	if err != nil {
		readyCh <- err
		return
	}
	r.mu.Lock()
	r.ln = ln
	r.mu.Unlock()
	readyCh <- nil
	for {
		conn, err := ln.Accept()
		if err != nil {
			doneCh <- err
			return
		}
		_ = conn.Close()
	}
}

func (r *unixRunner) Close(reason error) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ln != nil {
		return r.ln.Close()
	}
	return nil
}

// ---- controller ----

type Controller struct {
	ctx    context.Context
	cancel context.CancelCauseFunc
	logger *slog.Logger

	sr   TerminalRunner
	srMu sync.RWMutex

	closeReqCh   chan error
	closingCh    chan error
	closedCh     chan struct{}
	shuttingDown atomic.Bool

	eventsCh chan Event

	rpcReadyCh chan error
	rpcDoneCh  chan error
}

func NewTerminalController(ctx context.Context, logger *slog.Logger, socketPath string) *Controller {
	newCtx, cancel := context.WithCancelCause(ctx)
	return &Controller{
		ctx:        newCtx,
		cancel:     cancel,
		logger:     logger,
		sr:         &unixRunner{socketPath: socketPath},
		closedCh:   make(chan struct{}),
		closingCh:  make(chan error, 1),
		rpcReadyCh: make(chan error),
		rpcDoneCh:  make(chan error),
		eventsCh:   make(chan Event, 32),
		closeReqCh: make(chan error, 1),
	}
}

// Run is the main orchestration loop.
func (c *Controller) Run() error {
	go c.sr.StartServer(c.ctx, c.rpcReadyCh, c.rpcDoneCh)
	if errC := <-c.rpcReadyCh; errC != nil {
		c.logger.ErrorContext(c.ctx, "failed to start server", "err", errC)
		return fmt.Errorf("%w: %w", ErrStartRPCServer, errC)
	}

	go func() {
		err := <-c.closingCh
		c.shuttingDown.Store(true)
		c.logger.WarnContext(c.ctx, "controller closing", "reason", err)
	}()

	for {
		select {
		case <-c.ctx.Done():
			var err error
			c.logger.WarnContext(c.ctx, "parent context channel has been closed")
			if errC := c.Close(c.ctx.Err()); errC != nil {
				c.logger.ErrorContext(c.ctx, "error during Close after context done", "err", errC)
				err = fmt.Errorf("%w: %w", ErrOnClose, errC)
			}
			return fmt.Errorf("%w: %w", ErrContextDone, err)

		case ev := <-c.eventsCh:
			c.logger.DebugContext(c.ctx, "received event", "id", ev.ID, "err", ev.Err)
			_ = c.Close(ev.Err)

		case err := <-c.rpcDoneCh:
			c.logger.ErrorContext(c.ctx, "rpc server has failed", "err", err)
			if errC := c.Close(err); errC != nil {
				err = fmt.Errorf("%w: %w: %w", err, ErrOnClose, errC)
			}
			return fmt.Errorf("%w: %w", ErrRPCServerExited, err)

		case err := <-c.closeReqCh:
			c.logger.WarnContext(c.ctx, "close request received", "err", err)
			return fmt.Errorf("%w: %w", ErrCloseReq, err)
		}
	}
}

func (c *Controller) Close(reason error) error {
	if !c.shuttingDown.Load() {
		c.logger.InfoContext(c.ctx, "initiating shutdown sequence", "reason", reason)

		c.cancel(reason)

		c.closingCh <- reason

		c.srMu.RLock()
		sr := c.sr
		c.srMu.RUnlock()
		if sr != nil {
			_ = sr.Close(reason)
		}

		c.closeReqCh <- reason

		close(c.closedCh)
	} else {
		c.logger.WarnContext(c.ctx, "shutdown sequence already in progress, ignoring duplicate request", "reason", reason)
	}
	return nil
}
