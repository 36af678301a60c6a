package donewait

import (
	"context"
	"errors"
	"net/http"
	"sync"
)

// A loop that waits for a condition — it returns a value with a nil error
// once the condition holds — waits for an answer like a single select:
// quic-go's OpenStreamSync waited for stream credit, and its HTTP/3
// RoundTrip passed it context.Background() with the request's context in
// scope.

type stream struct{ id int }

type session struct {
	mu        sync.Mutex
	next, max int
	credit    chan struct{}
	closed    chan struct{}
}

func (s *session) openStreamSync(ctx context.Context) (*stream, error) {
	for {
		s.mu.Lock()
		if s.next < s.max {
			str := &stream{id: s.next}
			s.next++
			s.mu.Unlock()
			return str, nil
		}
		s.mu.Unlock()
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-s.closed:
			return nil, errors.New("session closed")
		case <-s.credit:
		}
	}
}

type roundTripper struct{ s *session }

func (t *roundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	if _, err := t.s.openStreamSync(context.Background()); err != nil { // want `context.Background\(\) drops req.Context\(\)'s deadline and cancellation: \(\*donewait.session\).openStreamSync reaches a select on its context's Done`
		return nil, err
	}
	return nil, errors.New("not implemented")
}

func (t *roundTripper) RoundTripFixed(req *http.Request) (*http.Response, error) {
	if _, err := t.s.openStreamSync(req.Context()); err != nil {
		return nil, err
	}
	return nil, errors.New("not implemented")
}

// A loop that only ends in an error serves until cancelled: its select is
// a lifetime, not a wait for an answer.
func (s *session) serve(ctx context.Context, in <-chan int) (int, error) {
	n := 0
	for {
		select {
		case <-ctx.Done():
			return n, ctx.Err()
		case v := <-in:
			n += v
		}
	}
}

func (t *roundTripper) count(ctx context.Context, in <-chan int) {
	_, _ = t.s.serve(context.Background(), in)
}
