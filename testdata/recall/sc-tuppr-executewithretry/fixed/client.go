// Recall case sc-tuppr-executewithretry
// Source: github.com/home-operations/tuppr commit c15b955cc4598620b6b0b2e61d5622c00ccb99d1 (internal/talos/client.go)
// Link: https://github.com/home-operations/tuppr/commit/c15b955cc4598620b6b0b2e61d5622c00ccb99d1
// Bug: executeWithRetry classifies context.DeadlineExceeded as a transient error, so when the caller's own ctx has expired it refreshes the client and keeps retrying the dead operation for the whole 10s retry budget, finally returning a confusing "...; timeout" error instead of the context error.
// Fix: after a failed attempt it checks ctx.Err() and, if the local context is dead, stops the retryer and returns the attempt's error as-is.
// Rule: swallowcancel
package talos

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"strings"
	"syscall"
	"time"
)

type Client struct {
	talos         talosClient
	newClientFunc func(ctx context.Context) (talosClient, error)
}

// PullImage pulls imageRef into the node's system containerd image store.
func (s *Client) PullImage(ctx context.Context, nodeIP, imageRef string) error {
	nodeCtx := WithNode(ctx, nodeIP)

	err := s.executeWithRetry(ctx, func() error {
		stream, err := s.talos.ImagePull(nodeCtx, imageRef)
		if err != nil {
			return err
		}
		defer stream.Close()
		buf := make([]byte, 4096)
		for {
			if _, err := stream.Read(buf); err != nil {
				if errors.Is(err, io.EOF) {
					return nil
				}
				return err
			}
		}
	})
	if err != nil {
		return fmt.Errorf("failed to pull image %s on node %s: %w", imageRef, nodeIP, err)
	}
	return nil
}

func (s *Client) refreshTalosClient(ctx context.Context) error {
	log.Println("Refreshing Talos client")

	newClient, err := s.newClientFunc(ctx)
	if err != nil {
		return fmt.Errorf("failed to reinitialize talos client: %w", err)
	}

	err = s.talos.Close()
	if err != nil {
		return err
	}
	s.talos = newClient
	return nil
}

func (s *Client) executeWithRetry(ctx context.Context, operation func() error) error {
	var ctxDeadErr error
	err := Constant(10*time.Second, WithUnits(100*time.Millisecond)).Retry(func() error {
		err := operation()
		if err == nil {
			return nil
		}
		// A dead local context is not a transient server condition: every
		// retry against it fails instantly, the client refresh is wasted
		// work, and go-retry misreads the DeadlineExceeded as its own
		// attempt timeout (the confusing "…; timeout" multierror). Stop the
		// retryer and surface the failure as-is.
		if ctx.Err() != nil {
			ctxDeadErr = err
			return nil
		}
		if !IsTransientError(err) {
			return err
		}
		if refreshErr := s.refreshTalosClient(ctx); refreshErr != nil {
			return ExpectedError(refreshErr)
		}
		return ExpectedError(err)
	})
	if ctxDeadErr != nil {
		return ctxDeadErr
	}
	return err
}

func IsTransientError(err error) bool {
	if err == nil {
		return false
	}

	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}

	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		return true
	}

	var errno syscall.Errno
	if errors.As(err, &errno) {
		switch errno {
		case syscall.ECONNREFUSED, syscall.ECONNRESET, syscall.ETIMEDOUT, syscall.EPIPE:
			return true
		}
	}

	errStr := strings.ToLower(err.Error())
	for _, indicator := range []string{
		"connection refused",
		"connection reset",
		"i/o timeout",
		"eof",
	} {
		if strings.Contains(errStr, indicator) {
			return true
		}
	}

	return false
}
