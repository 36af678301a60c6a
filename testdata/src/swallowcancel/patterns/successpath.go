package patterns

import (
	"context"
	"errors"
	"log"
	"net/http"
	"time"
)

type message struct {
	url   string
	acked bool
}

func (m *message) ack()  { m.acked = true }
func (m *message) nack() { m.acked = false }

type produced []string

func handle(ctx context.Context, m *message) (produced, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", m.url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return produced{resp.Status}, nil
}

func publish(p produced) error { return nil }

// A cancelled handler's message is published and acknowledged: watermill's
// handleMessage.
func handleMessage(ctx context.Context, m *message) {
	out, err := handle(ctx, m)
	if err != nil && !errors.Is(err, context.Canceled) { // want `when err is a cancellation this test lets it through to the success path, which uses what handle\(\) returned as if the call had succeeded: test for the cancellation inside the error branch`
		log.Printf("handler failed: %v", err)
		m.nack()
		return
	}
	if err := publish(out); err != nil {
		m.nack()
		return
	}
	m.ack()
}

// The fix: the cancellation takes the error path, only its log is skipped.
func handleMessageFixed(ctx context.Context, m *message) {
	out, err := handle(ctx, m)
	if err != nil {
		if !errors.Is(err, context.Canceled) {
			log.Printf("handler failed: %v", err)
		}
		m.nack()
		return
	}
	if err := publish(out); err != nil {
		m.nack()
		return
	}
	m.ack()
}

// Stopping on cancellation with nothing of the call used afterwards is the
// run-until-cancelled shape, judged elsewhere.
func serveUntilCancelled(ctx context.Context, m *message) error {
	_, err := handle(ctx, m)
	if err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

// Looking at whether the result is there is no use of it as a success.
func closeIfAny(ctx context.Context, m *message) {
	out, err := handle(ctx, m)
	if err != nil && !errors.Is(err, context.Canceled) {
		return
	}
	if out == nil {
		m.nack()
	}
}

// The context is the function's own: its timeout ending is its own to absorb.
func handleWithBudget(ctx context.Context, m *message) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	out, err := handle(ctx, m)
	if err != nil && !errors.Is(err, context.Canceled) {
		m.nack()
		return
	}
	_ = publish(out)
	m.ack()
}

// The error branch does not leave: everything runs the same way after it.
func logOnly(ctx context.Context, m *message) {
	out, err := handle(ctx, m)
	if err != nil && !errors.Is(err, context.Canceled) {
		log.Printf("handler failed: %v", err)
	}
	_ = publish(out)
}

// Once the caller's context is known live, a cancellation is the callee's
// own budget running out, here taken for "not available" on purpose
// (minio-go's IMDSv1 fallback).
func withFallback(ctx context.Context, m *message) (produced, error) {
	out, err := handle(ctx, m)
	if err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return nil, cerr
		}
		if !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
			return nil, err
		}
	}
	return append(out, "fallback"), nil
}

// rotate stops at its own budget and says so with DeadlineExceeded.
func rotate(keys []string) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for range keys {
		select {
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
	}
	return nil
}

// Neither side has a context: the deadline is rotate's own, and a
// follow-up run continues the work (nomad's variablesRekey).
func rekey(keys []string) error {
	if err := rotate(keys); err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return nil
		}
		return err
	}
	return nil
}
