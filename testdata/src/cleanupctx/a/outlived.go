package a

import (
	"bytes"
	"context"
	"net/http"
	"sync"
	"time"
)

// A goroutine a handler starts and leaves running, handed the request's
// context to wait with: the server cancels that context when the handler
// returns (ssi-service's webhook middleware).

type webHandler func(ctx context.Context, w http.ResponseWriter, r *http.Request) error

type hookService struct{ client *http.Client }

func (s *hookService) publish(ctx context.Context, url string, body []byte) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return
	}
	resp, err := s.client.Do(req)
	if err == nil {
		resp.Body.Close()
	}
}

func webhookMiddleware(s *hookService, url string, next webHandler) webHandler {
	return func(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
		err := next(ctx, w, r)
		go s.publish(ctx, url, nil) // want `this goroutine waits in \(\*a.hookService\).publish with ctx, the request's context, but the handler returns without waiting for it`
		return err
	}
}

func auditHandler(s *hookService) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusAccepted)
		go func() { // want `this goroutine waits in \(\*a.hookService\).publish \(in the func literal in a.auditHandler\) with r.Context\(\), the request.s context`
			s.publish(r.Context(), "http://audit", nil) // the request's context, captured
		}()
	}
}

// Fixed: the goroutine gets a budget of its own, detached from the request.
func webhookMiddlewareFixed(s *hookService, url string, next webHandler) webHandler {
	return func(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
		err := next(ctx, w, r)
		go func() {
			pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			defer cancel()
			s.publish(pctx, url, nil)
		}()
		return err
	}
}

// The handler waits for its goroutines: the request is still being served.
func fanOutHandler(s *hookService, urls []string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var wg sync.WaitGroup
		for _, u := range urls {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s.publish(r.Context(), u, nil)
			}()
		}
		wg.Wait()
	}
}

// The goroutine answers on a channel the handler receives from.
func raceHandler(s *hookService) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		done := make(chan struct{})
		go func() {
			defer close(done)
			s.publish(r.Context(), "http://primary", nil)
		}()
		select {
		case <-done:
		case <-time.After(time.Second):
		}
	}
}

// Not a handler: ctx is whatever the caller gives, maybe a process's.
func startPublisher(ctx context.Context, s *hookService, url string) {
	go s.publish(ctx, url, nil)
}
