// Recall case sc-containerd-eventsubscribe
// Source: github.com/containerd/containerd commit 15a761c0352c91634a50a4241cf837501a5523b7 (events.go)
// Link: https://github.com/containerd/containerd/pull/2742
// Bug: the Subscribe forwarding goroutine returns on ctx.Done() without sending ctx.Err(), so the deferred close(errq) makes the stream look cleanly finished.
// Fix: on ctx.Done() the goroutine sends ctx.Err() on errq (upstream: unless it is context.Canceled) before returning.
// Rule: swallowcancel
package containerd

import (
	"bufio"
	"context"
	"net/http"
)

type Envelope struct{ Event []byte }

type session struct{ sc *bufio.Scanner }

func (s *session) Recv() (*Envelope, error) {
	if !s.sc.Scan() {
		return nil, s.sc.Err()
	}
	return &Envelope{Event: s.sc.Bytes()}, nil
}

type eventsClient struct{ url string }

func (c *eventsClient) Subscribe(ctx context.Context, filters ...string) (*session, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	return &session{sc: bufio.NewScanner(resp.Body)}, nil
}

type eventRemote struct{ client *eventsClient }

func (e *eventRemote) Subscribe(ctx context.Context, filters ...string) (ch <-chan *Envelope, errs <-chan error) {
	var (
		evq  = make(chan *Envelope)
		errq = make(chan error, 1)
	)

	errs = errq
	ch = evq

	session, err := e.client.Subscribe(ctx, filters...)
	if err != nil {
		errq <- err
		close(errq)
		return
	}

	go func() {
		defer close(errq)

		for {
			ev, err := session.Recv()
			if err != nil {
				errq <- err
				return
			}

			select {
			case evq <- ev:
			case <-ctx.Done():
				if cerr := ctx.Err(); cerr != context.Canceled {
					errq <- cerr
				}
				return
			}
		}
	}()

	return ch, errs
}
